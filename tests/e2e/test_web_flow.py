"""The whole quick-commerce loop in real browsers: a customer buys a basket while store staff
pick and pack it and a rider delivers it with the OTP the customer's screen shows; an admin
edits a price and the customer sees it. Screenshots of each main screen at phone and desktop sizes
land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import SCREENSHOTS, Server

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1440, "height": 900}
TIMEOUT = 30_000


def euros(cents: int) -> str:
    """The customer app's formatting of an amount (en-FI, no decimals for whole euros)."""
    whole, frac = divmod(cents, 100)
    return f"€{whole:,}" if frac == 0 else f"€{whole:,}.{frac:02d}"


def shoot(page: Any, name: str) -> None:
    """Saves the current screen at phone and desktop sizes, then restores the viewport."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for tag, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.wait_for_timeout(300)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{tag}.png"))
    page.set_viewport_size(original)


def api_login(server: Server, phone: str, password: str) -> dict[str, str]:
    res = httpx.post(f"{server.url}/api/v1/auth/login", json={"phone": phone, "password": password})
    res.raise_for_status()
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def sign_in(page: Any, server: Server, phone: str, password: str, next_path: str) -> None:
    page.goto(f"{server.url}/login?next={next_path}")
    page.get_by_label("Phone number").fill(phone)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(re.escape(next_path.split("?")[0]) + r"(\?.*)?$"))


def start_shopping(page: Any, server: Server, phone: str, password: str) -> None:
    """Signs in, delivers to the first saved address and waits for the home screen's products."""
    sign_in(page, server, phone, password, "/location")
    page.locator("button.choice").first.click()
    page.get_by_role("button", name="Start shopping").click()
    page.locator(".product-card").first.wait_for()


def served_address(server: Server, headers: dict[str, str]) -> tuple[dict[str, Any], str, str]:
    """The customer's first saved address that a store serves, with that store's id and name."""
    addresses = httpx.get(f"{server.url}/api/v1/me/addresses", headers=headers).json()["items"]
    for address in addresses:
        s = httpx.get(
            f"{server.url}/api/v1/serviceability",
            params={"lat": address["lat"], "lng": address["lng"]},
        ).json()
        if s["serviceable"]:
            return address, s["store"]["id"], s["store"]["name"]
    raise AssertionError("no saved demo address is served")


def test_customer_store_rider_and_admin_loop(fresh_server: Server, browser: Any) -> None:
    contexts: list[Any] = []
    try:
        _loop(fresh_server, browser, contexts)
    except Exception:
        # Leave evidence: what each browser showed when the step failed.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for i, ctx in enumerate(contexts):
            for j, page in enumerate(ctx.pages):
                page.screenshot(path=str(SCREENSHOTS / f"FAILED-{i}-{j}.png"), full_page=True)
        raise
    finally:
        for ctx in contexts:
            ctx.close()


def _loop(server: Server, browser: Any, contexts: list[Any]) -> None:
    customer_login = server.first("customer")
    customer_api = api_login(server, customer_login.phone, customer_login.password)
    address, store_id, store_name = served_address(server, customer_api)
    staff_login = server.first("store_staff", store_name)
    rider_login = server.first("rider", store_name)
    admin_login = server.first("admin")

    customer_ctx = browser.new_context(
        viewport=PHONE,
        geolocation={"latitude": address["lat"], "longitude": address["lng"]},
        permissions=["geolocation"],
    )
    staff_ctx = browser.new_context(viewport=DESKTOP)
    rider_ctx = browser.new_context(
        viewport=PHONE,
        geolocation={"latitude": address["lat"] + 0.002, "longitude": address["lng"]},
        permissions=["geolocation"],
    )
    admin_ctx = browser.new_context(viewport=DESKTOP)
    for ctx in (customer_ctx, staff_ctx, rider_ctx, admin_ctx):
        ctx.set_default_timeout(TIMEOUT)
        contexts.append(ctx)

    # Customer: location from a saved address. No rider is on shift yet in this city, so the
    # promise says so, with a longer time, rather than the riding time alone.
    shop = customer_ctx.new_page()
    shop.goto(server.url + "/")
    shoot(shop, "customer-welcome")
    sign_in(shop, server, customer_login.phone, customer_login.password, "/location")
    saved = (
        shop.get_by_role("region", name="Saved addresses")
        .get_by_role("button", name=re.compile(re.escape(address["label"])))
        .first
    )
    saved.click()
    promise = shop.get_by_role("status").filter(has_text=f"{store_name} delivers here")
    promise.wait_for()
    assert re.search(r"in \d+\u2013\d+ minutes: we are finding a rider", promise.inner_text()), (
        promise.inner_text()
    )

    # The rider starts a shift, so the packed order has someone to go to, and the promise is
    # the riding time again.
    rider = rider_ctx.new_page()
    sign_in(rider, server, rider_login.phone, rider_login.password, "/rider")
    rider.get_by_role("switch", name="Online for deliveries").click()
    rider.get_by_text("You are online").wait_for()
    shoot(rider, "rider-waiting")
    saved.click()
    promise.filter(has_text=re.compile(r"delivers here in about \d+ minutes\.")).wait_for()
    assert "finding a rider" not in promise.inner_text()
    shoot(shop, "customer-location")

    # Browse, search, cart, checkout by card.
    shop.get_by_role("button", name="Start shopping").click()
    shop.get_by_role("heading", name="Shop by category").wait_for()
    shop.locator(".product-card").first.wait_for()
    shoot(shop, "customer-home")

    shop.locator(".cat-tile").first.click()
    shop.locator(".product-card").first.wait_for()
    shoot(shop, "customer-category")

    shop.get_by_label("Search products").fill("milk")
    results = shop.get_by_text(re.compile(r"\d+ results for"))
    results.wait_for()
    # The suggestions list lies over the results on a phone (a click there picks a suggestion):
    # once it is open, Escape closes it and keeps the words.
    suggestions = shop.get_by_role("listbox", name="Suggestions")
    suggestions.get_by_role("option").first.wait_for()
    shop.keyboard.press("Escape")
    suggestions.wait_for(state="hidden")
    assert shop.get_by_label("Search products").input_value() == "milk"
    add_buttons = shop.get_by_role("button", name=re.compile(r"^Add .+ to cart$"))
    add_buttons.first.wait_for()
    added = 0
    while added < 2 and add_buttons.count() > 0:
        add_buttons.first.click()
        added += 1
        shop.locator(".cart-bar").wait_for()
        shop.wait_for_timeout(300)
    assert added == 2
    shoot(shop, "customer-search")

    shop.locator(".product-card .pname").first.click()
    shop.get_by_role("heading", level=1).wait_for()
    shoot(shop, "customer-product")

    shop.goto(server.url + "/cart")
    shop.get_by_label("Bill breakdown").wait_for()
    shoot(shop, "customer-cart")
    shop.get_by_role("button", name="Proceed to checkout").click()
    shop.get_by_role("heading", name="Checkout").wait_for()
    shop.get_by_role("button", name=euros(2000)).click()  # a tip
    shoot(shop, "customer-checkout")
    shop.get_by_role("button", name=re.compile(r"^Pay ")).click()
    shop.wait_for_url(re.compile(r"/orders/[^/]+$"))
    otp = shop.get_by_test_id("delivery-otp").inner_text().strip()
    assert re.fullmatch(r"\d{4,8}", otp), otp
    number = shop.get_by_role("heading", level=1).inner_text().split("#")[-1].strip()
    shoot(shop, "customer-order")

    # Store staff: the order is on the queue; pick every line in aisle order; packed.
    staff = staff_ctx.new_page()
    sign_in(staff, server, staff_login.phone, staff_login.password, "/store")
    staff.get_by_role("listitem").filter(has_text=f"#{number}").click()
    staff.get_by_role("button", name="Start picking").click()
    boxes = staff.get_by_role("checkbox", name=re.compile("^Picked "))
    boxes.first.wait_for()
    staff.wait_for_function(
        "() => [...document.querySelectorAll('.pick-row input')].every(b => !b.disabled)"
    )
    for i in range(boxes.count()):
        boxes.nth(i).check()
    shoot(staff, "store-picklist")
    staff.get_by_role("button", name="Packed — hand to rider").click()
    # The packed order leaves the "to pack" queue at the next refresh, so the page may show the
    # confirmation toast, the emptied detail, or the empty queue: any of them means it is packed.
    staff.get_by_text(
        re.compile(r"packed — handing over to a rider|Nothing to do for this order\.|All caught up")
    ).first.wait_for()

    # Rider: the delivery arrives; picked up; the customer's OTP completes it.
    rider.get_by_role("button", name="Picked up").click(timeout=60_000)
    rider.get_by_label("Customer's delivery code").wait_for()
    shoot(rider, "rider-task")
    rider.get_by_label("Customer's delivery code").fill(otp)
    rider.get_by_role("button", name="Complete delivery").click()
    rider.get_by_text("Waiting for the next order").wait_for()

    shop.get_by_text("Delivered. Enjoy your groceries!").wait_for(timeout=60_000)
    shoot(shop, "customer-delivered")
    shop.goto(server.url + "/orders")
    shop.get_by_role("article", name=f"Order {number}").wait_for()
    shoot(shop, "customer-orders")
    shop.goto(server.url + "/account")
    shop.get_by_role("heading", name="Addresses").wait_for()
    shoot(shop, "customer-account")

    # Admin: screens, then a store price edit that the customer sees.
    admin = admin_ctx.new_page()
    sign_in(admin, server, admin_login.phone, admin_login.password, "/admin")
    admin.get_by_text("On-time deliveries").wait_for()
    shoot(admin, "admin-dashboard")
    for section, heading in (
        ("orders", "Orders"),
        ("catalog", "Catalog"),
        ("stores", "Dark stores"),
        ("riders", "Riders"),
        ("map", "City view"),
        ("pricing", "Coupons and fees"),
    ):
        admin.goto(f"{server.url}/admin/{section}")
        admin.get_by_role("heading", name=heading, exact=True).wait_for()
        admin.wait_for_timeout(500)
        shoot(admin, f"admin-{section}")

    admin.goto(f"{server.url}/admin/orders")
    admin.get_by_role("button", name=f"Open order {number}").click()
    admin.get_by_role("dialog").get_by_text("Delivered").first.wait_for()
    shoot(admin, "admin-order-detail")
    admin.keyboard.press("Escape")

    products = httpx.get(
        f"{server.url}/api/v1/stores/{store_id}/products", params={"limit": 50}
    ).json()["items"]
    product = next(p for p in products if p["in_stock"] and p["price"] > 200)
    new_price = product["price"] - 100

    admin.goto(f"{server.url}/admin/stock")
    admin.get_by_label("Store", exact=True).select_option(store_id)
    admin.get_by_label("Filter").fill(product["name"])
    price_input = admin.get_by_label(f"Store price for {product['name']} in €").first
    price_input.fill(f"{new_price / 100:.2f}")
    shoot(admin, "admin-stock")
    admin.get_by_role("button", name=re.compile(r"^Save 1 change")).click()
    admin.get_by_text(re.compile(r"1 row saved")).wait_for()

    shop.goto(f"{server.url}/p/{product['id']}")
    shop.get_by_role("heading", name=product["name"]).wait_for()
    shop.get_by_text(euros(new_price), exact=True).first.wait_for()
    shoot(shop, "customer-product-repriced")
