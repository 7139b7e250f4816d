"""What an order's receipt shows of its money: each capture (the order's own payment, a
substitute's difference, a late capture given back) and each refund, in minor units."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.payments import repository as repo
from kirana.payments.schemas import PaidLine, RefundLine


async def money_of_order(
    session: AsyncSession, order_id: str
) -> tuple[list[PaidLine], list[RefundLine]]:
    """(captures, refunds) of an order, oldest first: their sums differ by what the customer
    has paid and not had back, as the auditor counts it."""
    paid = [
        PaidLine(
            payment_id=i.id,
            kind=i.kind,
            method=i.method,
            provider=i.provider,
            amount=i.captured_amount,
            currency=i.currency,
            at=i.settled_at,
            substitution_id=i.substitution_id,
        )
        for i in await repo.captured_intents(session, order_id)
    ]
    refunds = [
        RefundLine(
            refund_id=r.id,
            payment_id=r.intent_id,
            amount=r.amount,
            reason=r.reason,
            status=r.status,
            at=r.created_at,
        )
        for r in await repo.refunds_of_order(session, order_id)
    ]
    return paid, refunds
