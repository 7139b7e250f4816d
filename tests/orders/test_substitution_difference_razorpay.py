"""A dearer substitute's difference on an order paid through Razorpay (a small server on
loopback, bodies and signatures as Razorpay documents them): a Razorpay order of its own for
the difference, paid in Checkout, settled by the signed ``payment.captured`` webhook."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx

from kirana.kit.db import Database
from kirana.kit.outbox import drain
from tests.orders.test_substitution_difference import approve_dearer, intents_of
from tests.orders.test_substitutions import _audit_ok, _order, _picking, _propose
from tests.payments.fake_razorpay import FakeRazorpay
from tests.payments.test_razorpay import (
    order_entity,
    payment_entity,
    post_webhook,
    razorpay,
    settings,
    webhook,
)

__all__ = ["razorpay", "settings"]  # the fixtures: Razorpay's test keys, its loopback fake


def _made_order(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Razorpay's answer to POST /v1/orders: the order it made of the body."""
    payment = SimpleNamespace(
        id=body["receipt"],
        order_id=body["notes"]["order_id"],
        amount=body["amount"],
        currency=body["currency"],
    )
    return 200, order_entity(payment, id=f"order_{body['receipt'][-14:]}")


async def _pay_in_checkout(
    client: httpx.AsyncClient, headers: dict[str, str], payment_id: str, n: int
) -> dict[str, Any]:
    """Our checkout, then (as if Checkout had taken the money) Razorpay's signed webhook.
    Returns the order body Razorpay was sent."""
    r = await client.post(f"/api/v1/payments/{payment_id}/checkout", headers=headers)
    assert r.status_code == 200, r.text
    order_id = r.json()["provider_order_id"]
    asked = SimpleNamespace(id=payment_id, amount=r.json()["amount"], currency=r.json()["currency"])
    captured = payment_entity(asked, id=f"pay_{n:014d}", order_id=order_id)
    r = await post_webhook(client, webhook("payment.captured", captured), event_id=f"evt_{n}")
    assert r.status_code == 200, r.text
    return {"order_id": order_id, "amount": captured["amount"]}


async def test_through_razorpay_the_difference_is_an_order_of_its_own(
    db: Database, client: httpx.AsyncClient, razorpay: FakeRazorpay
) -> None:
    razorpay.on("POST", "/v1/orders", _made_order)

    async def pay(shop: Any, order: dict[str, Any]) -> None:
        await _pay_in_checkout(client, shop.headers, order["payment"]["id"], 1)
        await drain(db)

    p = await _picking(db, client, pay=pay)
    offer = await _propose(client, p, p.line(p.shop.products[0]), p.dearer, 2)
    difference = (await approve_dearer(client, p, offer))["substitutions"][0]["difference_payment"]
    assert difference["provider"] == "razorpay" and difference["amount"] == 1_000
    await _pay_in_checkout(client, p.shop.headers, difference["id"], 2)
    made = razorpay.calls("POST", "/v1/orders")
    assert [m.body["amount"] for m in made] == [p.order["total"], 1_000]
    assert made[1].body == {
        "amount": 1_000,
        "currency": p.order["currency"].upper(),
        "receipt": difference["id"],
        "notes": {"payment_id": difference["id"], "order_id": p.order["id"]},
    }
    await drain(db)
    after = await _order(client, p.shop, p.order["id"])
    assert after["substitutions"][0]["status"] == "approved"
    assert after["total"] == p.order["total"] + 1_000
    assert [k[:2] for k in await intents_of(db, p.order["id"])] == [
        ("order", "succeeded"),
        ("difference", "succeeded"),
    ]
    await _audit_ok(db)
