"""Substitutions across two browsers: a picker offers a substitute, the customer approves it on
the order page as it arrives, and both see the new total; another line the store has none of is
left out, and the customer reads the refund in words."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import httpx
import pytest

from .conftest import SCREENSHOTS, Server
from .test_live_tracking import _wait
from .test_web_flow import DESKTOP, PHONE, TIMEOUT, api_login, euros, served_address, sign_in

pytestmark = pytest.mark.e2e


def _basket(server: Server, store_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two in-stock products of one category that has a third in stock to substitute."""
    products = httpx.get(
        f"{server.url}/api/v1/stores/{store_id}/products", params={"limit": 100}
    ).json()["items"]
    in_stock = [p for p in products if p["in_stock"] and p["max_quantity"] >= 1]
    # names the screens can tell apart: a name no other product of the store carries
    names = Counter(p["name"] for p in products)
    distinct = [p for p in in_stock if names[p["name"]] == 1]
    kinds = Counter(p["category_id"] for p in distinct)
    category = next(c for c, n in kinds.most_common() if n >= 3)
    first, second = [p for p in distinct if p["category_id"] == category][:2]
    return first, second


def _order(server: Server, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{server.url}/api/v1/orders/{order_id}", headers=headers)
    answer.raise_for_status()
    return dict(answer.json())


def paid_order_watched(
    server: Server,
    browser: Any,
    contexts: list[Any],
    *,
    customer_login: Any,
    staff_login: Any,
    address_id: str,
    store_id: str,
    products: list[dict[str, Any]],
    key: str,
) -> tuple[dict[str, Any], dict[str, Any], Any, Any]:
    """A card order of one of each of ``products``, paid and confirmed, then the store's queue
    open on a desktop and the order's page on the customer's phone: (the order as placed, as
    confirmed, the staff page, the customer page)."""
    customer_api = api_login(server, customer_login.phone, customer_login.password)
    httpx.delete(f"{server.url}/api/v1/cart", headers=customer_api)
    for product in products:
        httpx.put(
            f"{server.url}/api/v1/cart/items/{product['id']}",
            json={"quantity": 1, "store_id": store_id},
            headers=customer_api,
        ).raise_for_status()
    placed = httpx.post(
        f"{server.url}/api/v1/orders",
        json={"address_id": address_id, "payment_method": "card"},
        headers={**customer_api, "Idempotency-Key": f"{key}-{time.time()}"},
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    paid = httpx.post(
        f"{server.url}/api/v1/payments/{order['payment']['id']}/confirm",
        json={"card_number": "4242424242424242"},
        headers=customer_api,
    )
    assert paid.json()["status"] == "succeeded", paid.text
    _wait(
        lambda: _order(server, customer_api, order["id"])["status"] == "confirmed",
        "the order to be confirmed",
    )
    before = _order(server, customer_api, order["id"])

    staff_ctx = browser.new_context(viewport=DESKTOP)
    customer_ctx = browser.new_context(viewport=PHONE)
    for ctx in (staff_ctx, customer_ctx):
        ctx.set_default_timeout(TIMEOUT)
        contexts.append(ctx)
    staff = staff_ctx.new_page()
    sign_in(staff, server, staff_login.phone, staff_login.password, "/store")
    customer = customer_ctx.new_page()
    sign_in(
        customer, server, customer_login.phone, customer_login.password, f"/orders/{order['id']}"
    )
    customer.get_by_role("heading", name=f"Order #{order['number']}").wait_for()
    return order, before, staff, customer


def test_staff_substitutes_and_leaves_out_while_the_customer_watches(
    server: Server, browser: Any
) -> None:
    contexts: list[Any] = []
    try:
        _flow(server, browser, contexts)
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for i, ctx in enumerate(contexts):
            for j, page in enumerate(ctx.pages):
                page.screenshot(path=str(SCREENSHOTS / f"FAILED-subs-{i}-{j}.png"), full_page=True)
        raise
    finally:
        for ctx in contexts:
            ctx.close()


def _flow(server: Server, browser: Any, contexts: list[Any]) -> None:
    customer_login = server.first("customer")
    customer_api = api_login(server, customer_login.phone, customer_login.password)
    address, store_id, store_name = served_address(server, customer_api)
    staff_login = server.first("store_staff", store_name)
    swapped, left_out = _basket(server, store_id)

    # The customer's order: two lines, paid by card.
    order, before, staff, customer = paid_order_watched(
        server,
        browser,
        contexts,
        customer_login=customer_login,
        staff_login=staff_login,
        address_id=address["id"],
        store_id=store_id,
        products=[swapped, left_out],
        key="subs-e2e",
    )

    # The picker starts, cannot find the first product and offers the first candidate.
    staff.locator(".queue-item").filter(has_text=f"#{order['number']}").click()
    staff.get_by_role("heading", name=f"Order #{order['number']}").wait_for()
    staff.get_by_role("button", name="Start picking").click()
    staff.get_by_role("button", name=f"Can't find {swapped['name']}").click()
    candidates = staff.get_by_role("list", name=f"Substitutes for {swapped['name']}")
    first = candidates.get_by_role("listitem").first
    substitute_name = first.locator("strong").first.inner_text()
    first.get_by_role("button", name=f"Offer {substitute_name}").click()
    staff.get_by_test_id("waiting-for-customer").wait_for()
    staff.get_by_role("button", name="Waiting for the customer's answer").wait_for()

    # The customer's page shows it live, with its countdown; they approve.
    customer.get_by_role("heading", name=f"A substitute for {swapped['name']}").wait_for()
    assert "Answer within" in customer.get_by_role("timer").inner_text()
    customer.get_by_role("button", name="Approve", exact=True).click()
    customer.get_by_test_id("order-changed").filter(
        has_text=f"{swapped['name']} was replaced by {substitute_name}."
    ).wait_for()
    approved = _order(server, customer_api, order["id"])
    assert approved["total"] <= before["total"]
    customer.get_by_test_id("order-total").filter(has_text=euros(approved["total"])).wait_for()

    # The picker sees the answer arrive: the substitute is on the list, nothing waits.
    staff.get_by_role(
        "checkbox", name=f"Picked 1 \N{MULTIPLICATION SIGN} {substitute_name}"
    ).wait_for()
    assert staff.get_by_test_id("waiting-for-customer").count() == 0
    staff.locator(".queue-item").filter(has_text=f"#{order['number']}").filter(
        has_text=euros(approved["total"])
    ).wait_for()
    staff.screenshot(path=str(SCREENSHOTS / "store-substitute-approved.png"))

    # The second line: none in stock.
    staff.get_by_role("button", name=f"Can't find {left_out['name']}").click()
    staff.get_by_role("button", name="None in stock — leave it out").click()
    staff.get_by_text("out of stock — left out").wait_for()

    after = _wait(
        lambda: (
            (o := _order(server, customer_api, order["id"]))["payment"]["refunded"]
            >= left_out["price"]
            and o
        ),
        "the refund",
    )
    assert after["total"] == before["total"] - after["payment"]["refunded"]
    words = customer.get_by_test_id("order-changed")
    words.filter(has_text=f"{left_out['name']} was out of stock and left out").wait_for()
    words.filter(
        has_text=(
            f"Your new total is {euros(after['total'])};"
            f" {euros(after['payment']['refunded'])} is refunded to your card."
        )
    ).wait_for()
    customer.get_by_test_id("refunded").filter(
        has_text=euros(after["payment"]["refunded"])
    ).wait_for()
    customer.screenshot(path=str(SCREENSHOTS / "customer-substitution-refund.png"), full_page=True)
    staff.locator(".queue-item").filter(has_text=f"#{order['number']}").filter(
        has_text=euros(after["total"])
    ).wait_for()

    # Everything picked: packed, and the auditor finds the money adding up.
    for box in staff.get_by_role("checkbox", name="Picked", exact=False).all():
        if box.is_enabled() and not box.is_checked():
            box.check()
    staff.get_by_role("button", name="Packed — hand to rider").click()
    admin_login = server.first("admin")
    admin = api_login(server, admin_login.phone, admin_login.password)
    report = _wait(
        lambda: (
            (r := httpx.get(f"{server.url}/api/v1/admin/audit", headers=admin).json())["ok"] and r
        ),
        "the auditor to find the money adding up",
    )
    assert report["breaches"] == []
