"""The orders service's reactions to payment events. A failed payment cancels nothing: the
order waits for another payment until its window closes (``payment_window``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.outbox import Event, subscribe_batch
from kirana.orders import lifecycle, substitutions


@subscribe_batch("payment.succeeded", consumer="orders.confirm_paid_order")
async def confirm_paid_orders(session: AsyncSession, events: list[Event]) -> None:
    """The orders' payments confirm them, a share's orders at once (locked in one query, their
    rows written in one statement per table); a substitute's price difference approves it.
    Events are taken in the share's order: the confirmations before a difference event are
    done before it."""
    confirming: list[str] = []
    for event in events:
        order_id = str(event.payload["order_id"])
        if event.payload.get("kind") != "difference":
            confirming.append(order_id)
            continue
        await lifecycle.on_payments_succeeded(session, confirming)
        confirming = []
        await substitutions.on_difference_paid(
            session,
            order_id,
            str(event.payload["substitution_id"]),
            str(event.payload["payment_id"]),
        )
    await lifecycle.on_payments_succeeded(session, confirming)
