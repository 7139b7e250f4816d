"""The orders service's reactions to payment events. A failed payment cancels nothing: the
order waits for another payment until its window closes (``payment_window``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.outbox import Event, subscribe
from kirana.orders import lifecycle, substitutions


@subscribe("payment.succeeded", consumer="orders.confirm_paid_order")
async def confirm_paid_order(session: AsyncSession, event: Event) -> None:
    """The order's payment confirms it; a substitute's price difference approves it."""
    order_id = str(event.payload["order_id"])
    if event.payload.get("kind") == "difference":
        await substitutions.on_difference_paid(
            session,
            order_id,
            str(event.payload["substitution_id"]),
            str(event.payload["payment_id"]),
        )
        return
    await lifecycle.on_payment_succeeded(session, order_id)
