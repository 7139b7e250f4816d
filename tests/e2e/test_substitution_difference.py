"""A dearer substitute on a card order, across two browsers: the picker offers it, the customer
agrees to the store's price and pays the difference on the order page (the sandbox's card), the
substitute joins the order at that price, and the auditor finds the money adding up."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from .conftest import SCREENSHOTS, Server
from .test_live_tracking import _wait
from .test_substitution_flow import _order, paid_order_watched
from .test_web_flow import api_login, euros, served_address

pytestmark = pytest.mark.e2e


def _cheaper_of_two(server: Server, store_id: str) -> dict[str, Any]:
    """An in-stock product whose category has a dearer one in stock too."""
    products = httpx.get(
        f"{server.url}/api/v1/stores/{store_id}/products", params={"limit": 100}
    ).json()["items"]
    names = Counter(p["name"] for p in products)
    in_stock = [p for p in products if p["in_stock"] and names[p["name"]] == 1]
    by_category: dict[str, list[dict[str, Any]]] = {}
    for p in in_stock:
        by_category.setdefault(p["category_id"], []).append(p)
    for group in by_category.values():
        prices = sorted({p["price"] for p in group})
        if len(prices) >= 2:
            return next(p for p in group if p["price"] == prices[0])
    raise AssertionError("the demo city has no category with two prices in stock")


def test_a_dearer_substitute_paid_by_card_on_the_order_page(server: Server, browser: Any) -> None:
    contexts: list[Any] = []
    try:
        _flow(server, browser, contexts)
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for i, ctx in enumerate(contexts):
            for j, page in enumerate(ctx.pages):
                page.screenshot(
                    path=str(SCREENSHOTS / f"FAILED-difference-{i}-{j}.png"), full_page=True
                )
        raise
    finally:
        for ctx in contexts:
            ctx.close()


def _flow(server: Server, browser: Any, contexts: list[Any]) -> None:
    customer_login = server.first("customer")
    customer_api = api_login(server, customer_login.phone, customer_login.password)
    address, store_id, store_name = served_address(server, customer_api)
    staff_login = server.first("store_staff", store_name)
    staff_api = api_login(server, staff_login.phone, staff_login.password)
    wanted = _cheaper_of_two(server, store_id)

    order, before, staff, customer = paid_order_watched(
        server,
        browser,
        contexts,
        customer_login=customer_login,
        staff_login=staff_login,
        address_id=address["id"],
        store_id=store_id,
        products=[wanted],
        key="difference-e2e",
    )

    # The picker cannot find it and offers a dearer one of the same category.
    staff.locator(".queue-item").filter(has_text=f"#{order['number']}").click()
    staff.get_by_role("button", name="Start picking").click()
    staff.get_by_role("button", name=f"Can't find {wanted['name']}").click()
    line_id = before["items"][0]["id"]
    candidates = httpx.get(
        f"{server.url}/api/v1/store-ops/orders/{order['id']}/lines/{line_id}/substitutes",
        headers=staff_api,
    ).json()["items"]
    dearer = next(c for c in candidates if c["dearer"])
    listed = staff.get_by_role("list", name=f"Substitutes for {wanted['name']}")
    listed.get_by_role("button", name=f"Offer {dearer['name']}").click()
    staff.get_by_test_id("waiting-for-customer").wait_for()

    # The customer agrees to the store's price and pays the difference by card.
    customer.get_by_role("heading", name=f"A substitute for {wanted['name']}").wait_for()
    customer.get_by_role("button", name=f"Approve at {euros(dearer['price'])}").click()
    panel = customer.get_by_test_id("difference-payment")
    panel.wait_for()
    offer = _order(server, customer_api, order["id"])["substitutions"][0]
    difference = offer["difference_payment"]
    assert difference["status"] == "pending" and difference["method"] == "card"
    assert difference["amount"] == dearer["price"] - wanted["price"]
    assert panel.get_by_label("Card number").input_value() == "4242424242424242"
    customer.screenshot(path=str(SCREENSHOTS / "customer-difference-payment.png"), full_page=True)
    panel.get_by_role("button", name=f"Pay {euros(difference['amount'])}").click()

    after = _wait(
        lambda: (
            (o := _order(server, customer_api, order["id"]))["substitutions"][0]["status"]
            == "approved"
            and o
        ),
        "the substitute to be approved once its difference is paid",
    )
    assert after["total"] == before["total"] + difference["amount"]
    assert after["substitutions"][0]["paid_difference"] is True
    customer.get_by_test_id("order-changed").filter(
        has_text=f"{wanted['name']} was replaced by {dearer['name']}."
    ).wait_for()
    customer.get_by_test_id("order-total").filter(has_text=euros(after["total"])).wait_for()
    staff.get_by_role(
        "checkbox", name=f"Picked 1 \N{MULTIPLICATION SIGN} {dearer['name']}"
    ).wait_for()

    admin_login = server.first("admin")
    admin = api_login(server, admin_login.phone, admin_login.password)
    report = _wait(
        lambda: (
            (r := httpx.get(f"{server.url}/api/v1/admin/audit", headers=admin).json())["ok"] and r
        ),
        "the auditor to find the money adding up",
    )
    assert report["breaches"] == []
