"""The delivery promise: a P50/P90 range from the store's picking queue, the time until a rider
is free at the store, and the ride to the customer.

* Picking: the orders not yet packed come first, shared among ``pickers_per_store`` pickers;
  each order takes the store's ``prep_minutes`` plus ``pick_seconds_per_item`` per item.
* A rider: riders of the store on shift, each free after the ride back (idle) or after
  finishing the trip they are on (busy); deliveries still waiting for a rider take the soonest
  ones first. With nobody on shift a rider has to be found, which takes longer and says so.
* The bag leaves when it is packed and a rider is there, then rides to the customer
  (:func:`kirana.logistics.travel.travel_seconds`) and is handed over.

What went in is returned with the promise, so checkout can keep it beside what happened.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.config import Settings
from kirana.kit.cache import cache_named, get_or_set
from kirana.logistics import locations
from kirana.logistics import repository as repo
from kirana.logistics.ports import PickingQueue
from kirana.logistics.state import DeliveryStatus
from kirana.logistics.travel import DEFAULT_VEHICLE, travel_seconds

PromiseStatus = Literal["on_time", "riders_busy", "finding_rider"]

HANDOVER_SECONDS = 60.0  # at the door: the code, the bag, cash if any
# With nobody on shift one has to be called in: minutes added to (p50, p90).
FINDING_RIDER_MINUTES = (20, 45)


@dataclass(frozen=True, slots=True)
class PromiseInputs:
    """What the promise was made from (minutes, rounded to a tenth)."""

    items: int
    queue_orders: int
    queue_items: int
    pick_minutes: float  # until this order is packed: the queue ahead, then its own picking
    riders_online: int
    riders_idle: int
    waiting_deliveries: int  # orders ahead of this one with no rider yet
    rider_wait_minutes: float | None  # until a rider is free at the store; None: none on shift
    travel_minutes: float
    vehicle: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class DeliveryPromise:
    """What the customer is told: a median and a 90th-percentile time, and why it is so."""

    p50: int
    p90: int
    status: PromiseStatus
    inputs: PromiseInputs


def pick_seconds(
    settings: Settings, *, prep_minutes: int, items: int, queue: PickingQueue
) -> float:
    """Seconds until an order of ``items`` is packed, behind ``queue``."""
    per_order = prep_minutes * 60.0
    ahead = (queue.orders * per_order + queue.items * settings.pick_seconds_per_item) / max(
        1, settings.pickers_per_store
    )
    return ahead + per_order + items * settings.pick_seconds_per_item


class Placed(Protocol):
    """A rider as the promise reads it (an ORM row or the outlook's)."""

    @property
    def lat(self) -> float | None: ...
    @property
    def lng(self) -> float | None: ...
    @property
    def vehicle(self) -> str: ...


class Trip(Protocol):
    @property
    def status(self) -> DeliveryStatus: ...
    @property
    def drop_lat(self) -> float | None: ...
    @property
    def drop_lng(self) -> float | None: ...


def rider_free_seconds(
    rider: Placed,
    trip: Trip | None,
    fix: locations.Fix | None,
    store_lat: float,
    store_lng: float,
    later: Sequence[Trip] = (),
) -> float:
    """Seconds until ``rider`` is back at the store and free: the ride back when idle, else
    the rest of the trip they are on (via the store if the bag is still to be picked up): the
    drop they are on (``trip``), then the ``later`` drops of their trip in turn."""
    if fix is not None:
        lat, lng = fix.lat, fix.lng
    elif rider.lat is not None and rider.lng is not None:
        lat, lng = rider.lat, rider.lng
    else:  # no position yet: waiting at the store
        lat, lng = store_lat, store_lng
    vehicle = rider.vehicle
    if trip is None:
        return travel_seconds(lat, lng, store_lat, store_lng, vehicle)
    drop_lat = trip.drop_lat if trip.drop_lat is not None else store_lat
    drop_lng = trip.drop_lng if trip.drop_lng is not None else store_lng
    if trip.status == DeliveryStatus.ASSIGNED:
        to_drop = travel_seconds(lat, lng, store_lat, store_lng, vehicle) + travel_seconds(
            store_lat, store_lng, drop_lat, drop_lng, vehicle
        )
    else:
        to_drop = travel_seconds(lat, lng, drop_lat, drop_lng, vehicle)
    for drop in later:
        next_lat = drop.drop_lat if drop.drop_lat is not None else store_lat
        next_lng = drop.drop_lng if drop.drop_lng is not None else store_lng
        to_drop += HANDOVER_SECONDS + travel_seconds(
            drop_lat, drop_lng, next_lat, next_lng, vehicle
        )
        drop_lat, drop_lng = next_lat, next_lng
    return (
        to_drop
        + HANDOVER_SECONDS
        + travel_seconds(drop_lat, drop_lng, store_lat, store_lng, vehicle)
    )


@dataclass(frozen=True, slots=True)
class RiderOutlook:
    """The store's riders on shift as the promise sees them."""

    free: tuple[tuple[float, bool, str], ...]  # (seconds until free, idle, vehicle), soonest first
    idle: int
    waiting: int  # deliveries with no rider yet


async def rider_outlook(
    session: AsyncSession, settings: Settings, store: catalog.StoreInfo
) -> RiderOutlook:
    """When each rider of ``store`` on shift is free at the store, and the deliveries waiting;
    reused for ``settings.pricing_cache_seconds``, like the store's load for the surge fee (a
    second old is fine for an estimate, and three queries on every serviceability check of a
    busy store are not)."""

    async def look() -> RiderOutlook:
        riders, waiting = await repo.shift_outlook(session, store.id)
        fixes = await locations.current().many([r.id for r in riders]) if riders else {}
        # A trip's drops after the one its rider is on (batched dispatch): only when some
        # rider is on one, so an idle store's promise stays one statement.
        later = await repo.later_drops_of(session, [r.id for r in riders if r.trip])
        free = sorted(
            (
                rider_free_seconds(
                    r, r.trip, fixes.get(r.id), store.lat, store.lng, later.get(r.id, ())
                ),
                r.trip is None,
                r.vehicle,
            )
            for r in riders
        )
        idle = sum(1 for r in riders if r.trip is None)
        return RiderOutlook(free=tuple(free), idle=idle, waiting=waiting)

    cache = cache_named("promise", settings.database_url, settings.pricing_cache_seconds)
    return await get_or_set(cache, ("riders", store.id), look)


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 1)


async def delivery_promise(
    session: AsyncSession,
    settings: Settings,
    store: catalog.StoreInfo,
    *,
    lat: float,
    lng: float,
    items: int,
    queue: PickingQueue,
) -> DeliveryPromise:
    """The delivery time ``store`` can keep now for ``items`` items to (lat, lng)."""
    store_lat, store_lng = store.lat, store.lng
    riders = await rider_outlook(session, settings, store)
    free, waiting = riders.free, riders.waiting
    picked = pick_seconds(settings, prep_minutes=store.prep_minutes, items=items, queue=queue)
    status: PromiseStatus
    if free:
        # The riders are taken soonest-free first by the deliveries waiting ahead; past one
        # each, a rider comes back for another after a round trip.
        rounds, slot = divmod(waiting, len(free))
        back_in, is_idle, vehicle = free[slot]
        ride = travel_seconds(store_lat, store_lng, lat, lng, vehicle)
        rider_wait: float | None = back_in + rounds * (2 * ride + HANDOVER_SECONDS)
        status = "on_time" if is_idle and rounds == 0 else "riders_busy"
    else:
        vehicle = DEFAULT_VEHICLE
        ride = travel_seconds(store_lat, store_lng, lat, lng, vehicle)
        rider_wait = None
        status = "finding_rider"
    total = max(picked, rider_wait or 0.0) + ride + HANDOVER_SECONDS
    p50 = max(1, math.ceil(total / 60))
    p90 = p50 + max(2, math.ceil(p50 / 2))
    if status == "finding_rider":
        p50, p90 = p50 + FINDING_RIDER_MINUTES[0], p90 + FINDING_RIDER_MINUTES[1]
    inputs = PromiseInputs(
        items=items,
        queue_orders=queue.orders,
        queue_items=queue.items,
        pick_minutes=_minutes(picked),
        riders_online=len(free),
        riders_idle=riders.idle,
        waiting_deliveries=waiting,
        rider_wait_minutes=None if rider_wait is None else _minutes(rider_wait),
        travel_minutes=_minutes(ride),
        vehicle=vehicle,
    )
    return DeliveryPromise(p50, p90, status, inputs)
