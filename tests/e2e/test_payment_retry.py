"""A declined card in the browser: the same order stays open, the customer pays with another
card, and the order is confirmed — one order, its stock held throughout."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .conftest import SCREENSHOTS, Server
from .test_web_flow import PHONE, TIMEOUT, api_login, euros, served_address, sign_in

pytestmark = pytest.mark.e2e


@contextlib.contextmanager
def _phone_page(browser: Any, name: str) -> Iterator[Any]:
    """A page on a phone-sized screen of its own; when the test fails, a screenshot of it."""
    ctx = browser.new_context(viewport=PHONE)
    ctx.set_default_timeout(TIMEOUT)
    page = ctx.new_page()
    try:
        yield page
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"FAILED-{name}.png"), full_page=True)
        raise
    finally:
        ctx.close()


def _only_in_cart(server: Server, headers: dict[str, str], store_id: str, quantity: int) -> None:
    """Empties the customer's cart and puts ``quantity`` of one stocked product in it."""
    httpx.delete(f"{server.url}/api/v1/cart", headers=headers)
    product = next(
        p
        for p in httpx.get(
            f"{server.url}/api/v1/stores/{store_id}/products", params={"limit": 50}
        ).json()["items"]
        if p["in_stock"] and p["max_quantity"] >= quantity
    )
    httpx.put(
        f"{server.url}/api/v1/cart/items/{product['id']}",
        json={"quantity": quantity, "store_id": store_id},
        headers=headers,
    ).raise_for_status()


def _declined_at_checkout(page: Any, server: Server, login: Any, address: dict[str, Any]) -> None:
    """Signs in, places the cart's order to ``address`` by card and has the card declined."""
    sign_in(page, server, login.phone, login.password, "/checkout")
    page.get_by_role("heading", name="Checkout").wait_for()
    page.get_by_role("radio", name=re.compile(re.escape(address["label"]))).first.check()
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    page.get_by_role("alert").filter(has_text="declined").wait_for()


def test_declined_card_then_another_card(server: Server, browser: Any) -> None:
    login = [x for x in server.logins if x.role == "customer"][-2]
    headers = api_login(server, login.phone, login.password)
    address, store_id, _ = served_address(server, headers)
    _only_in_cart(server, headers, store_id, quantity=2)
    orders_before = httpx.get(f"{server.url}/api/v1/orders", headers=headers).json()["items"]

    with _phone_page(browser, "payment-retry") as page:
        _declined_at_checkout(page, server, login, address)
        page.get_by_role("button", name="Cancel order and return to cart").wait_for()
        assert page.get_by_role("radio", name="Cash on delivery").is_enabled()
        page.screenshot(path=str(SCREENSHOTS / "customer-checkout-declined.png"))

        placed = httpx.get(f"{server.url}/api/v1/orders", headers=headers).json()["items"]
        assert len(placed) == len(orders_before) + 1
        order_id = placed[0]["id"]
        order = httpx.get(f"{server.url}/api/v1/orders/{order_id}", headers=headers).json()
        assert order["status"] == "pending_payment" and order["payment"]["status"] == "failed"

        page.get_by_label("Card number").fill("4242 4242 4242 4242")
        page.get_by_role("button", name=re.compile(r"^Pay ")).click()
        page.wait_for_url(re.compile(rf"/orders/{order_id}$"))
        deadline = time.monotonic() + 30
        while True:
            order = httpx.get(f"{server.url}/api/v1/orders/{order_id}", headers=headers).json()
            if order["status"] == "confirmed" or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert order["status"] == "confirmed", order
        assert order["payment"]["status"] == "succeeded", order
        after = httpx.get(f"{server.url}/api/v1/orders", headers=headers).json()["items"]
        assert len(after) == len(orders_before) + 1  # the same order, paid


def _wait_for_status(server: Server, headers: dict[str, str], order_id: str, want: str) -> Any:
    deadline = time.monotonic() + 30
    while True:
        order = httpx.get(f"{server.url}/api/v1/orders/{order_id}", headers=headers).json()
        if order["status"] == want or time.monotonic() > deadline:
            return order
        time.sleep(0.5)


def test_declined_then_pay_now_on_the_order_page_after_a_reload(
    server: Server, browser: Any
) -> None:
    """The checkout screen is gone (a reload, or the order reached from the orders list): the
    order's own page offers Pay now with the time left, and another method pays the same order."""
    login = [x for x in server.logins if x.role == "customer"][-2]
    headers = api_login(server, login.phone, login.password)
    address, store_id, _ = served_address(server, headers)
    _only_in_cart(server, headers, store_id, quantity=1)

    with _phone_page(browser, "pay-now") as page:
        _declined_at_checkout(page, server, login, address)
        order_id = httpx.get(f"{server.url}/api/v1/orders", headers=headers).json()["items"][0][
            "id"
        ]

        # From the orders list to the order's page, then a reload: checkout's state is gone.
        page.goto(f"{server.url}/orders")
        page.locator(f'a[href="/orders/{order_id}"]').first.click()
        page.wait_for_url(re.compile(rf"/orders/{order_id}$"))
        page.reload()
        pay_now = page.get_by_role("region", name="Pay now")
        pay_now.wait_for()
        window = pay_now.get_by_test_id("payment-window")
        assert re.search(r"did not go through", window.inner_text()), window.inner_text()
        assert re.search(r"You have 1[45] minutes left to pay", window.inner_text()), (
            window.inner_text()
        )
        page.screenshot(path=str(SCREENSHOTS / "customer-order-pay-now.png"))

        # A declined card again: said on the page, the choice stays open.
        pay_now.get_by_label("Card number").fill("4000 0000 0000 0002")
        pay_now.get_by_role("button", name=re.compile(r"^Pay ")).click()
        pay_now.get_by_role("alert").filter(has_text="declined").wait_for()

        # UPI this time: the same order goes on to be confirmed, and Pay now goes away.
        pay_now.get_by_role("radio", name="UPI").check()
        pay_now.get_by_label("UPI ID").fill("success@upi")
        pay_now.get_by_role("button", name=re.compile(r"^Pay ")).click()
        page.get_by_test_id("payment-summary").filter(has_text="Paid by UPI").wait_for()
        page.get_by_text("Payment received").first.wait_for()
        assert page.get_by_role("region", name="Pay now").count() == 0
        order = _wait_for_status(server, headers, order_id, "confirmed")
        assert order["status"] == "confirmed" and order["payment_method"] == "upi", order
        assert order["payment"]["status"] == "succeeded" and order["pay_by"] is None
        page.screenshot(path=str(SCREENSHOTS / "customer-order-paid-after-retry.png"))


def test_cash_on_delivery_from_the_order_page_and_a_cancelled_unpaid_order_in_words(
    server: Server, browser: Any
) -> None:
    """An order left unpaid (its card never confirmed) is paid in cash from its page; another,
    given up, says in words that nothing was charged."""
    login = [x for x in server.logins if x.role == "customer"][-2]
    headers = api_login(server, login.phone, login.password)
    address, store_id, _ = served_address(server, headers)
    placed = []
    for _ in range(2):
        _only_in_cart(server, headers, store_id, quantity=1)
        r = httpx.post(
            f"{server.url}/api/v1/orders",
            json={"address_id": address["id"], "payment_method": "card"},
            headers={**headers, "Idempotency-Key": f"e2e-pay-now-{time.time_ns()}"},
        )
        r.raise_for_status()
        placed.append(r.json()["id"])
    cash_id, given_up_id = placed
    httpx.post(
        f"{server.url}/api/v1/orders/{given_up_id}/cancel", json={}, headers=headers
    ).raise_for_status()

    with _phone_page(browser, "pay-now-cash") as page:
        sign_in(page, server, login.phone, login.password, f"/orders/{cash_id}")
        pay_now = page.get_by_role("region", name="Pay now")
        assert "waiting for payment" in pay_now.get_by_test_id("payment-window").inner_text()
        pay_now.get_by_role("radio", name="Cash on delivery").check()
        pay_now.get_by_role("button", name="Pay cash on delivery").click()
        page.get_by_test_id("payment-summary").filter(has_text="pay the rider").wait_for()
        assert page.get_by_role("region", name="Pay now").count() == 0
        order = _wait_for_status(server, headers, cash_id, "confirmed")
        assert order["status"] == "confirmed" and order["payment_method"] == "cod", order

        page.goto(f"{server.url}/orders/{given_up_id}")
        words = page.get_by_test_id("cancelled-words")
        words.wait_for()
        assert "cancelled before it was paid, so nothing was charged" in words.inner_text()
        assert page.get_by_role("region", name="Pay now").count() == 0


def test_declined_card_then_cancel_gives_the_cart_back_as_it_was(
    server: Server, browser: Any
) -> None:
    """Giving up after a decline cancels the order and shows the cart with its lines back, each
    in its quantity; nothing stays held."""
    login = [x for x in server.logins if x.role == "customer"][-2]
    headers = api_login(server, login.phone, login.password)
    address, store_id, _ = served_address(server, headers)
    _only_in_cart(server, headers, store_id, quantity=3)
    before = httpx.get(f"{server.url}/api/v1/cart", headers=headers).json()
    (line,) = before["items"]

    try:
        with _phone_page(browser, "cart-back") as page:
            _declined_at_checkout(page, server, login, address)
            assert httpx.get(f"{server.url}/api/v1/cart", headers=headers).json()["items"] == []
            order_id = httpx.get(f"{server.url}/api/v1/orders", headers=headers).json()["items"][0][
                "id"
            ]
            page.get_by_role("button", name="Cancel order and return to cart").click()
            page.wait_for_url(re.compile(r"/cart$"))
            stepper = page.get_by_role("group", name=f"Quantity of {line['name']}")
            assert stepper.locator("output").inner_text() == "3"
            total = page.get_by_label("Bill breakdown").locator(".bill-row.total")
            total.get_by_text(euros(before["total"]), exact=True).wait_for()

            after = httpx.get(f"{server.url}/api/v1/cart", headers=headers).json()
            assert [(i["product_id"], i["quantity"]) for i in after["items"]] == [
                (line["product_id"], 3)
            ]
            assert after["total"] == before["total"]
            order = httpx.get(f"{server.url}/api/v1/orders/{order_id}", headers=headers).json()
            assert order["status"] == "cancelled" and order["pay_by"] is None, order
    finally:
        httpx.delete(f"{server.url}/api/v1/cart", headers=headers)
