"""Confirming payments through the sandbox gateway, and the webhooks that follow."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from kirana.config import Settings
from kirana.kit.db import Database
from kirana.payments import webhooks
from tests.factories import login, make_user
from tests.payments.helpers import (
    confirm,
    counts,
    events,
    gateway_event,
    make_intent,
    post_webhook,
    send_webhooks,
    status_of,
)

OK_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"


async def customer(db: Database, client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    user = await make_user(db, "customer")
    return user["id"], await login(client, user)


async def test_test_card_succeeds_once_and_the_webhook_changes_nothing(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    user_id, headers = await customer(db, client)
    payment = await make_intent(db, user_id)
    r = await confirm(client, payment.id, headers, card_number=OK_CARD)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["id"], body["status"], body["amount"]) == (payment.id, "succeeded", 12_345)
    assert body["provider"] == "sandbox"
    assert await status_of(db, payment.id) == ("succeeded", 12_345, 0)
    assert len(await events(db, "payment.succeeded", payment.id)) == 1

    assert await send_webhooks(db, settings, client) == 1  # the gateway's own announcement
    assert await status_of(db, payment.id) == ("succeeded", 12_345, 0)
    assert len(await events(db, "payment.succeeded", payment.id)) == 1


async def test_declined_card_fails_once(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    user_id, headers = await customer(db, client)
    payment = await make_intent(db, user_id)
    r = await confirm(client, payment.id, headers, card_number="4000 0000 0000 0002")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "failed"
    assert r.json()["failure_reason"] == "card_declined"
    await send_webhooks(db, settings, client)
    assert await status_of(db, payment.id) == ("failed", 0, 0)
    failed = await events(db, "payment.failed", payment.id)
    assert failed == [
        {"payment_id": payment.id, "order_id": payment.order_id, "reason": "card_declined"}
    ]
    assert await events(db, "payment.succeeded", payment.id) == []


@pytest.mark.parametrize(
    ("vpa", "final", "event"),
    [
        ("success@upi", "succeeded", "payment.succeeded"),
        ("failure@upi", "failed", "payment.failed"),
    ],
)
async def test_upi_answers_pending_and_resolves_by_webhook(
    db: Database,
    client: httpx.AsyncClient,
    settings: Settings,
    vpa: str,
    final: str,
    event: str,
) -> None:
    user_id, headers = await customer(db, client)
    payment = await make_intent(db, user_id, method="upi")
    r = await confirm(client, payment.id, headers, upi_vpa=vpa)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "pending"
    assert (await status_of(db, payment.id))[0] == "pending"
    assert await events(db, event, payment.id) == []

    # Pressing "Pay" again while the collect request is out does not charge twice.
    again = await confirm(client, payment.id, headers, upi_vpa=vpa)
    assert again.json()["status"] == "pending"
    assert (await counts(db))["payment_attempts"] == 1

    assert await send_webhooks(db, settings, client) == 1
    assert (await status_of(db, payment.id))[0] == final
    assert len(await events(db, event, payment.id)) == 1
    r = await client.get(f"/api/v1/payments/{payment.id}", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == final


async def test_webhook_first_then_confirm_converges(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    user_id, headers = await customer(db, client)
    payment = await make_intent(db, user_id)
    r = await post_webhook(client, settings, gateway_event(payment, webhooks.SUCCEEDED))
    assert r.status_code == 200, r.text
    assert await status_of(db, payment.id) == ("succeeded", 12_345, 0)

    r = await confirm(client, payment.id, headers, card_number=OK_CARD)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "succeeded"
    assert (await counts(db))["payment_attempts"] == 0  # nothing was charged again
    assert len(await events(db, "payment.succeeded", payment.id)) == 1


async def test_failed_webhook_first_then_confirm_keeps_the_failure(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    user_id, headers = await customer(db, client)
    payment = await make_intent(db, user_id)
    event = gateway_event(payment, webhooks.FAILED, failure_reason="card_declined")
    assert (await post_webhook(client, settings, event)).status_code == 200
    r = await confirm(client, payment.id, headers, card_number=OK_CARD)
    assert r.json()["status"] == "failed"
    assert await status_of(db, payment.id) == ("failed", 0, 0)
    assert len(await events(db, "payment.failed", payment.id)) == 1
    assert await events(db, "payment.succeeded", payment.id) == []


async def test_concurrent_confirm_and_webhook_converge(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    user_id, headers = await customer(db, client)
    payments = [await make_intent(db, user_id) for _ in range(4)]
    for payment in payments:
        results = await asyncio.gather(
            confirm(client, payment.id, headers, card_number=OK_CARD),
            post_webhook(client, settings, gateway_event(payment, webhooks.SUCCEEDED)),
            confirm(client, payment.id, headers, card_number=OK_CARD),
            post_webhook(client, settings, gateway_event(payment, webhooks.SUCCEEDED)),
        )
        assert [r.status_code for r in results] == [200, 200, 200, 200], [r.text for r in results]
        assert results[0].json()["status"] == results[2].json()["status"] == "succeeded"
        assert await status_of(db, payment.id) == ("succeeded", 12_345, 0)
        assert len(await events(db, "payment.succeeded", payment.id)) == 1
    await send_webhooks(db, settings, client)
    for payment in payments:
        assert len(await events(db, "payment.succeeded", payment.id)) == 1


async def test_idempotency_key_replays_the_first_answer(
    db: Database, client: httpx.AsyncClient
) -> None:
    user_id, headers = await customer(db, client)
    payment = await make_intent(db, user_id)
    first = await confirm(client, payment.id, headers, key="k-1", card_number=DECLINED_CARD)
    again = await confirm(client, payment.id, headers, key="k-1", card_number=DECLINED_CARD)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert (await counts(db))["payment_attempts"] == 1

    before = await counts(db)
    other = await confirm(client, payment.id, headers, key="k-1", card_number=OK_CARD)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert await counts(db) == before
    assert len(await events(db, "payment.failed", payment.id)) == 1


async def test_concurrent_confirms_with_one_key_charge_once(
    db: Database, client: httpx.AsyncClient
) -> None:
    user_id, headers = await customer(db, client)
    payment = await make_intent(db, user_id)
    results = await asyncio.gather(
        *[confirm(client, payment.id, headers, key="same", card_number=OK_CARD) for _ in range(6)]
    )
    assert {r.status_code for r in results} == {200}
    assert {r.json()["status"] for r in results} == {"succeeded"}
    assert (await counts(db))["payment_attempts"] == 1
    assert len(await events(db, "payment.succeeded", payment.id)) == 1


async def test_sender_retries_with_backoff_until_our_endpoint_answers(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    from datetime import timedelta

    from sqlalchemy import text

    from kirana.kit import clock
    from kirana.payments.jobs import deliver_sandbox_webhooks

    user_id, headers = await customer(db, client)
    payment = await make_intent(db, user_id, method="upi")
    await confirm(client, payment.id, headers, upi_vpa="success@upi")

    def down(_: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="maintenance")

    async with httpx.AsyncClient(transport=httpx.MockTransport(down)) as broken:
        assert await send_webhooks(db, settings, broken) == 0
        # Not due again before its backoff has passed; then tried again.
        assert await deliver_sandbox_webhooks(db, settings, client=broken) == 0
        assert await send_webhooks(db, settings, broken) == 0
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                text("SELECT status, attempts, last_error FROM sandbox_webhook_deliveries")
            )
        ).one()
    assert row[0] == "pending" and row[1] == 2 and "503" in row[2]
    assert (await status_of(db, payment.id))[0] == "pending"

    clock.advance(timedelta(seconds=5))
    assert await send_webhooks(db, settings, client) == 1
    assert (await status_of(db, payment.id))[0] == "succeeded"
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(text("SELECT status, attempts FROM sandbox_webhook_deliveries"))
        ).one()
    assert tuple(row) == ("delivered", 3)
    assert await send_webhooks(db, settings, client) == 0  # delivered once, never again
