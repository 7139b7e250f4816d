"""The logistics service's reactions to the orders service's events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.clock import ensure_aware
from kirana.kit.outbox import Event, subscribe, subscribe_batch
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


@subscribe_batch("order.confirmed", consumer="logistics.dispatch")
async def dispatch_confirmed_orders(session: AsyncSession, events: list[Event]) -> None:
    """A share of confirmed orders at once: their deliveries opened together, and each store's
    waiting orders dispatched once for the share rather than once per order."""
    await service.start_deliveries(
        session,
        [
            service.Opening(
                order_id=str(e.payload["order_id"]),
                store_id=str(e.payload["store_id"]),
                drop_lat=_coordinate(e.payload.get("drop_lat")),
                drop_lng=_coordinate(e.payload.get("drop_lng")),
                items=_count(e.payload.get("items")),
                promised_by=_time(e.payload.get("promised_by")),
            )
            for e in events
        ],
    )


@subscribe("order.packed", consumer="logistics.packed")
async def bag_packed(session: AsyncSession, event: Event) -> None:
    await service.order_packed(session, str(event.payload["order_id"]))


@subscribe("order.cancelled", consumer="logistics.cancel_delivery")
async def cancel_delivery(session: AsyncSession, event: Event) -> None:
    await service.cancel_delivery(session, str(event.payload["order_id"]))
