"""Every query of the payments service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.db import Base, changed, is_postgresql, table_of
from kirana.payments.models import (
    LIVE_INTENT,
    PaymentAttempt,
    PaymentIntent,
    PaymentRefund,
    SandboxWebhookDelivery,
)
from kirana.payments.state import CAPTURED_STATUSES, LIVE_STATUSES, PAYMENT, PaymentStatus


def _insert_intent(dialect_insert: Any) -> Any:
    return dialect_insert(table_of(PaymentIntent)).on_conflict_do_nothing(
        index_elements=["order_id"], index_where=text(LIVE_INTENT)
    )


async def insert_unique(session: AsyncSession, row: Base) -> bool:
    """Insert ``row``; False if a unique key says it exists (a retry or a concurrent twin)."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True


_NEW_INTENT = {"sqlite": _insert_intent(sqlite_insert), "postgresql": _insert_intent(pg_insert)}


async def insert_intent(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Insert a payment intent; False if the order already has a live one. One statement, no
    savepoint (``ON CONFLICT DO NOTHING`` on the live-intent index)."""
    dialect = "postgresql" if is_postgresql(session) else "sqlite"
    return bool(await changed(session, _NEW_INTENT[dialect], row))


async def add_intent(session: AsyncSession, row: dict[str, Any]) -> None:
    """Insert a new order's first intent (nothing to conflict with)."""
    await session.execute(insert(table_of(PaymentIntent)), row)


async def intent_by_id(
    session: AsyncSession, intent_id: str, *, lock: bool = False
) -> PaymentIntent | None:
    query = select(PaymentIntent).where(PaymentIntent.id == intent_id)
    if lock:
        query = query.with_for_update()
    # populate_existing: a row updated by a Core UPDATE in this session must be read afresh.
    query = query.execution_options(populate_existing=True)
    return (await session.execute(query)).scalar_one_or_none()


async def live_intent_for_order(session: AsyncSession, order_id: str) -> PaymentIntent | None:
    result = await session.execute(
        select(PaymentIntent)
        .where(
            PaymentIntent.order_id == order_id,
            PaymentIntent.kind == "order",
            PaymentIntent.status.in_(LIVE_STATUSES),
        )
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def paying_intents(session: AsyncSession, order_id: str) -> list[PaymentIntent]:
    """What pays for an order: its own payments and its difference payments (not money
    captured late on a voided one, which is given back), differences first, newest first."""
    result = await session.execute(
        select(PaymentIntent)
        .where(PaymentIntent.order_id == order_id, PaymentIntent.kind.in_(("order", "difference")))
        .order_by(
            (PaymentIntent.kind == "order").asc(),
            PaymentIntent.created_at.desc(),
            PaymentIntent.id.desc(),
        )
        .execution_options(populate_existing=True)
    )
    return list(result.scalars())


async def difference_intents(
    session: AsyncSession, order_id: str, substitution_id: str | None = None
) -> list[PaymentIntent]:
    """An order's difference payments (of one substitution, if named), oldest first."""
    query = select(PaymentIntent).where(
        PaymentIntent.order_id == order_id, PaymentIntent.kind == "difference"
    )
    if substitution_id is not None:
        query = query.where(PaymentIntent.substitution_id == substitution_id)
    result = await session.execute(
        query.order_by(PaymentIntent.created_at, PaymentIntent.id).execution_options(
            populate_existing=True
        )
    )
    return list(result.scalars())


async def latest_intent_for_order(session: AsyncSession, order_id: str) -> PaymentIntent | None:
    result = await session.execute(
        select(PaymentIntent)
        .where(PaymentIntent.order_id == order_id, PaymentIntent.kind != "difference")
        .order_by(PaymentIntent.created_at.desc(), PaymentIntent.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def move_pending(
    session: AsyncSession,
    intent_id: str,
    *,
    status: PaymentStatus,
    at: datetime,
    captured_amount: int | None = None,
    failure_reason: str | None = None,
    from_status: PaymentStatus = PaymentStatus.PENDING,
    gateway_payment_ref: str | None = None,
    kind: str | None = None,
) -> bool:
    """Move an intent from ``from_status`` to ``status``; False if something moved it first."""
    PAYMENT.check(from_status, status)
    values: dict[str, Any] = {"status": status, "settled_at": at, "updated_at": at}
    if kind is not None:
        values["kind"] = kind
    if captured_amount is not None:
        values["captured_amount"] = captured_amount
    if gateway_payment_ref is not None:
        values["gateway_payment_ref"] = gateway_payment_ref[:64]
    if failure_reason is not None:
        values["failure_reason"] = failure_reason[:200]
    if status in (PaymentStatus.CANCELLED, PaymentStatus.FAILED):
        values["void_due_at"] = at  # the provider's side is cancelled after the commit
    result = await session.execute(
        update(PaymentIntent)
        .where(PaymentIntent.id == intent_id, PaymentIntent.status == from_status)
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def intent_by_gateway_ref(
    session: AsyncSession, provider: str, gateway_ref: str
) -> PaymentIntent | None:
    result = await session.execute(
        select(PaymentIntent)
        .where(PaymentIntent.provider == provider, PaymentIntent.gateway_ref == gateway_ref)
        .order_by(PaymentIntent.created_at.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def set_gateway_ref(session: AsyncSession, intent_id: str, gateway_ref: str) -> bool:
    """Record the provider's id of a payment unless it has another one already."""
    result = await session.execute(
        update(PaymentIntent)
        .where(
            PaymentIntent.id == intent_id,
            or_(PaymentIntent.gateway_ref.is_(None), PaymentIntent.gateway_ref == gateway_ref),
        )
        .values(gateway_ref=gateway_ref)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def stale_pending_intents(
    session: AsyncSession, providers: list[str], before: datetime, limit: int
) -> list[PaymentIntent]:
    """Pending intents a provider knows of (it has given an id) not touched since ``before``."""
    rows = await session.execute(
        select(PaymentIntent)
        .where(
            PaymentIntent.status == PaymentStatus.PENDING,
            PaymentIntent.provider.in_(providers),
            PaymentIntent.gateway_ref.is_not(None),
            PaymentIntent.updated_at <= before,
        )
        .order_by(PaymentIntent.updated_at, PaymentIntent.id)
        .limit(limit)
    )
    return list(rows.scalars().all())


async def touch_pending(session: AsyncSession, intent_id: str, at: datetime) -> None:
    await session.execute(
        update(PaymentIntent)
        .where(PaymentIntent.id == intent_id, PaymentIntent.status == PaymentStatus.PENDING)
        .values(updated_at=at)
    )


async def claim_due_voids(
    session: AsyncSession, providers: list[str], now: datetime, lease_until: datetime, limit: int
) -> list[PaymentIntent]:
    """Take up to ``limit`` voided or failed intents a provider knows of (it gave them an id)
    whose cancellation there is due, leasing them from other workers."""
    due = PaymentIntent.void_due_at
    query = select(PaymentIntent).where(
        PaymentIntent.status.in_((PaymentStatus.CANCELLED, PaymentStatus.FAILED)),
        due <= now,
        PaymentIntent.provider.in_(providers),
        PaymentIntent.gateway_ref.is_not(None),
    )
    return await _lease(
        session, query.order_by(due, PaymentIntent.id), "void_due_at", lease_until, limit
    )


async def _lease(
    session: AsyncSession, query: Any, due_field: str, lease_until: datetime, limit: int
) -> list[Any]:
    """The rows ``query`` finds (up to ``limit``, skipping those another worker holds), each
    made due again only at ``lease_until``: a worker that dies with them frees them then."""
    rows = (
        (
            await session.execute(
                query.limit(limit)
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )
    for row in rows:
        setattr(row, due_field, lease_until)
    await session.flush()
    return list(rows)


async def record_void(
    session: AsyncSession,
    intent_id: str,
    *,
    attempts: int,
    due_at: datetime | None,
    voided_at: datetime | None,
) -> None:
    """The outcome of one try at cancelling an intent at its provider: done (``voided_at``),
    due again at ``due_at``, or given up (neither)."""
    await session.execute(
        update(PaymentIntent)
        .where(PaymentIntent.id == intent_id)
        .values(void_attempts=attempts, void_due_at=due_at, voided_at_provider=voided_at)
    )


async def claim_due_refunds(
    session: AsyncSession, now: datetime, lease_until: datetime, limit: int
) -> list[tuple[PaymentRefund, PaymentIntent]]:
    """Take up to ``limit`` refunds due to be sent, leasing them from other senders."""
    rows = (
        await session.execute(
            select(PaymentRefund, PaymentIntent)
            .join(PaymentIntent, PaymentIntent.id == PaymentRefund.intent_id)
            .where(PaymentRefund.status == "pending", PaymentRefund.next_attempt_at <= now)
            .order_by(PaymentRefund.next_attempt_at, PaymentRefund.id)
            .limit(limit)
            .with_for_update(of=PaymentRefund, skip_locked=True)
        )
    ).all()
    for refund, _ in rows:
        refund.next_attempt_at = lease_until
    await session.flush()
    return [(refund, intent) for refund, intent in rows]


async def record_refund_result(
    session: AsyncSession,
    refund_id: str,
    *,
    status: str,
    attempts: int,
    next_attempt_at: datetime | None,
    error: str | None,
    gateway_ref: str | None,
    sent_at: datetime | None,
) -> None:
    await session.execute(
        update(PaymentRefund)
        .where(PaymentRefund.id == refund_id, PaymentRefund.status == "pending")
        .values(
            status=status,
            attempts=attempts,
            next_attempt_at=next_attempt_at,
            last_error=error,
            gateway_ref=gateway_ref,
            sent_at=sent_at,
        )
    )


async def search_refunds(
    session: AsyncSession, *, limit: int, before_id: str | None, status: str | None
) -> list[tuple[PaymentRefund, PaymentIntent]]:
    """Refunds newest first (``limit + 1`` of them, for the page's "more"), with their intents."""
    query = (
        select(PaymentRefund, PaymentIntent)
        .join(PaymentIntent, PaymentIntent.id == PaymentRefund.intent_id)
        .order_by(PaymentRefund.id.desc())
        .limit(limit + 1)
    )
    if before_id is not None:
        query = query.where(PaymentRefund.id < before_id)
    if status:
        query = query.where(PaymentRefund.status == status)
    return [(refund, intent) for refund, intent in (await session.execute(query)).all()]


async def refund_with_intent(
    session: AsyncSession, refund_id: str
) -> tuple[PaymentRefund, PaymentIntent] | None:
    row = (
        await session.execute(
            select(PaymentRefund, PaymentIntent)
            .join(PaymentIntent, PaymentIntent.id == PaymentRefund.intent_id)
            .where(PaymentRefund.id == refund_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def requeue_failed_refund(session: AsyncSession, refund_id: str, at: datetime) -> bool:
    """A failed refund is due again, its tries started over; False if it is not failed (now)."""
    result = await session.execute(
        update(PaymentRefund)
        .where(PaymentRefund.id == refund_id, PaymentRefund.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def set_pending_amount(
    session: AsyncSession, intent_id: str, amount: int, at: datetime
) -> bool:
    """What a pending intent asks for (a cash order's amount due), changed."""
    result = await session.execute(
        update(PaymentIntent)
        .where(PaymentIntent.id == intent_id, PaymentIntent.status == PaymentStatus.PENDING)
        .values(amount=amount, updated_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def add_refunded(session: AsyncSession, intent_id: str, amount: int, at: datetime) -> bool:
    """Count ``amount`` as refunded if that much captured money is left; False otherwise."""
    result = await session.execute(
        update(PaymentIntent)
        .where(
            PaymentIntent.id == intent_id,
            PaymentIntent.status.in_(CAPTURED_STATUSES),
            PaymentIntent.refunded_amount + amount <= PaymentIntent.captured_amount,
        )
        .values(
            refunded_amount=PaymentIntent.refunded_amount + amount,
            status=case(
                (
                    PaymentIntent.refunded_amount + amount >= PaymentIntent.captured_amount,
                    PaymentStatus.REFUNDED,
                ),
                else_=PaymentIntent.status,
            ),
            updated_at=at,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def attempt_by_key(session: AsyncSession, intent_id: str, key: str) -> PaymentAttempt | None:
    result = await session.execute(
        select(PaymentAttempt).where(
            PaymentAttempt.intent_id == intent_id, PaymentAttempt.idempotency_key == key
        )
    )
    return result.scalar_one_or_none()


async def has_pending_attempt(session: AsyncSession, intent_id: str) -> bool:
    result = await session.execute(
        select(PaymentAttempt.id)
        .where(
            PaymentAttempt.intent_id == intent_id, PaymentAttempt.outcome == PaymentStatus.PENDING
        )
        .limit(1)
    )
    return result.first() is not None


async def refund_by_key(session: AsyncSession, intent_id: str, key: str) -> PaymentRefund | None:
    result = await session.execute(
        select(PaymentRefund).where(
            PaymentRefund.intent_id == intent_id, PaymentRefund.idempotency_key == key
        )
    )
    return result.scalar_one_or_none()


async def sum_captured(session: AsyncSession) -> int:
    total = await session.scalar(
        select(
            func.coalesce(
                func.sum(PaymentIntent.captured_amount - PaymentIntent.refunded_amount), 0
            )
        )
    )
    return int(total or 0)


async def captured_by_order(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(
            PaymentIntent.order_id,
            func.sum(PaymentIntent.captured_amount - PaymentIntent.refunded_amount),
        )
        .where(PaymentIntent.captured_amount > 0)
        .group_by(PaymentIntent.order_id)
    )
    return {order_id: int(net) for order_id, net in rows.all()}


# The sandbox gateway's outgoing webhooks.


async def add_sandbox_delivery(session: AsyncSession, delivery: SandboxWebhookDelivery) -> None:
    session.add(delivery)
    await session.flush()


async def claim_due_deliveries(
    session: AsyncSession, now: datetime, lease_until: datetime, limit: int
) -> list[SandboxWebhookDelivery]:
    """Take up to ``limit`` due deliveries, leasing them so that no other sender takes them."""
    due = SandboxWebhookDelivery.next_attempt_at
    query = select(SandboxWebhookDelivery).where(
        SandboxWebhookDelivery.status == "pending", due <= now
    )
    return await _lease(
        session,
        query.order_by(due, SandboxWebhookDelivery.id),
        "next_attempt_at",
        lease_until,
        limit,
    )


async def record_delivery_result(
    session: AsyncSession,
    delivery_id: str,
    *,
    status: str,
    attempts: int,
    next_attempt_at: datetime,
    error: str | None,
    delivered_at: datetime | None,
) -> None:
    await session.execute(
        update(SandboxWebhookDelivery)
        .where(SandboxWebhookDelivery.id == delivery_id)
        .values(
            status=status,
            attempts=attempts,
            next_attempt_at=next_attempt_at,
            last_error=error,
            delivered_at=delivered_at,
        )
    )


# An order's receipt.


async def captured_intents(session: AsyncSession, order_id: str) -> list[PaymentIntent]:
    """Every payment of an order that captured money (of any kind), oldest first."""
    result = await session.execute(
        select(PaymentIntent)
        .where(PaymentIntent.order_id == order_id, PaymentIntent.captured_amount > 0)
        .order_by(PaymentIntent.created_at, PaymentIntent.id)
        .execution_options(populate_existing=True)
    )
    return list(result.scalars())


async def refunds_of_order(session: AsyncSession, order_id: str) -> list[PaymentRefund]:
    """Every refund of an order's payments, oldest first."""
    result = await session.execute(
        select(PaymentRefund)
        .join(PaymentIntent, PaymentIntent.id == PaymentRefund.intent_id)
        .where(PaymentIntent.order_id == order_id)
        .order_by(PaymentRefund.created_at, PaymentRefund.id)
    )
    return list(result.scalars())
