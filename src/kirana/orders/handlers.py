"""The orders service's reactions to payment events. A failed payment cancels nothing: the
order waits for another payment until its window closes (``payment_window``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.outbox import Event, subscribe
from kirana.orders import lifecycle


@subscribe("payment.succeeded", consumer="orders.confirm_paid_order")
async def confirm_paid_order(session: AsyncSession, event: Event) -> None:
    await lifecycle.on_payment_succeeded(session, str(event.payload["order_id"]))
