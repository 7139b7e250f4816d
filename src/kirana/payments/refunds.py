"""Refunds: a part or all of a captured payment given back, once per key; an order's
payment settled when the order is cancelled; money captured after a cancellation returned.

The refund is recorded in the caller's transaction. A provider's API (Stripe, Razorpay) is
sent it after that commits, by the ``send_refunds`` job (``payments.jobs``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock
from kirana.kit.errors import BadRequest, Conflict, NotFound, ValidationFailed
from kirana.kit.ids import new_id
from kirana.kit.outbox import emit
from kirana.kit.pagination import Page, decode_cursor, id_page
from kirana.payments import repository as repo
from kirana.payments.gateways import gateway_for, remote_gateway
from kirana.payments.models import PaymentIntent, PaymentRefund
from kirana.payments.schemas import AdminRefundRead, RefundRead
from kirana.payments.state import CAPTURED_STATUSES, PaymentStatus


async def refund(
    session: AsyncSession,
    payment_id: str,
    amount: int,
    reason: str,
    *,
    idempotency_key: str | None = None,
) -> RefundRead:
    """Give back ``amount`` (a part, or all that is left) of a captured payment, once per
    ``idempotency_key``: the refund is recorded in the caller's transaction; a provider's API
    is sent it after that commits (the ``send_refunds`` job), with the key as its own.

    This signature is stable: orders and logistics refund substitutions and cancellations
    through it."""
    intent = await repo.intent_by_id(session, payment_id, lock=True)
    if intent is None:
        raise NotFound("No such payment", code="payment_not_found")
    key = idempotency_key or new_id()
    existing = await repo.refund_by_key(session, intent.id, key)
    if existing is not None:
        return _refund_read(existing)
    if amount <= 0:
        raise ValidationFailed("A refund amount must be positive", code="invalid_amount")
    if intent.status not in CAPTURED_STATUSES:
        raise Conflict(
            f"Only a captured payment can be refunded; this one is {intent.status}",
            code="payment_not_captured",
        )
    if not await repo.add_refunded(session, intent.id, amount, clock.now()):
        raise Conflict(
            "The refund is more than what is left of the captured amount",
            code="refund_exceeds_captured",
        )
    remote = remote_gateway(intent.provider) is not None
    row = PaymentRefund(
        id=new_id(),
        intent_id=intent.id,
        amount=amount,
        reason=reason[:200],
        idempotency_key=key,
        status="pending" if remote else "sent",
        attempts=0,
        next_attempt_at=clock.now() if remote else None,
        sent_at=None if remote else clock.now(),
    )
    if not await repo.insert_unique(session, row):
        raise Conflict("This refund is being made already", code="refund_in_progress")
    await gateway_for(intent.provider).refund(session, intent, row)
    await emit(
        session,
        "payment.refunded",
        {
            "payment_id": intent.id,
            "order_id": intent.order_id,
            "amount": amount,
            "refund_id": row.id,
        },
    )
    return _refund_read(row)


def _refund_read(row: PaymentRefund) -> RefundRead:
    return RefundRead(id=row.id, payment_id=row.intent_id, amount=row.amount, reason=row.reason)


async def paid_for_order(session: AsyncSession, order_id: str) -> int:
    """What the customer has paid for an order and not had back: its own payment and any
    difference payments, captured less refunded."""
    return _paid(await repo.paying_intents(session, order_id))


def _paid(intents: list[PaymentIntent]) -> int:
    return sum(
        i.captured_amount - i.refunded_amount for i in intents if i.status in CAPTURED_STATUSES
    )


async def _refund_over(
    session: AsyncSession, intents: list[PaymentIntent], amount: int, reason: str, key: str
) -> int:
    """Give back ``amount`` from the captured ``intents`` in their order (differences first),
    each at most what is left of it, once per ``key``; returns what was refunded."""
    refunded = 0
    for intent in intents:
        left = intent.captured_amount - intent.refunded_amount
        take = min(amount - refunded, left)
        if intent.status not in CAPTURED_STATUSES or take <= 0:
            continue
        refunded += (await refund(session, intent.id, take, reason, idempotency_key=key)).amount
    return refunded


async def settle_cancelled_order(
    session: AsyncSession, order_id: str, *, refund_amount: int | None, reason: str
) -> None:
    """An order was cancelled: refund what was captured (its own payment's and any
    difference's), or void what is still pending."""
    intents = await repo.paying_intents(session, order_id)
    for intent in intents:
        if intent.status == PaymentStatus.PENDING:
            await repo.move_pending(
                session, intent.id, status=PaymentStatus.CANCELLED, at=clock.now()
            )
    left = _paid(intents)
    amount = min(refund_amount, left) if refund_amount else left
    if amount > 0:
        await _refund_over(
            session, intents, amount, f"order cancelled: {reason}", f"order-cancelled:{order_id}"
        )


async def can_pay(session: AsyncSession, order_id: str, total: int) -> bool:
    """Whether an open order's payments cover ``total`` as they are: a cash order's do (the
    rider collects it); a paid one's up to what was paid (more takes a difference payment)."""
    intent = await repo.live_intent_for_order(session, order_id)
    if intent is None:
        return False
    if intent.method == "cod":
        return intent.status == PaymentStatus.PENDING
    return await paid_for_order(session, order_id) >= total


async def settle_order_change(
    session: AsyncSession, order_id: str, *, new_total: int, reason: str, idempotency_key: str
) -> int:
    """An open order's total changed (a line the store could not fill, a substitute): a cash
    order's amount due becomes ``new_total``; a paid one gets back what it paid above it
    (from a difference payment first), once per ``idempotency_key``. Returns the amount
    refunded."""
    intent = await repo.live_intent_for_order(session, order_id)
    if intent is None:
        return 0
    if intent.method == "cod":
        if intent.status == PaymentStatus.PENDING:
            await repo.set_pending_amount(session, intent.id, new_total, clock.now())
        return 0
    intents = await repo.paying_intents(session, order_id)
    paid = _paid(intents)
    if paid <= new_total:
        return 0
    return await _refund_over(session, intents, paid - new_total, reason, idempotency_key)


async def refund_late_capture(
    session: AsyncSession, intent_id: str, *, payment_ref: str | None = None
) -> None:
    """The gateway captured money for an intent we had voided or seen fail (the order was
    cancelled while a UPI collect was in flight, the customer paid again another way, a page
    confirmed a declined Stripe PaymentIntent again with another card): record the capture
    and give it straight back. It is then no longer the order's payment (``kind`` late), so
    the order's next payment, if it has one, stays its only live one."""
    intent = await repo.intent_by_id(session, intent_id)
    if intent is None or intent.status not in (PaymentStatus.CANCELLED, PaymentStatus.FAILED):
        return
    captured = await repo.move_pending(
        session,
        intent.id,
        status=PaymentStatus.SUCCEEDED,
        at=clock.now(),
        captured_amount=intent.amount,
        from_status=intent.status,
        gateway_payment_ref=payment_ref,
        kind="late",
    )
    if captured and intent.amount > 0:
        await refund(
            session,
            intent.id,
            intent.amount,
            "captured after the order was cancelled",
            idempotency_key="late-capture",
        )


def _admin_read(row: tuple[PaymentRefund, PaymentIntent]) -> AdminRefundRead:
    refund, intent = row
    return AdminRefundRead(
        id=refund.id,
        payment_id=intent.id,
        order_id=intent.order_id,
        provider=intent.provider,
        amount=refund.amount,
        currency=intent.currency,
        reason=refund.reason,
        status=refund.status,
        attempts=refund.attempts,
        last_error=refund.last_error,
        next_attempt_at=refund.next_attempt_at,
        created_at=refund.created_at,
        sent_at=refund.sent_at,
    )


async def list_refunds(
    session: AsyncSession, *, cursor: str | None, limit: int, status: str | None
) -> Page[AdminRefundRead]:
    """Refunds newest first; ``status="failed"``: those the provider never took, after the
    last of their tries (``payment_refund_max_attempts``)."""
    key = decode_cursor(cursor, 1)
    if key is not None and not isinstance(key[0], str):
        raise BadRequest("The cursor is not one this API gave out", code="invalid_cursor")
    pairs = await repo.search_refunds(
        session, limit=limit, before_id=key[0] if key else None, status=status
    )
    return id_page(pairs, limit, _admin_read, key=lambda pair: pair[0].id)


async def retry_refund(session: AsyncSession, refund_id: str) -> AdminRefundRead:
    """An admin sends a failed refund again now: it is due at once, its tries start over, and
    the ``send_refunds`` job sends it with the same idempotency key (one refund at the
    provider, however often it is retried)."""
    found = await repo.refund_with_intent(session, refund_id)
    if found is None:
        raise NotFound("No such refund", code="refund_not_found")
    if not await repo.requeue_failed_refund(session, refund_id, clock.now()):
        raise Conflict(
            f"Only a failed refund can be sent again; this one is {found[0].status}",
            code="refund_not_failed",
        )
    again = await repo.refund_with_intent(session, refund_id)
    assert again is not None
    return _admin_read(again)
