"""Search and recommendations in the browser, as a demo customer meets them: a typo finds what was
meant (suggestions as they type, the correction said), a synonym finds its products, a facet
narrows the results to exactly its count, the device remembers the search; the home, product
and cart rails show what the recommendations service answers, in stock, never what the cart holds;
"Offers for you" and "Popular near you" show the store's best sellers in stock.

Each screen is compared with the API's own answer for the same customer and store, so a rail or a
result list that drifts from the service (or shows nothing) fails here."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import Server
from .test_web_flow import PHONE, TIMEOUT, api_login, served_address, shoot, sign_in

pytestmark = pytest.mark.e2e

API = "/api/v1"


def _names(page: Any, scope: Any) -> list[str]:
    return [n.strip() for n in scope.locator(".product-card .pname").all_inner_texts()]


def _rail(page: Any, title: str | re.Pattern[str]) -> Any:
    heading = page.get_by_role("heading", name=title, level=2)
    heading.wait_for()
    return page.locator("section.section").filter(has=heading)


def _recommended(
    server: Server, headers: dict[str, str], store_id: str, kind: str, **params: Any
) -> list[dict[str, Any]]:
    r = httpx.get(
        f"{server.url}{API}/me/recommendations",
        params={"store_id": store_id, "kind": kind, **params},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def _search(server: Server, store_id: str, q: str, **filters: Any) -> dict[str, Any]:
    r = httpx.get(
        f"{server.url}{API}/stores/{store_id}/products", params={"q": q, "limit": 20, **filters}
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_search_forgives_typos_and_rails_match_the_service(server: Server, browser: Any) -> None:
    customer = server.first("customer")
    headers = api_login(server, customer.phone, customer.password)
    address, store_id, store_name = served_address(server, headers)
    ctx = browser.new_context(viewport=PHONE)
    ctx.set_default_timeout(TIMEOUT)
    try:
        page = ctx.new_page()
        sign_in(page, server, customer.phone, customer.password, "/location")
        page.get_by_role("button", name=re.compile(re.escape(address["label"]))).first.click()
        page.get_by_text(f"{store_name} delivers here").wait_for()
        page.get_by_role("button", name="Start shopping").click()
        page.locator(".product-card").first.wait_for()

        # Home: "Buy it again" is the customer's own history, as the service ranks it.
        again = _recommended(server, headers, store_id, "buy_again", limit=10)
        assert again, "the demo customer has order history: buy-again must not be empty"
        rail = _rail(page, "Buy it again")
        rail.locator(".product-card").first.wait_for()
        assert _names(page, rail) == [p["name"] for p in again]
        assert all(p["in_stock"] for p in again)
        trending = _recommended(server, headers, store_id, "trending", limit=10)
        assert trending, "a store with sales has a trending rail"
        shown = _names(page, _rail(page, f"Trending at {store_name}"))
        assert shown == [p["name"] for p in trending]
        # Offers and Popular near you: what sells at this store, in stock, as the API ranks it.
        for title, on_offer, limit in (
            ("Offers for you", True, 12),
            ("Popular near you", False, 20),
        ):
            r = httpx.get(
                f"{server.url}{API}/stores/{store_id}/popular",
                params={"on_offer": on_offer, "limit": limit},
            )
            ranked = r.json()["items"]
            assert ranked and all(p["in_stock"] for p in ranked), ranked
            rail = _rail(page, title)
            rail.locator(".product-card").first.wait_for()
            assert _names(page, rail) == [p["name"] for p in ranked], title
        shoot(page, "customer-home-rails")

        # A typo: suggestions while typing, then results that are milk, and the correction said.
        box = page.get_by_label("Search products")
        box.fill("mlik")
        suggestions = page.get_by_role("listbox", name="Suggestions")
        suggestions.get_by_role("option").first.wait_for()
        assert re.search(r"milk", suggestions.inner_text(), re.I), suggestions.inner_text()
        shoot(page, "customer-search-suggestions")
        box.press("Enter")
        page.wait_for_url(re.compile(r"/search\?q=mlik"))
        answer = _search(server, store_id, "mlik")
        assert answer["items"], "a one-letter swap of milk finds nothing"
        page.get_by_text(re.compile(r"\d+ results for “mlik”")).wait_for()
        results = page.locator(".search-hits")
        first = _names(page, results)[:3]
        assert first == [p["name"] for p in answer["items"][:3]]
        assert all("milk" in n.lower() for n in first), first
        if answer.get("did_you_mean"):
            page.get_by_text(f"Showing results for {answer['did_you_mean']}").wait_for()
        shoot(page, "customer-search-typo")

        # A facet narrows to exactly the count it shows (on a phone, under "Filters").
        page.get_by_text("Filters", exact=True).click()
        brands = page.locator("fieldset").filter(has=page.get_by_text("Brand", exact=True))
        option = brands.locator("label.check").first
        label = option.inner_text().strip()
        brand, count = re.fullmatch(r"(.+) \((\d+)\)", label).groups()  # type: ignore[union-attr]
        option.click()
        page.wait_for_url(re.compile(r"brand="))
        page.get_by_text(re.compile(rf"^{count} results for “mlik”")).wait_for()
        narrowed = _search(server, store_id, "mlik", brand=brand)
        assert narrowed["total"] == int(count)
        assert _names(page, results)[: len(narrowed["items"])] == [
            p["name"] for p in narrowed["items"]
        ]
        shoot(page, "customer-search-facet")

        # A synonym: "cold drink" finds the soft drinks.
        box.fill("cold drink")
        page.get_by_text(re.compile(r"\d+ results for “cold drink”")).wait_for()
        drinks = _search(server, store_id, "cold drink")
        assert drinks["items"], "the synonym cold drink finds nothing"
        page.keyboard.press("Escape")
        assert _names(page, results)[:3] == [p["name"] for p in drinks["items"][:3]]

        # The device remembers the search: the empty box offers it back.
        box.fill("")
        box.press("ArrowDown")
        recent = page.get_by_role("option").filter(has_text="mlik")
        recent.first.wait_for()
        assert "Recent" in recent.first.inner_text()
        page.keyboard.press("Escape")

        # The product page: bought together with this product, never the product itself.
        page.goto(f"{server.url}/search?q=milk")
        page.get_by_text(re.compile(r"\d+ results for “milk”")).wait_for()
        page.keyboard.press("Escape")
        results.locator(".product-card .pname").first.click()
        page.get_by_role("heading", level=1).wait_for()
        product_id = page.url.rstrip("/").split("/")[-1]
        together = _recommended(
            server, headers, store_id, "bought_together", product_id=product_id, limit=10
        )
        product_name = page.get_by_role("heading", level=1).inner_text().strip()
        assert together, "a rail that runs short is filled with best sellers"
        shown = _names(page, _rail(page, "Frequently bought together"))
        assert shown == [p["name"] for p in together]
        assert product_name not in shown

        # The cart: what the customer may have forgotten, never what is already in it.
        page.get_by_role("button", name=re.compile(r"^Add .+ to cart$")).first.click()
        page.locator(".cart-bar").wait_for()
        page.goto(server.url + "/cart")
        page.get_by_label("Bill breakdown").wait_for()
        cart = httpx.get(f"{server.url}{API}/cart", headers=headers).json()
        in_cart = {line["name"] for line in cart["items"]}
        assert in_cart, "the product added on screen is not in the cart"
        forgotten = _recommended(server, headers, store_id, "forgotten", limit=8)
        assert forgotten, "a rail that runs short is filled with best sellers"
        shown = _names(page, _rail(page, "You may have forgotten"))
        assert shown == [p["name"] for p in forgotten]
        assert not set(shown) & in_cart, (shown, in_cart)
        shoot(page, "customer-cart-rails")
    finally:
        ctx.close()
