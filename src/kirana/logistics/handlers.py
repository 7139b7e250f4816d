"""The logistics service's reactions to the orders service's events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.outbox import Event, subscribe
from kirana.logistics import service


def _coordinate(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


@subscribe("order.confirmed", consumer="logistics.dispatch")
async def dispatch_confirmed_order(session: AsyncSession, event: Event) -> None:
    await service.start_delivery(
        session,
        order_id=str(event.payload["order_id"]),
        store_id=str(event.payload["store_id"]),
        drop_lat=_coordinate(event.payload.get("drop_lat")),
        drop_lng=_coordinate(event.payload.get("drop_lng")),
    )


@subscribe("order.cancelled", consumer="logistics.cancel_delivery")
async def cancel_delivery(session: AsyncSession, event: Event) -> None:
    await service.cancel_delivery(session, str(event.payload["order_id"]))
