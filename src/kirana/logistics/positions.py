"""What telemetry needs of logistics: who a reporting rider is now, and the sampled trail.

A position report is checked against :func:`rider_state` (the rider, its shift, its delivery
and where that delivery goes); accepted ones go to the location index
(:mod:`kirana.logistics.locations`) on every report, and to the database only as a sample
(:func:`record_sample`): the rider's row and a breadcrumb of the trip at most once per
``every``.

A rider reports every few seconds and its state changes a few times an hour, so the state is
kept for ``account_cache_seconds`` (``kit.cache``), forgotten on every process as soon as a
write to riders, deliveries or stores commits (a rider going off shift is refused at once).
The sampled position writes are the exception: they change nothing the state holds.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.config import Settings
from kirana.kit.cache import TTLCache, cache_named, forget_on_writes
from kirana.kit.clock import ensure_aware
from kirana.kit.ids import new_id
from kirana.logistics import delivery_repository as deliveries_repo
from kirana.logistics import repository as repo
from kirana.logistics.batching import HANDOVER_SECONDS
from kirana.logistics.locations import Fix
from kirana.logistics.models import Delivery, Rider, RiderBreadcrumb
from kirana.logistics.schemas import CurrentDelivery, RiderRead
from kirana.logistics.state import DeliveryStatus
from kirana.logistics.travel import travel_seconds


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
    last_seen_at: datetime | None  # of the row when the state was read (a sample's time)
    trip: TripLeg | None
    vehicle: str = "scooter"
    cash_held: int = 0
    # The row's sampled position, for an answer when the location index has none.
    lat: float | None = None
    lng: float | None = None
    off_after_trip: bool = False
    # The trip's drops after ``trip`` (the one the rider is on), in the order they are ridden.
    later: tuple[TripLeg, ...] = ()


# A write to a rider's row or its delivery forgets that rider's state; one to a store (its
# position is in the trip), or one that does not say whose it is, forgets them all.
forget_on_writes(
    repo.RIDER_STATES,
    "riders",
    "deliveries",
    "stores",
    keys={"riders": lambda rider: rider.id, "deliveries": lambda delivery: delivery.rider_id},
)
_RIDER_IDS: dict[str, str] = {}  # user id -> rider id: a rider row keeps its account


def _states(settings: Settings) -> TTLCache:
    return cache_named(
        repo.RIDER_STATES,
        settings.database_url,
        settings.account_cache_seconds,
        max_entries=65_536,
    )


async def rider_state(
    session: AsyncSession, settings: Settings, *, user_id: str
) -> RiderState | None:
    """The rider whose account ``user_id`` is, with the delivery they are on (one query when
    not cached; the store's position from the catalog's cached store list)."""
    found = cached_rider_state(settings, user_id)
    if found is not None:
        return found
    cache = _states(settings)
    rider_id = _RIDER_IDS.get(user_id)
    stamp = cache.stamp(rider_id)  # a write committed while we read must not be outlived
    found = await _read_state(session, settings, user_id)
    if found is not None:
        if len(_RIDER_IDS) > 200_000:
            _RIDER_IDS.clear()
        _RIDER_IDS[user_id] = found.rider_id
        if rider_id is None or rider_id == found.rider_id:
            cache.set(found.rider_id, found, stamp=stamp)
    return found


def cached_rider_state(settings: Settings, user_id: str) -> RiderState | None:
    """``rider_state`` if it is cached, without a database; None if it must be read."""
    rider_id = _RIDER_IDS.get(user_id)
    if rider_id is None:
        return None
    found: RiderState | None = _states(settings).get(rider_id)
    return found if found is not None and found.user_id == user_id else None


async def _read_state(session: AsyncSession, settings: Settings, user_id: str) -> RiderState | None:
    row = await repo.rider_with_trip(session, user_id)
    if row is None:
        return None
    rider, delivery = row
    store = None
    later: list[Delivery] = []
    if delivery is not None:
        store = (await catalog.stores(session, settings)).get(delivery.store_id)
        later = (await repo.later_drops_of(session, [rider.id])).get(rider.id, [])
    return state_of(rider, delivery, (store.lat, store.lng) if store else (None, None), later)


def _leg(delivery: Delivery, store_at: tuple[float | None, float | None]) -> TripLeg:
    return TripLeg(
        delivery_id=delivery.id,
        order_id=delivery.order_id,
        status=delivery.status,
        store_lat=store_at[0],
        store_lng=store_at[1],
        drop_lat=delivery.drop_lat,
        drop_lng=delivery.drop_lng,
    )


def state_of(
    rider: Rider,
    delivery: Delivery | None,
    store_at: tuple[float | None, float | None] = (None, None),
    later: Sequence[Delivery] = (),
) -> RiderState:
    """The rider and the delivery they are on (from ``store_at``, the store's position), with
    the trip's drops after it."""
    trip = None if delivery is None else _leg(delivery, store_at)
    return RiderState(
        rider_id=rider.id,
        user_id=rider.user_id,
        store_id=rider.store_id,
        name=rider.name,
        is_online=rider.is_online,
        last_seen_at=rider.last_seen_at,
        trip=trip,
        vehicle=rider.vehicle,
        cash_held=rider.cash_held,
        lat=rider.lat,
        lng=rider.lng,
        off_after_trip=rider.off_after_trip,
        later=tuple(_leg(d, store_at) for d in later),
    )


def drop_etas(state: RiderState, lat: float, lng: float) -> dict[str, int | None]:
    """Minutes until each customer of the rider's trip has their bag, by order id, the rider
    being at (lat, lng): by the store first while the bag is still to be picked up, then each
    drop in turn, counting the ride to every drop before it and the hand-over there. A drop
    without coordinates has no ETA (it is taken to be where the rider is)."""
    if state.trip is None:
        return {}
    here, seconds = (lat, lng), 0.0
    first = state.trip
    if first.status == DeliveryStatus.ASSIGNED and first.store_lat is not None:
        assert first.store_lng is not None
        seconds += travel_seconds(*here, first.store_lat, first.store_lng, state.vehicle)
        here = (first.store_lat, first.store_lng)
    etas: dict[str, int | None] = {}
    for leg in (first, *state.later):
        if leg.drop_lat is None or leg.drop_lng is None:
            etas[leg.order_id] = None
        else:
            seconds += travel_seconds(*here, leg.drop_lat, leg.drop_lng, state.vehicle)
            here = (leg.drop_lat, leg.drop_lng)
            etas[leg.order_id] = max(1, math.ceil(seconds / 60))
        seconds += HANDOVER_SECONDS
    return etas


class Samples:
    """When this process last stored a sample of each rider on its current trip (or off one):
    a report that is not due touches no database at all, and a new trip is sampled at its
    first report. Each process keeps its own; :func:`record_sample`'s conditional writes keep
    the stored trail at about one sample per ``every`` between them."""

    def __init__(self, every: timedelta, max_riders: int = 100_000) -> None:
        self.every = every
        self.max_riders = max_riders
        self._last: OrderedDict[str, tuple[str | None, datetime]] = OrderedDict()

    def due(self, state: RiderState, at: datetime) -> bool:
        last = self._last.get(state.rider_id)
        trip = state.trip.delivery_id if state.trip else None
        return last is None or last[0] != trip or at - last[1] >= self.every

    def stored(self, state: RiderState, at: datetime) -> None:
        self._last[state.rider_id] = (state.trip.delivery_id if state.trip else None, at)
        self._last.move_to_end(state.rider_id)
        if len(self._last) > self.max_riders:
            self._last.popitem(last=False)


def as_read(state: RiderState, fix: Fix | None) -> RiderRead:
    """The rider as the rider app shows it, from the state and the position just accepted."""
    trip = state.trip
    return RiderRead(
        id=state.rider_id,
        user_id=state.user_id,
        name=state.name,
        store_id=state.store_id,
        vehicle=state.vehicle,
        is_online=state.is_online,
        off_after_trip=state.off_after_trip,
        lat=fix.lat if fix else state.lat,
        lng=fix.lng if fix else state.lng,
        last_seen_at=fix.at if fix else state.last_seen_at,
        cash_held=state.cash_held,
        current_delivery=None
        if trip is None
        else CurrentDelivery(id=trip.delivery_id, order_id=trip.order_id, status=trip.status),
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
    last = await deliveries_repo.last_breadcrumb_at(session, state.trip.delivery_id)
    if last is None or at - ensure_aware(last) >= every:
        await deliveries_repo.add_breadcrumb(
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
