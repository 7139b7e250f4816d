"""What a customer reads about an order's payment and progress: words, never the API's codes.

A cash order and a card order are placed through the API, then the order page and the order list
are read in the browser.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from .conftest import SCREENSHOTS, Server
from .test_web_flow import PHONE, TIMEOUT, api_login, served_address, sign_in

pytestmark = pytest.mark.e2e

RAW = re.compile(r"sandbox|succeeded|pending|\bcod\b|\w_\w", re.IGNORECASE)


def place(server: Server, headers: dict[str, str], method: str) -> dict[str, Any]:
    """One in-stock product in the cart, then an order paid by ``method`` (a card succeeds)."""
    address, store_id, _ = served_address(server, headers)
    products = httpx.get(
        f"{server.url}/api/v1/stores/{store_id}/products", params={"limit": 50}
    ).json()["items"]
    product = next(p for p in products if p["in_stock"])
    httpx.put(
        f"{server.url}/api/v1/cart/items/{product['id']}",
        json={"quantity": 1, "store_id": store_id},
        headers=headers,
    ).raise_for_status()
    res = httpx.post(
        f"{server.url}/api/v1/orders",
        json={"address_id": address["id"], "payment_method": method},
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )
    res.raise_for_status()
    order: dict[str, Any] = res.json()
    if method == "card":
        httpx.post(
            f"{server.url}/api/v1/payments/{order['payment']['id']}/confirm",
            json={"card_number": "4242424242424242"},
            headers=headers,
        ).raise_for_status()
    return order


def test_order_page_and_list_say_payment_and_progress_in_words(
    server: Server, browser: Any
) -> None:
    customer = server.logins[-1]
    assert customer.role == "customer"
    headers = api_login(server, customer.phone, customer.password)
    cash = place(server, headers, "cod")
    card = place(server, headers, "card")

    ctx = browser.new_context(viewport=PHONE)
    ctx.set_default_timeout(TIMEOUT)
    try:
        page = ctx.new_page()
        sign_in(page, server, customer.phone, customer.password, f"/orders/{cash['id']}")
        summary = page.get_by_test_id("payment-summary")
        summary.wait_for()
        assert summary.inner_text() == "Cash on delivery — pay the rider when it arrives"
        progress = page.get_by_role("list", name="Order progress")
        steps = progress.locator("strong").all_inner_texts()
        assert steps[:2] == ["Order placed", "Confirmed"], steps
        assert "Awaiting payment" not in page.inner_text("body")
        assert not RAW.search(page.inner_text("main")), page.inner_text("main")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "customer-order-cash-phone.png"), full_page=True)

        page.goto(f"{server.url}/orders/{card['id']}")
        page.get_by_text("Paid by card", exact=True).wait_for()
        steps = page.get_by_role("list", name="Order progress").locator("strong")
        assert steps.all_inner_texts()[:2] == ["Order placed", "Payment received"]
        assert not RAW.search(page.inner_text("main")), page.inner_text("main")

        page.goto(f"{server.url}/orders")
        for order, method in ((cash, "Cash on delivery"), (card, "Card")):
            row = page.get_by_role("article", name=f"Order {order['number']}")
            row.wait_for()
            text = row.inner_text()
            assert method in text and "Confirmed" in text, text
            assert not RAW.search(text), text
    finally:
        ctx.close()
        httpx.delete(f"{server.url}/api/v1/cart", headers=headers)
