"""Helpers for payments tests: intents, signed webhooks, the sandbox's sender, table counts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.ids import new_id
from kirana.payments import service, webhooks
from kirana.payments.jobs import deliver_sandbox_webhooks
from kirana.payments.schemas import PaymentRead

WEBHOOK_URL = "/api/v1/payments/webhooks/sandbox"
TABLES = (
    "payment_intents",
    "payment_attempts",
    "payment_refunds",
    "sandbox_webhook_deliveries",
    "processed_webhook_events",
    "outbox",
)


async def make_intent(
    db: Database,
    customer_id: str,
    *,
    method: str = "card",
    amount: int = 12_345,
    order_id: str | None = None,
) -> PaymentRead:
    async with db.transaction() as session:
        return await service.create_intent(
            session,
            order_id=order_id or new_id(),
            customer_id=customer_id,
            amount=amount,
            currency="INR",
            method=method,
        )


async def confirm(
    client: httpx.AsyncClient,
    payment_id: str,
    headers: dict[str, str],
    key: str | None = None,
    **body: Any,
) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key else {}
    return await client.post(
        f"/api/v1/payments/{payment_id}/confirm", json=body, headers={**headers, **extra}
    )


async def send_webhooks(db: Database, settings: Settings, client: httpx.AsyncClient) -> int:
    """Let the sandbox's delay pass and run its sender against the app."""
    clock.advance(timedelta(seconds=2))
    return await deliver_sandbox_webhooks(db, settings, client=client)


def signed(
    settings: Settings, event: dict[str, Any], *, at: datetime | None = None
) -> tuple[bytes, dict[str, str]]:
    body = webhooks.encode(event)
    header = webhooks.signature_header(settings.payment_webhook_secret, body, at or clock.now())
    return body, {"Content-Type": "application/json", webhooks.SIGNATURE_HEADER: header}


def gateway_event(payment: PaymentRead, event_type: str, **extra: Any) -> dict[str, Any]:
    return webhooks.build_event(
        event_type,
        payment_id=payment.id,
        order_id=payment.order_id,
        amount=payment.amount,
        currency=payment.currency,
        **extra,
    )


async def post_webhook(
    client: httpx.AsyncClient, settings: Settings, event: dict[str, Any]
) -> httpx.Response:
    body, headers = signed(settings, event)
    return await client.post(WEBHOOK_URL, content=body, headers=headers)


async def events(db: Database, event_type: str, payment_id: str) -> list[dict[str, Any]]:
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            text("SELECT type, payload FROM outbox WHERE type = :t"), {"t": event_type}
        )
        found = []
        for _, payload in rows:
            data = payload if isinstance(payload, dict) else json.loads(payload)
            if data.get("payment_id") == payment_id:
                found.append(data)
    return found


async def set_gateway_ref(db: Database, payment_id: str, ref: str) -> None:
    """As if the provider had made its side of the payment (a PaymentIntent, an order)."""
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE payment_intents SET gateway_ref = :ref WHERE id = :id"),
            {"ref": ref, "id": payment_id},
        )


async def columns_of(db: Database, payment_id: str, *columns: str) -> tuple[Any, ...]:
    """Some columns of one payment intent's row, as stored."""
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                text(f"SELECT {', '.join(columns)} FROM payment_intents WHERE id = :id"),
                {"id": payment_id},
            )
        ).one()
    return tuple(row)


async def status_of(db: Database, payment_id: str) -> tuple[str, int, int]:
    status, captured, refunded = await columns_of(
        db, payment_id, "status", "captured_amount", "refunded_amount"
    )
    return str(status), int(captured), int(refunded)


async def counts(db: Database, tables: tuple[str, ...] = TABLES) -> dict[str, int]:
    """Row counts of ``tables``: a refused request must leave them as they were."""
    async with db.transaction(write=False) as session:
        return {
            t: int((await session.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one())
            for t in tables
        }
