"""The logistics service's reactions to the orders service's events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.clock import ensure_aware
from kirana.kit.outbox import Event, subscribe
from kirana.logistics import service


def _coordinate(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return ensure_aware(datetime.fromisoformat(value))
    except ValueError:
        return None


@subscribe("order.confirmed", consumer="logistics.dispatch")
async def dispatch_confirmed_order(session: AsyncSession, event: Event) -> None:
    await service.start_delivery(
        session,
        order_id=str(event.payload["order_id"]),
        store_id=str(event.payload["store_id"]),
        drop_lat=_coordinate(event.payload.get("drop_lat")),
        drop_lng=_coordinate(event.payload.get("drop_lng")),
        items=_count(event.payload.get("items")),
        promised_by=_time(event.payload.get("promised_by")),
    )


@subscribe("order.packed", consumer="logistics.packed")
async def bag_packed(session: AsyncSession, event: Event) -> None:
    await service.order_packed(session, str(event.payload["order_id"]))


@subscribe("order.cancelled", consumer="logistics.cancel_delivery")
async def cancel_delivery(session: AsyncSession, event: Event) -> None:
    await service.cancel_delivery(session, str(event.payload["order_id"]))
