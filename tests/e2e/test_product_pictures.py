"""The demo catalog's pictures in the browser: product cards, category tiles, the product page and
the cart show pictures that loaded, served by the app itself; the footer credits the set."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import Server
from .test_web_flow import DESKTOP, PHONE, TIMEOUT, shoot, start_shopping

pytestmark = pytest.mark.e2e

# Every <img> matched by the selector that is on screen has loaded a real picture.
LOADED = """(selector) => {
  const shown = [...document.querySelectorAll(selector)].filter((img) => {
    const r = img.getBoundingClientRect();
    return r.width > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
  });
  return shown.length > 0 && shown.every((img) => img.complete && img.naturalWidth > 0);
}"""


def loaded(page: Any, selector: str) -> None:
    page.locator(selector).first.scroll_into_view_if_needed()
    page.wait_for_function(LOADED, arg=selector, timeout=TIMEOUT)


def test_cards_tiles_product_and_cart_show_loaded_pictures(server: Server, browser: Any) -> None:
    customer = server.first("customer")
    ctx = browser.new_context(viewport=PHONE)
    ctx.set_default_timeout(TIMEOUT)
    pictures: set[str] = set()
    ctx.on(
        "response",
        lambda r: pictures.add(r.url) if "/media/art/" in r.url and r.status == 200 else None,
    )
    try:
        page = ctx.new_page()
        start_shopping(page, server, customer.phone, customer.password)
        loaded(page, ".product-card .pimg img")
        loaded(page, ".cat-tile img")
        cards = page.locator(".product-card")
        with_picture = page.locator(".product-card .pimg img")
        assert with_picture.count() == cards.count(), "a card without a picture"
        assert page.locator(".product-card .monogram").count() == 0
        shoot(page, "customer-home")
        assert "Noto Emoji" in page.locator("footer").inner_text()

        page.locator(".cat-tile").first.click()
        page.locator(".product-card").first.wait_for()
        loaded(page, ".product-card .pimg img")
        shoot(page, "customer-category")
        page.get_by_role("button", name=re.compile(r"^Add .+ to cart$")).first.click()
        page.locator(".cart-bar").wait_for()

        page.locator(".product-card .pname").first.click()
        page.get_by_role("heading", level=1).wait_for()
        loaded(page, ".two-col .pimg img")
        shoot(page, "customer-product")

        page.goto(server.url + "/cart")
        page.get_by_label("Bill breakdown").wait_for()
        loaded(page, ".thumb .pimg img")
        shoot(page, "customer-cart")
        page.set_viewport_size(DESKTOP)
        page.goto(server.url + "/")
        loaded(page, ".product-card .pimg img")
    finally:
        ctx.close()
    assert len(pictures) >= 10, pictures
    for url in sorted(pictures)[:5]:
        r = httpx.get(url)
        assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
