"""Difference payments: the customer agreed to pay the store's dearer price for a substitute,
on an order already paid by card or UPI, so the difference is charged as a payment of its own
(``kind`` difference), through the same gateway and browser flow as the order's payment.

Razorpay captures only the amount it authorised, so "authorise more, capture less" would not
work with every provider; a second payment does. The orders service approves the substitute
once its ``payment.succeeded`` arrives (the event carries the substitution's id); a difference
that arrives too late (the offer lapsed or was declined, the order was cancelled) is refunded.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock
from kirana.kit.errors import Conflict
from kirana.payments import intents, refunds
from kirana.payments import repository as repo
from kirana.payments.schemas import PaymentRead
from kirana.payments.state import PaymentStatus


async def pay_difference(
    session: AsyncSession,
    *,
    order_id: str,
    substitution_id: str,
    amount: int,
) -> PaymentRead:
    """The payment of a substitute's price difference, made once per substitution: a pending
    one of this amount is returned again; one of another amount (the bill moved meanwhile) is
    voided and replaced; a failed one is replaced (the customer tries again)."""
    live = await repo.live_intent_for_order(session, order_id)
    if live is None or live.method == "cod" or live.status != PaymentStatus.SUCCEEDED:
        raise Conflict(
            "Only an order paid by card or UPI pays a difference online",
            code="difference_not_payable",
        )
    for found in await repo.difference_intents(session, order_id, substitution_id):
        if found.status == PaymentStatus.SUCCEEDED:
            return intents.to_read(found)
        if found.status == PaymentStatus.PENDING:
            if found.amount == amount:
                return intents.to_read(found)
            await repo.move_pending(
                session, found.id, status=PaymentStatus.CANCELLED, at=clock.now()
            )
    row = intents.new_row(
        order_id=order_id,
        customer_id=live.customer_id,
        amount=amount,
        currency=live.currency,
        method=live.method,
        kind="difference",
        substitution_id=substitution_id,
    )
    await repo.add_intent(session, row)
    return intents.read_of(row)


async def difference_payments(session: AsyncSession, order_id: str) -> dict[str, PaymentRead]:
    """Each substitution's latest difference payment, by substitution id."""
    return {
        str(i.substitution_id): intents.to_read(i)
        for i in await repo.difference_intents(session, order_id)
    }


async def void_differences(
    session: AsyncSession, order_id: str, substitution_id: str | None = None
) -> None:
    """The offer was answered otherwise or lapsed: its difference payment still pending is
    voided (and cancelled at its provider after the commit)."""
    for found in await repo.difference_intents(session, order_id, substitution_id):
        if found.status == PaymentStatus.PENDING:
            await repo.move_pending(
                session, found.id, status=PaymentStatus.CANCELLED, at=clock.now()
            )


async def refund_unused_difference(session: AsyncSession, payment_id: str, reason: str) -> int:
    """A difference was captured but its substitute did not go out: all that is left of it
    goes back, once. Returns the amount refunded."""
    found = await repo.intent_by_id(session, payment_id)
    if found is None or found.status != PaymentStatus.SUCCEEDED:
        return 0
    left = found.captured_amount - found.refunded_amount
    if left <= 0:
        return 0
    done = await refunds.refund(
        session, found.id, left, reason, idempotency_key="difference-unused"
    )
    return done.amount
