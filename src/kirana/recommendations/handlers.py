"""Paid orders refresh the recommendation rows at once (the outbox's consumer)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.outbox import Event, subscribe_batch
from kirana.recommendations import service


@subscribe_batch("order.confirmed", consumer="recommendations.models")
async def refresh_models(session: AsyncSession, events: list[Event]) -> None:
    """A share of paid orders at once: the counts of their products and pairs add up in one
    statement per table, their rows locked in one order, so relays side by side never
    deadlock on the popular products both count."""
    await service.orders_paid(
        session,
        [(str(e.payload["customer_id"]), str(e.payload["order_id"])) for e in events],
    )
