"""The payments service's reactions to other services' events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.outbox import Event, subscribe
from kirana.payments import service


@subscribe("order.cancelled", consumer="payments.refund_cancelled_order")
async def refund_cancelled_order(session: AsyncSession, event: Event) -> None:
    """Refund a captured payment in full (or as the event says), or void a pending one."""
    refund_amount = event.payload.get("refund_amount")
    await service.settle_cancelled_order(
        session,
        str(event.payload["order_id"]),
        refund_amount=refund_amount if isinstance(refund_amount, int) else None,
        reason=str(event.payload.get("reason") or "cancelled"),
    )


@subscribe("order.delivered", consumer="payments.collect_cash")
async def collect_cash_on_delivery(session: AsyncSession, event: Event) -> None:
    await service.collect_cash(session, str(event.payload["order_id"]))
