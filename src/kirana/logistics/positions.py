"""What telemetry needs of logistics: who a reporting rider is now, and the sampled trail.

A position report is checked against :func:`rider_state` (the rider, its shift, its delivery
and where that delivery goes); accepted ones go to the location index
(:mod:`kirana.logistics.locations`) on every report, and to the database only as a sample
(:func:`record_sample`): the rider's row and a breadcrumb of the trip at most once per
``every``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.config import Settings
from kirana.kit.clock import ensure_aware
from kirana.kit.ids import new_id
from kirana.logistics import repository as repo
from kirana.logistics.models import RiderBreadcrumb
from kirana.logistics.state import DeliveryStatus


@dataclass(frozen=True, slots=True)
class TripLeg:
    delivery_id: str
    order_id: str
    status: DeliveryStatus
    store_lat: float | None
    store_lng: float | None
    drop_lat: float | None
    drop_lng: float | None


@dataclass(frozen=True, slots=True)
class RiderState:
    rider_id: str
    user_id: str
    store_id: str
    name: str
    is_online: bool
    last_seen_at: datetime | None
    trip: TripLeg | None
    vehicle: str = "scooter"


async def rider_state(
    session: AsyncSession, settings: Settings, *, user_id: str
) -> RiderState | None:
    """The rider whose account ``user_id`` is, with the delivery they are on (one query; the
    store's position from the catalog's cached store list)."""
    row = await repo.rider_with_trip(session, user_id)
    if row is None:
        return None
    rider, delivery = row
    trip = None
    if delivery is not None:
        store = (await catalog.stores(session, settings)).get(delivery.store_id)
        store_lat, store_lng = (store.lat, store.lng) if store else (None, None)
        trip = TripLeg(
            delivery_id=delivery.id,
            order_id=delivery.order_id,
            status=delivery.status,
            store_lat=store_lat,
            store_lng=store_lng,
            drop_lat=delivery.drop_lat,
            drop_lng=delivery.drop_lng,
        )
    return RiderState(
        rider_id=rider.id,
        user_id=rider.user_id,
        store_id=rider.store_id,
        name=rider.name,
        is_online=rider.is_online,
        last_seen_at=rider.last_seen_at,
        trip=trip,
        vehicle=rider.vehicle,
    )


async def record_sample(
    session: AsyncSession,
    state: RiderState,
    *,
    lat: float,
    lng: float,
    at: datetime,
    every: timedelta,
) -> bool:
    """Write the position to the rider's row unless it was written less than ``every`` ago (a
    conditional write: two processes taking reports of one rider at once store one), and a
    breadcrumb of the trip unless the trip has one that recent. True if a breadcrumb was added."""
    await repo.set_position_sampled(session, state.rider_id, lat, lng, at, at - every)
    if state.trip is None:
        return False
    last = await repo.last_breadcrumb_at(session, state.trip.delivery_id)
    if last is None or at - ensure_aware(last) >= every:
        await repo.add_breadcrumb(
            session,
            RiderBreadcrumb(
                id=new_id(),
                rider_id=state.rider_id,
                delivery_id=state.trip.delivery_id,
                lat=lat,
                lng=lng,
                recorded_at=at,
            ),
        )
        return True
    return False
