"""Cash on delivery across browsers, from the order to the settlement: a customer orders with
cash on their phone, the store packs it, the rider delivers and records the cash handed over
with change on theirs, an admin sees the rider holding that cash on the settlement screen and
settles it, the rider's cash in hand goes to zero, and the customer's receipt shows the cash
paid and the change. What one person enters is checked in the other's browser."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import SCREENSHOTS, Server, people
from .test_live_tracking import _wait
from .test_web_flow import DESKTOP, PHONE, TIMEOUT, api_login, euros, served_address, sign_in

pytestmark = pytest.mark.e2e


def test_cash_collected_with_change_is_settled_and_on_the_receipt(
    fresh_server: Server, browser: Any
) -> None:
    with people("cash") as contexts:
        _flow(fresh_server, browser, contexts)


def _flow(server: Server, browser: Any, contexts: list[Any]) -> None:
    customer_login = server.first("customer")
    customer_api = api_login(server, customer_login.phone, customer_login.password)
    address, _store_id, store_name = served_address(server, customer_api)
    staff_login = server.first("store_staff", store_name)
    rider_login = server.first("rider", store_name)
    admin_login = server.first("admin")
    httpx.delete(f"{server.url}/api/v1/cart", headers=customer_api)
    rider_api = api_login(server, rider_login.phone, rider_login.password)
    # The demo city's riders have settled days behind them: what this order adds counts.
    start = httpx.get(f"{server.url}/api/v1/rider/cash", headers=rider_api).json()
    assert start["cash_held"] == 0, start

    customer_ctx = browser.new_context(
        viewport=PHONE,
        geolocation={"latitude": address["lat"], "longitude": address["lng"]},
        permissions=["geolocation"],
    )
    rider_ctx = browser.new_context(
        viewport=PHONE,
        geolocation={"latitude": address["lat"] + 0.002, "longitude": address["lng"]},
        permissions=["geolocation"],
    )
    admin_ctx = browser.new_context(viewport=DESKTOP)
    for ctx in (customer_ctx, rider_ctx, admin_ctx):
        ctx.set_default_timeout(TIMEOUT)
        contexts.append(ctx)

    # The rider goes on shift, holding no cash yet.
    rider = rider_ctx.new_page()
    sign_in(rider, server, rider_login.phone, rider_login.password, "/rider")
    rider.get_by_role("switch", name="Online for deliveries").click()
    rider.get_by_text("You are online").wait_for()
    rider.get_by_test_id("cash-held").filter(has_text=euros(0)).wait_for()

    # The customer shops on their phone and orders with cash on delivery.
    shop = customer_ctx.new_page()
    sign_in(shop, server, customer_login.phone, customer_login.password, "/location")
    shop.get_by_role("region", name="Saved addresses").get_by_role(
        "button", name=re.compile(re.escape(address["label"]))
    ).first.click()
    shop.get_by_role("status").filter(has_text=f"{store_name} delivers here").wait_for()
    shop.get_by_role("button", name="Start shopping").click()
    shop.locator(".product-card").first.wait_for()
    shop.get_by_role("button", name=re.compile(r"^Add .+ to cart$")).first.click()
    shop.locator(".cart-bar").wait_for()
    shop.goto(server.url + "/cart")
    shop.get_by_role("button", name="Proceed to checkout").click()
    shop.get_by_role("heading", name="Checkout").wait_for()
    shop.get_by_role("radio", name="Cash on delivery").check()
    shop.get_by_role("button", name="Place order").click()
    shop.wait_for_url(re.compile(r"/orders/[^/]+$"))
    order_id = shop.url.rstrip("/").split("/")[-1]
    otp = shop.get_by_test_id("delivery-otp").inner_text().strip()
    order = httpx.get(f"{server.url}/api/v1/orders/{order_id}", headers=customer_api).json()
    assert order["payment_method"] == "cod" and order["status"] == "confirmed", order
    due = order["total"]
    shop.get_by_test_id("order-total").filter(has_text=euros(due)).wait_for()
    shop.get_by_test_id("payment-summary").filter(has_text="pay the rider").wait_for()

    # The store packs it: the queue shows the order as the customer placed it, cash to collect.
    staff_ctx = browser.new_context(viewport=DESKTOP)
    staff_ctx.set_default_timeout(TIMEOUT)
    contexts.append(staff_ctx)
    staff = staff_ctx.new_page()
    sign_in(staff, server, staff_login.phone, staff_login.password, "/store")
    queued = staff.get_by_role("listitem").filter(has_text=f"#{order['number']}")
    queued.filter(has_text=euros(due)).wait_for()
    queued.click()
    staff.get_by_role("button", name="Start picking").click()
    boxes = staff.get_by_role("checkbox", name=re.compile("^Picked "))
    boxes.first.wait_for()
    staff.wait_for_function(
        "() => [...document.querySelectorAll('.pick-row input')].every(b => !b.disabled)"
    )
    for i in range(boxes.count()):
        boxes.nth(i).check()
    staff.get_by_role("button", name="Packed — hand to rider").click()
    _wait(
        lambda: (
            httpx.get(f"{server.url}/api/v1/orders/{order_id}", headers=customer_api).json()[
                "status"
            ]
            == "packed"
        ),
        "the order to be packed",
    )

    # The rider picks it up and hands it over: a larger note, and change.
    tendered = (due // 5_000 + 1) * 5_000
    change = tendered - due
    task = rider.get_by_role("article", name=f"Delivery for order {order['number']}")
    task.get_by_role("button", name="Picked up").click(timeout=60_000)
    task.get_by_text(f"Cash due: {euros(due)}").wait_for()
    task.get_by_label("Customer's delivery code").fill(otp)
    task.get_by_label("Cash received").fill(f"{tendered / 100:.2f}")
    task.get_by_test_id("change-due").filter(has_text=f"Give {euros(change)} change.").wait_for()
    rider.screenshot(path=str(SCREENSHOTS / "rider-cash-change.png"))
    task.get_by_role("button", name="Complete delivery").click()
    rider.get_by_text("Waiting for the next order").wait_for()
    rider.get_by_test_id("cash-held").filter(has_text=euros(due)).wait_for()

    # The admin's settlement screen: the rider holds that cash, tendered and change as the
    # rider typed them.
    admin = admin_ctx.new_page()
    sign_in(admin, server, admin_login.phone, admin_login.password, "/admin/cash")
    admin.get_by_role("heading", name="Cash on delivery").wait_for()
    holder = admin.get_by_role("row").filter(has_text=rider_login.name)
    holder.filter(has_text=euros(due)).wait_for()
    admin.get_by_test_id("cash-total").filter(has_text=euros(due)).wait_for()
    admin.get_by_role("button", name=f"Ledger of {rider_login.name}").click()
    admin.get_by_test_id("ledger-held").filter(has_text=f"Holds {euros(due)}").wait_for()
    admin.get_by_role("row").filter(
        has_text=f"Tendered {euros(tendered)}, change {euros(change)}"
    ).wait_for()
    assert admin.get_by_label("Amount deposited").input_value() == f"{due / 100:.2f}"
    admin.screenshot(path=str(SCREENSHOTS / "admin-cash-before-settle.png"))
    admin.get_by_role("button", name="Settle", exact=True).click()
    admin.get_by_text(f"Settled {euros(due)}; {euros(0)} still held").wait_for()
    admin.get_by_text("Nothing held: all settled.").wait_for()
    admin.get_by_test_id("ledger-held").filter(has_text=f"Holds {euros(0)}").wait_for()
    admin.get_by_test_id("cash-total").filter(has_text=euros(0)).wait_for()

    # The rider's own screen: nothing held any more.
    rider.reload()
    rider.get_by_test_id("cash-held").filter(has_text=euros(0)).wait_for()
    ledger = httpx.get(f"{server.url}/api/v1/rider/cash", headers=rider_api).json()
    assert (
        ledger["cash_held"],
        ledger["collected_total"] - start["collected_total"],
        ledger["settled_total"] - start["settled_total"],
    ) == (0, due, due)
    [settled, collected] = ledger["items"][:2]
    assert (collected["kind"], collected["order_id"], collected["amount"]) == (
        "collected",
        order_id,
        due,
    )
    assert (collected["tendered"], collected["change"]) == (tendered, change)
    assert (settled["kind"], settled["amount"], settled["held_after"]) == ("settled", -due, 0)

    # The customer: delivered, and the receipt shows the cash paid and the change.
    shop.get_by_text("Delivered. Enjoy your groceries!").wait_for(timeout=60_000)
    shop.get_by_role("link", name="View receipt").click()
    shop.wait_for_url(re.compile(rf"/orders/{order_id}/receipt$"))
    shop.get_by_role("heading", name=f"Receipt · Order #{order['number']}").wait_for()
    shop.get_by_test_id("receipt-total").filter(has_text=euros(due)).wait_for()
    assert "Cash paid" in shop.get_by_test_id("receipt-payment").inner_text()
    assert euros(due) in shop.get_by_test_id("receipt-payment").inner_text()
    shop.get_by_test_id("receipt-cash-tendered").filter(has_text=euros(tendered)).wait_for()
    shop.get_by_test_id("receipt-change").filter(has_text=euros(change)).wait_for()
    shop.get_by_test_id("receipt-change").filter(has_text=f"by {rider_login.name}").wait_for()
    shop.get_by_test_id("receipt-net-paid").filter(has_text=euros(due)).wait_for()
    assert shop.get_by_test_id("receipt-balance-due").count() == 0
    # On a phone the slip fits the screen: nothing scrolls sideways.
    assert shop.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shop.screenshot(path=str(SCREENSHOTS / "customer-receipt-cash-phone.png"), full_page=True)
    # Printed, the receipt stands alone: no app bars.
    shop.emulate_media(media="print")
    assert not shop.locator(".tabbar").is_visible()
    assert not shop.get_by_role("button", name="Print").is_visible()
    shop.emulate_media(media="screen")

    receipt = httpx.get(
        f"{server.url}/api/v1/orders/{order_id}/receipt", headers=customer_api
    ).json()
    assert receipt["cash"]["tendered"] - receipt["cash"]["change"] == receipt["net_paid"] == due
    admin_api = api_login(server, admin_login.phone, admin_login.password)
    report = _wait(
        lambda: (
            (r := httpx.get(f"{server.url}/api/v1/admin/audit", headers=admin_api).json())["ok"]
            and r
        ),
        "the auditor to find the money adding up",
    )
    assert report["breaches"] == []
