"""An admin's coupons and fee rules, made on screen, reach a customer's bill exactly: a percent
coupon with a cap (capped and under its cap), a flat coupon in euros and cents, and changed
handling, delivery and small-cart fees, on the cart screen and in the placed order's total.
(The late-night and high-demand fees take the same amount field; when they apply is tested in
tests/orders/test_pricing.py.)"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import SCREENSHOTS, Server
from .test_web_flow import DESKTOP, PHONE, TIMEOUT, api_login, euros, served_address, sign_in

pytestmark = pytest.mark.e2e

# The fees the admin sets on screen, in cents: (code, label, amount).
FEES = (
    ("handling", "Handling fee", 750),
    ("delivery", "Delivery fee", 315),
    ("small_cart", "Small cart fee", 125),
)
HANDLING = FEES[0][2]


def test_admin_coupons_and_fee_reach_the_customers_bill(server: Server, browser: Any) -> None:
    contexts: list[Any] = []
    admin_login = server.first("admin")
    admin_api = api_login(server, admin_login.phone, admin_login.password)
    defaults = {
        r["code"]: r["amount"]
        for r in httpx.get(f"{server.url}/api/v1/admin/fee-rules", headers=admin_api).json()[
            "items"
        ]
    }
    try:
        _admin_sets_prices(server, browser, contexts)
        _customer_sees_them(server, browser, contexts)
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for i, ctx in enumerate(contexts):
            for j, page in enumerate(ctx.pages):
                page.screenshot(path=str(SCREENSHOTS / f"FAILED-pricing-{i}-{j}.png"))
        raise
    finally:
        for ctx in contexts:
            ctx.close()
        for code, _, _ in FEES:
            httpx.patch(
                f"{server.url}/api/v1/admin/fee-rules/{code}",
                json={"amount": defaults[code]},
                headers=admin_api,
            ).raise_for_status()


def _admin_sets_prices(server: Server, browser: Any, contexts: list[Any]) -> None:
    admin_login = server.first("admin")
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.set_default_timeout(TIMEOUT)
    contexts.append(ctx)
    admin = ctx.new_page()
    sign_in(admin, server, admin_login.phone, admin_login.password, "/admin/pricing")
    admin.get_by_role("heading", name="Coupons and fees", exact=True).wait_for()

    _create_coupon(
        admin, "HALF100", "percent", {"Percent off (%)": "50", "Maximum discount (€)": "100"}
    )
    admin.get_by_role("row").filter(has_text="HALF100").get_by_text(
        "50% off up to €100", exact=True
    ).wait_for()
    _create_coupon(admin, "FLAT25", "flat", {"Amount off (€)": "25.50"})
    admin.get_by_role("row").filter(has_text="FLAT25").get_by_text(
        "€25.50 off", exact=True
    ).wait_for()

    for _, label, amount in FEES:
        admin.get_by_label(f"Amount of {label} in €").fill(f"{amount / 100:.2f}")
        admin.get_by_role("row").filter(has_text=label).get_by_role("button", name="Save").click()
        admin.get_by_text(f"{label} saved").wait_for()
    admin.screenshot(path=str(SCREENSHOTS / "admin-pricing-created.png"))


def _create_coupon(admin: Any, code: str, kind: str, fields: dict[str, str]) -> None:
    admin.get_by_role("button", name="New coupon").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Code").fill(code)
    dialog.get_by_label("Kind").select_option(kind)
    for label, value in {**fields, "Minimum cart (€)": "0"}.items():
        dialog.get_by_label(label).fill(value)
    dialog.get_by_role("button", name="Create coupon").click()


def _bill_row(page: Any, label: str) -> Any:
    return page.get_by_label("Bill breakdown").locator(".bill-row").filter(has_text=label)


def _expect_bill(page: Any, cart: dict[str, Any], discount: int) -> None:
    """The bill on screen shows the API's fees, exactly ``discount`` off, and what that makes."""
    fees = sum(f["amount"] for f in cart["fees"])
    assert cart["discount"] == discount, cart
    assert cart["total"] == cart["subtotal"] + fees - discount, cart
    bill = page.get_by_label("Bill breakdown")
    bill.locator(".bill-row").filter(has_text="Coupon discount").get_by_text(
        f"\N{MINUS SIGN}{euros(discount)}", exact=True
    ).wait_for()
    bill.locator(".bill-row.total").get_by_text(euros(cart["total"]), exact=True).wait_for()
    charged = {f["code"] for f in cart["fees"]}
    for code, label, amount in FEES:
        if code in charged:
            assert _bill_row(page, label).locator("dd").inner_text() == euros(amount), label
    assert "handling" in charged


def _customer_sees_them(server: Server, browser: Any, contexts: list[Any]) -> None:
    login = [x for x in server.logins if x.role == "customer"][-1]
    headers = api_login(server, login.phone, login.password)
    address, store_id, _ = served_address(server, headers)
    products = httpx.get(
        f"{server.url}/api/v1/stores/{store_id}/products", params={"limit": 100}
    ).json()["items"]
    httpx.delete(f"{server.url}/api/v1/cart", headers=headers)

    def put(product: dict[str, Any], quantity: int) -> dict[str, Any]:
        r = httpx.put(
            f"{server.url}/api/v1/cart/items/{product['id']}",
            json={"quantity": quantity, "store_id": store_id},
            headers=headers,
        )
        r.raise_for_status()
        cart: dict[str, Any] = r.json()
        return cart

    # A basket over €200, so 50% runs into the €100 cap.
    stocked = [p for p in products if p["in_stock"] and p["max_quantity"] >= 2]
    cart: dict[str, Any] = {"subtotal": 0}
    for product in stocked:
        if cart["subtotal"] > 25_000:
            break
        cart = put(product, 2)
    assert cart["subtotal"] > 25_000, cart

    ctx = browser.new_context(viewport=PHONE)
    ctx.set_default_timeout(TIMEOUT)
    contexts.append(ctx)
    shop = ctx.new_page()
    sign_in(shop, server, login.phone, login.password, "/cart")
    shop.get_by_label("Bill breakdown").wait_for()
    shop.get_by_label("Coupon code").fill("half100")
    shop.get_by_role("button", name="Apply").click()
    shop.get_by_text("Saved €100 with HALF100").wait_for()
    cart = httpx.get(f"{server.url}/api/v1/cart", headers=headers).json()
    _expect_bill(shop, cart, 10_000)

    # Under the cap: exactly half of a small basket, which pays the delivery and small-cart fees.
    for item in cart["items"]:
        put({"id": item["product_id"]}, 0)
    cheap = next(p for p in stocked if 200 <= p["price"] < 1_000)
    cart = put(cheap, 1)
    shop.reload()
    half = (cheap["price"] + 1) // 2
    cart = httpx.get(f"{server.url}/api/v1/cart", headers=headers).json()
    charged = {(f["code"], f["amount"]) for f in cart["fees"]}
    assert charged >= {(code, amount) for code, _, amount in FEES}, cart["fees"]
    _expect_bill(shop, cart, half)

    # The flat coupon, on a basket worth more than it.
    put(cheap, 0)
    cart = put(next(p for p in stocked if 3_000 <= p["price"] < 20_000), 1)
    shop.reload()
    shop.get_by_role("button", name="Remove", exact=True).click()
    shop.get_by_label("Coupon code").fill("FLAT25")
    shop.get_by_role("button", name="Apply").click()
    shop.get_by_text("Saved €25.50 with FLAT25").wait_for()
    cart = httpx.get(f"{server.url}/api/v1/cart", headers=headers).json()
    _expect_bill(shop, cart, 2_550)
    shop.screenshot(path=str(SCREENSHOTS / "customer-cart-coupon.png"))

    shop.get_by_role("button", name="Proceed to checkout").click()
    shop.get_by_role("heading", name="Checkout").wait_for()
    shop.get_by_role("radio", name=re.compile(re.escape(address["label"]))).first.check()
    shop.get_by_role("radio", name="Cash on delivery").check()
    _expect_bill(shop, cart, 2_550)
    shop.get_by_role("button", name="Place order").click()
    shop.wait_for_url(re.compile(r"/orders/[^/]+$"))
    order_id = shop.url.rstrip("/").split("/")[-1]
    order = httpx.get(f"{server.url}/api/v1/orders/{order_id}", headers=headers).json()
    assert order["discount"] == 2_550 and order["coupon_code"] == "FLAT25", order
    assert order["total"] == cart["total"], (order, cart)
    assert {f["code"]: f["amount"] for f in order["fees"]}["handling"] == HANDLING
