"""Paid orders refresh the recommendation rows at once (the outbox's consumer)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.outbox import Event, subscribe
from kirana.recommendations import service


@subscribe("order.confirmed", consumer="recommendations.models")
async def refresh_models(session: AsyncSession, event: Event) -> None:
    await service.order_paid(
        session, str(event.payload["customer_id"]), str(event.payload["order_id"])
    )
