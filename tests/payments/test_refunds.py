"""Intents, refunds, cancellations, cash on delivery, and the figures the auditor reads."""

from __future__ import annotations

import httpx
import pytest

from kirana.config import Settings
from kirana.kit.db import Database
from kirana.kit.errors import Conflict, ValidationFailed
from kirana.kit.ids import new_id
from kirana.kit.outbox import drain, emit
from kirana.payments import service
from tests.factories import login, make_user
from tests.orders.shop import fill_cart, make_shop, place
from tests.payments.helpers import (
    confirm,
    counts,
    events,
    make_intent,
    send_webhooks,
    status_of,
)

OK_CARD = "4242424242424242"


async def paid(db: Database, client: httpx.AsyncClient, amount: int = 10_000) -> str:
    user = await make_user(db, "customer")
    payment = await make_intent(db, user["id"], amount=amount)
    r = await confirm(client, payment.id, await login(client, user), card_number=OK_CARD)
    assert r.json()["status"] == "succeeded"
    return payment.id


async def test_one_live_intent_per_order(db: Database) -> None:
    user = await make_user(db, "customer")
    order_id = new_id()
    first = await make_intent(db, user["id"], order_id=order_id)
    again = await make_intent(db, user["id"], order_id=order_id)
    assert again.id == first.id
    with pytest.raises(Conflict):
        await make_intent(db, user["id"], order_id=order_id, amount=1)
    for bad in ({"method": "cheque"}, {"amount": -1}):
        with pytest.raises(ValidationFailed):
            await make_intent(db, user["id"], **bad)  # type: ignore[arg-type]
    async with db.transaction(write=False) as session:
        found = await service.get_payment_for_order(session, order_id)
        assert found is not None and found.id == first.id
        assert await service.get_payment_for_order(session, new_id()) is None


async def test_refunds_are_bounded_and_idempotent(db: Database, client: httpx.AsyncClient) -> None:
    payment_id = await paid(db, client)
    async with db.transaction() as session:
        first = await service.refund(session, payment_id, 4_000, "damaged", idempotency_key="r1")
    async with db.transaction() as session:
        same = await service.refund(session, payment_id, 4_000, "damaged", idempotency_key="r1")
    assert same == first
    assert await status_of(db, payment_id) == ("succeeded", 10_000, 4_000)
    with pytest.raises(Conflict) as too_much:
        async with db.transaction() as session:
            await service.refund(session, payment_id, 6_001, "more", idempotency_key="r2")
    assert too_much.value.code == "refund_exceeds_captured"
    with pytest.raises(ValidationFailed):
        async with db.transaction() as session:
            await service.refund(session, payment_id, 0, "nothing", idempotency_key="r3")
    async with db.transaction() as session:
        await service.refund(session, payment_id, 6_000, "rest", idempotency_key="r4")
    assert await status_of(db, payment_id) == ("refunded", 10_000, 10_000)
    refunded = await events(db, "payment.refunded", payment_id)
    assert sorted(e["amount"] for e in refunded) == [4_000, 6_000]
    async with db.transaction(write=False) as session:
        assert await service.sum_captured(session) == 0


async def test_a_pending_payment_cannot_be_refunded(db: Database) -> None:
    user = await make_user(db, "customer")
    payment = await make_intent(db, user["id"])
    with pytest.raises(Conflict) as err:
        async with db.transaction() as session:
            await service.refund(session, payment.id, 100, "x", idempotency_key="k")
    assert err.value.code == "payment_not_captured"


async def test_order_cancelled_refunds_once_even_if_told_twice(
    db: Database, client: httpx.AsyncClient
) -> None:
    payment_id = await paid(db, client, amount=7_500)
    order_id = await _order_of(db, payment_id)
    for _ in range(2):  # two order.cancelled events (a retried emit): one refund
        async with db.transaction() as session:
            await emit(
                session,
                "order.cancelled",
                {
                    "order_id": order_id,
                    "store_id": "s",
                    "customer_id": "c",
                    "reason": "changed mind",
                    "payment_id": payment_id,
                    "refund_amount": 7_500,
                },
            )
        await drain(db)
    assert await status_of(db, payment_id) == ("refunded", 7_500, 7_500)
    assert len(await events(db, "payment.refunded", payment_id)) == 1
    assert (await counts(db))["payment_refunds"] == 1
    async with db.transaction(write=False) as session:
        assert (await service.captured_by_order(session))[order_id] == 0


async def _order_of(db: Database, payment_id: str) -> str:
    from sqlalchemy import text

    async with db.transaction(write=False) as session:
        return str(
            (
                await session.execute(
                    text("SELECT order_id FROM payment_intents WHERE id = :id"), {"id": payment_id}
                )
            ).scalar_one()
        )


async def test_cancel_voids_a_pending_payment_and_a_late_capture_is_given_back(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    user = await make_user(db, "customer")
    headers = await login(client, user)
    payment = await make_intent(db, user["id"], method="upi", amount=5_000)
    r = await confirm(client, payment.id, headers, upi_vpa="success@upi")
    assert r.json()["status"] == "pending"
    async with db.transaction() as session:
        await service.settle_cancelled_order(
            session, payment.order_id, refund_amount=None, reason="expired"
        )
    assert await status_of(db, payment.id) == ("cancelled", 0, 0)
    again = await confirm(client, payment.id, headers, upi_vpa="success@upi", key="new")
    assert again.status_code == 409 and again.json()["code"] == "payment_closed"

    # The customer approved the collect request just too late: the money comes back.
    await send_webhooks(db, settings, client)
    assert await status_of(db, payment.id) == ("refunded", 5_000, 5_000)
    assert await events(db, "payment.succeeded", payment.id) == []
    assert len(await events(db, "payment.refunded", payment.id)) == 1
    async with db.transaction(write=False) as session:
        assert (await service.captured_by_order(session))[payment.order_id] == 0


async def test_cash_on_delivery_is_collected_on_delivery(
    db: Database, client: httpx.AsyncClient
) -> None:
    user = await make_user(db, "customer")
    payment = await make_intent(db, user["id"], method="cod", amount=3_000)
    assert (payment.provider, payment.status) == ("cod", "pending")
    r = await confirm(client, payment.id, await login(client, user), card_number=OK_CARD)
    assert r.status_code == 409 and r.json()["code"] == "cod_not_confirmable"
    async with db.transaction() as session:
        await emit(session, "order.delivered", {"order_id": payment.order_id, "rider_id": "r"})
    await drain(db)
    assert await status_of(db, payment.id) == ("succeeded", 3_000, 0)
    assert await events(db, "payment.succeeded", payment.id) == []  # the order is done already
    async with db.transaction(write=False) as session:
        assert await service.sum_captured(session) == 3_000


async def test_card_order_cancelled_by_customer_is_refunded(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    """With the orders service: pay by card, cancel before packing, get the money back."""
    shop = await make_shop(db, client)
    await fill_cart(client, shop)
    r = await place(client, shop, method="card")
    assert r.status_code == 201, r.text
    order = r.json()
    payment_id = order["payment"]["id"]
    assert order["status"] == "pending_payment"
    r = await confirm(client, payment_id, shop.headers, card_number=OK_CARD)
    assert r.json()["status"] == "succeeded"
    await drain(db)
    r = await client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)
    assert r.json()["status"] == "confirmed"
    r = await client.post(f"/api/v1/orders/{order['id']}/cancel", json={}, headers=shop.headers)
    assert r.status_code == 200, r.text
    await drain(db)
    assert await status_of(db, payment_id) == ("refunded", order["total"], order["total"])
    assert len(await events(db, "payment.refunded", payment_id)) == 1
    await send_webhooks(db, settings, client)  # the gateway's refund notice changes nothing
    assert len(await events(db, "payment.refunded", payment_id)) == 1


async def test_declined_card_leaves_the_order_awaiting_payment(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    await fill_cart(client, shop)
    order = (await place(client, shop, method="card")).json()
    payment_id = order["payment"]["id"]
    r = await confirm(client, payment_id, shop.headers, card_number="4000000000000002")
    assert r.json()["status"] == "failed"
    await drain(db)
    assert len(await events(db, "payment.failed", payment_id)) == 1
    r = await client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)
    assert r.json()["status"] == "pending_payment"  # another payment may follow (payment_window)
