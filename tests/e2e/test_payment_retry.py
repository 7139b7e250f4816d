"""A declined card in the browser: the same order stays open, the customer pays with another
card, and the order is confirmed — one order, its stock held throughout."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from .conftest import SCREENSHOTS, Server
from .test_web_flow import PHONE, TIMEOUT, api_login, served_address, sign_in

pytestmark = pytest.mark.e2e


def test_declined_card_then_another_card(server: Server, browser: Any) -> None:
    login = [x for x in server.logins if x.role == "customer"][-2]
    headers = api_login(server, login.phone, login.password)
    address, store_id, _ = served_address(server, headers)
    httpx.delete(f"{server.url}/api/v1/cart", headers=headers)
    product = next(
        p
        for p in httpx.get(
            f"{server.url}/api/v1/stores/{store_id}/products", params={"limit": 50}
        ).json()["items"]
        if p["in_stock"] and p["max_quantity"] >= 2
    )
    httpx.put(
        f"{server.url}/api/v1/cart/items/{product['id']}",
        json={"quantity": 2, "store_id": store_id},
        headers=headers,
    ).raise_for_status()
    orders_before = httpx.get(f"{server.url}/api/v1/orders", headers=headers).json()["items"]

    ctx = browser.new_context(viewport=PHONE)
    ctx.set_default_timeout(TIMEOUT)
    page = ctx.new_page()
    try:
        sign_in(page, server, login.phone, login.password, "/checkout")
        page.get_by_role("heading", name="Checkout").wait_for()
        page.get_by_role("radio", name=re.compile(re.escape(address["label"]))).first.check()
        page.get_by_label("Card number").fill("4000 0000 0000 0002")
        page.get_by_role("button", name=re.compile(r"^Pay ")).click()
        page.get_by_role("alert").filter(has_text="declined").wait_for()
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
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "FAILED-payment-retry.png"), full_page=True)
        raise
    finally:
        ctx.close()
