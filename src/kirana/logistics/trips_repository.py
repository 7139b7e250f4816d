"""Every query of riders' trips: a trip's drops, their order, and the rider on them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.cache import CACHE_NEUTRAL
from kirana.logistics.models import Delivery, DeliveryTrip, Rider
from kirana.logistics.repository import only_rider
from kirana.logistics.state import ACTIVE_STATUSES


async def add_trips(session: AsyncSession, trips: Sequence[DeliveryTrip]) -> None:
    """Insert the trips (one statement for many: the ORM batches their rows)."""
    session.add_all(trips)
    await session.flush()


async def trip_by_id(session: AsyncSession, trip_id: str) -> DeliveryTrip | None:
    query = (
        select(DeliveryTrip)
        .where(DeliveryTrip.id == trip_id)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def active_drops_of_trip(session: AsyncSession, trip_id: str) -> list[Delivery]:
    """The trip's drops not finished, in the trip's order."""
    return (await active_drops_of_trips(session, [trip_id])).get(trip_id, [])


async def active_drops_of_trips(
    session: AsyncSession, trip_ids: Sequence[str]
) -> dict[str, list[Delivery]]:
    """Each trip's drops not finished, in the trip's order, in one query (the re-planning
    sweep reads every open trip's)."""
    if not trip_ids:
        return {}
    rows = await session.execute(
        select(Delivery)
        .where(Delivery.trip_id.in_(list(trip_ids)), Delivery.status.in_(ACTIVE_STATUSES))
        .order_by(Delivery.trip_id, Delivery.trip_seq, Delivery.id)
        .execution_options(populate_existing=True)
    )
    drops: dict[str, list[Delivery]] = {}
    for delivery in rows.scalars():
        drops.setdefault(str(delivery.trip_id), []).append(delivery)
    return drops


async def open_trips(session: AsyncSession) -> list[tuple[DeliveryTrip, Rider]]:
    """Every trip not yet ended, with its rider."""
    rows = await session.execute(
        select(DeliveryTrip, Rider)
        .join(Rider, Rider.id == DeliveryTrip.rider_id)
        .where(DeliveryTrip.ended_at.is_(None))
        .order_by(DeliveryTrip.created_at, DeliveryTrip.id)
    )
    return [(t, r) for t, r in rows.all()]


async def end_trip(session: AsyncSession, trip_id: str, at: datetime) -> None:
    await session.execute(
        update(DeliveryTrip)
        .where(DeliveryTrip.id == trip_id, DeliveryTrip.ended_at.is_(None))
        .values(ended_at=at)
    )


async def count_replan(session: AsyncSession, trip_id: str) -> None:
    await session.execute(
        update(DeliveryTrip)
        .where(DeliveryTrip.id == trip_id)
        .values(replans=DeliveryTrip.replans + 1)
    )


async def point_rider_at(
    session: AsyncSession, rider_id: str, trip_id: str, delivery_id: str | None
) -> None:
    """Put the rider on trip ``trip_id``'s drop ``delivery_id`` (None: free again), unless
    they are on another trip's by now."""
    on_trip = select(Delivery.id).where(Delivery.trip_id == trip_id).scalar_subquery()
    await session.execute(
        update(Rider)
        .where(Rider.id == rider_id, Rider.current_delivery_id.in_(on_trip))
        .values(current_delivery_id=delivery_id)
        .execution_options(**only_rider(rider_id))
    )


async def resequence(session: AsyncSession, order: Sequence[str]) -> None:
    """Number a trip's drops again in the given order."""
    for seq, delivery_id in enumerate(order):
        await session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(trip_seq=seq)
            .execution_options(**{CACHE_NEUTRAL: True})  # nothing a rider's state holds
        )
