"""Dispatch: give a store's waiting orders to its idle online riders, as trips.

A trip is one rider's run from the store with one to three drops of that store, in order. The
strategy is a setting (``dispatch_strategy``): ``nearest`` gives each order, oldest first, the
nearest idle rider alone (straight-line distance from the rider's last position, the location
index's else the row's sample; a rider with no position yet is taken to be at the store);
``batched`` plans trips with PyVRP (``logistics.batching``) and falls back to the nearest rule
where the solver has no plan. Either way the trip's drops get a time to start picking
(``pick_after``) so each bag is packed as the rider reaches the store, not sooner.

With no idle rider the orders wait and are dispatched when a rider of the store comes online or
frees up (and by a periodic sweep, which also catches a wakeup lost to a concurrent
transaction).

Double assignment is impossible by construction: riders are claimed with a conditional update
(``current_delivery_id IS NULL``), deliveries with another (still waiting), each counting the
rows it matched; candidate rows held by a concurrent dispatcher are skipped rather than waited
on, trips whose claims do not all succeed are rolled back whole (a savepoint), and a partial
unique index allows one open trip per rider. A run's trips are written together (one statement
per table, whatever their number); when one of them loses a claim, they are rolled back and
claimed one trip at a time, so the others still start.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.config import Settings, get_settings
from kirana.kit import clock
from kirana.kit.clock import ensure_aware
from kirana.kit.geo import haversine_m
from kirana.kit.ids import new_id
from kirana.kit.outbox import emit_many
from kirana.logistics import batching, locations
from kirana.logistics import delivery_repository as deliveries_repo
from kirana.logistics import repository as repo
from kirana.logistics import trips_repository as trips_repo
from kirana.logistics.models import Delivery, DeliveryTrip, Rider
from kirana.logistics.travel import seconds_matrix, travel_seconds

log = logging.getLogger(__name__)
_settings: Settings | None = None
# Waiting orders one run considers per idle rider (a bag's worth, twice over).
WAITING_PER_RIDER = 6


def configure(settings: Settings) -> None:
    """Dispatch with these settings (the app's, or the simulator's) from now on."""
    global _settings
    _settings = settings


def settings() -> Settings:
    return _settings if _settings is not None else get_settings()


def distance_to_store(
    rider: Rider,
    store_lat: float | None,
    store_lng: float | None,
    fix: locations.Fix | None = None,
) -> float:
    """From the rider's freshest position (the location index's, else the row's sample)."""
    lat, lng = (fix.lat, fix.lng) if fix is not None else (rider.lat, rider.lng)
    if lat is None or lng is None or store_lat is None or store_lng is None:
        return 0.0  # no fix yet: the rider is waiting at the store
    return haversine_m(lat, lng, store_lat, store_lng)


def by_distance(
    riders: list[Rider],
    store_lat: float | None,
    store_lng: float | None,
    fixes: dict[str, locations.Fix] | None = None,
) -> list[Rider]:
    fixes = fixes or {}
    return sorted(
        riders,
        key=lambda r: (distance_to_store(r, store_lat, store_lng, fixes.get(r.id)), r.id),
    )


def delivery_event(delivery: Delivery, rider: Rider) -> dict[str, str]:
    """What every ``delivery.*`` event carries."""
    return {
        "delivery_id": delivery.id,
        "order_id": delivery.order_id,
        "rider_id": rider.id,
        "rider_user_id": rider.user_id,
        "store_id": delivery.store_id,
    }


def pick_seconds(s: Settings, prep_minutes: int, items: int | None) -> float:
    """How long picking and packing one order takes (the promise's rule, without the queue)."""
    return prep_minutes * 60.0 + max(0, items or 0) * s.pick_seconds_per_item


def drop_of(
    delivery: Delivery, s: Settings, prep_minutes: int, now: datetime, store: tuple[float, float]
) -> batching.Drop:
    """A waiting delivery as the planner sees it; a drop with no coordinates is at the store."""
    if delivery.packed_at is not None:
        ready = 0.0
    else:  # picking starts at confirmation unless dispatch says later
        started = ensure_aware(delivery.created_at)
        ready = (started - now).total_seconds() + pick_seconds(s, prep_minutes, delivery.items)
    due = None
    if delivery.promised_by is not None:
        margin = s.dispatch_promise_margin_seconds + batching.HANDOVER_SECONDS
        due = (ensure_aware(delivery.promised_by) - now).total_seconds() - margin
    lat = delivery.drop_lat if delivery.drop_lat is not None else store[0]
    lng = delivery.drop_lng if delivery.drop_lng is not None else store[1]
    return batching.Drop(delivery.id, lat, lng, delivery.items or 0, max(0.0, ready), due)


def courier_of(
    rider: Rider, fix: locations.Fix | None, store: tuple[float, float]
) -> batching.Courier:
    lat, lng = (fix.lat, fix.lng) if fix is not None else (rider.lat, rider.lng)
    if lat is None or lng is None:
        return batching.Courier(rider.id, rider.vehicle, 0.0, 0.0)
    return batching.Courier(
        rider.id,
        rider.vehicle,
        haversine_m(lat, lng, *store),
        travel_seconds(lat, lng, *store, rider.vehicle),
    )


@dataclass(frozen=True, slots=True)
class StorePlace:
    id: str
    lat: float
    lng: float
    prep_minutes: int


async def store_place(session: AsyncSession, store_id: str) -> StorePlace:
    store = await catalog.get_store(session, settings(), store_id)
    return StorePlace(store.id, store.lat, store.lng, store.prep_minutes)


async def dispatch_waiting(session: AsyncSession, store_id: str) -> int:
    """Give the store's waiting deliveries to its idle riders by the configured strategy;
    the number of deliveries assigned."""
    riders = await repo.idle_riders(session, store_id)
    if not riders:
        return 0
    s = settings()
    store = await store_place(session, store_id)
    here = (store.lat, store.lng)
    batched = s.dispatch_strategy == "batched"
    limit = len(riders) * (WAITING_PER_RIDER if batched else 1)
    waiting = await deliveries_repo.waiting_deliveries(session, store_id, limit=limit)
    if not waiting:
        return 0
    now = clock.now()
    fixes = await locations.current().many([r.id for r in riders])
    drops = [drop_of(d, s, store.prep_minutes, now, here) for d in waiting]
    couriers = [courier_of(r, fixes.get(r.id), here) for r in riders]

    def ride(drop: batching.Drop, vehicle: str) -> float:
        return travel_seconds(*here, drop.lat, drop.lng, vehicle)

    if batched:
        policy = batching.Policy(
            s.dispatch_bag_items, s.dispatch_max_drops, s.dispatch_solver_seconds
        )
        try:
            plan = await anyio.to_thread.run_sync(
                batching.plan_batched, drops, couriers, here, policy, seconds_matrix
            )
        except Exception:  # the planner must never cost an order its rider
            log.exception("batched dispatch failed at store %s; nearest rider instead", store_id)
            plan = batching.Plan(trips=batching.plan_nearest(drops, couriers, ride, "fallback"))
        for reason in plan.fallbacks:
            log.info("dispatch at store %s fell back to the nearest rider: %s", store_id, reason)
        trips = plan.trips
    else:
        trips = batching.plan_nearest(drops, couriers, ride)
    by_id = {d.id: d for d in waiting}
    riders_by_id = {r.id: r for r in riders}
    return await start_trips(session, store, trips, by_id, riders_by_id, now)


def _at(now: datetime, seconds: float) -> datetime:
    return now + timedelta(seconds=max(0.0, seconds))


async def start_trips(
    session: AsyncSession,
    store: StorePlace,
    planned: Sequence[batching.PlannedTrip],
    deliveries: dict[str, Delivery],
    riders: dict[str, Rider],
    now: datetime,
) -> int:
    """Start the planned trips; the number of deliveries assigned. Every trip is claimed at
    once, in a few statements whatever their number; when a claim fails (a rider or an order
    taken meanwhile), trip by trip instead, each whole or not at all."""
    if not planned:
        return 0
    started = await _claim_trips(session, store, planned, deliveries, now)
    if started is None:
        started = []
        for trip in planned if len(planned) > 1 else ():
            started += await _claim_trips(session, store, [trip], deliveries, now) or []
    await emit_many(
        session,
        [
            (
                "delivery.assigned",
                delivery_event(deliveries[delivery_id], riders[trip.rider_id])
                | {"trip_id": trip_id, "sequence": seq + 1, "strategy": trip.strategy},
                None,
            )
            for trip, trip_id in started
            for seq, delivery_id in enumerate(trip.delivery_ids)
        ],
    )
    return sum(len(trip.delivery_ids) for trip, _ in started)


async def _claim_trips(
    session: AsyncSession,
    store: StorePlace,
    planned: Sequence[batching.PlannedTrip],
    deliveries: dict[str, Delivery],
    now: datetime,
) -> list[tuple[batching.PlannedTrip, str]] | None:
    """Claim the riders and every drop of the trips, or nothing (None: someone else was
    quicker for one of them); each trip with the id it was given."""
    s = settings()
    rows = [
        DeliveryTrip(
            id=new_id(),
            store_id=store.id,
            rider_id=p.rider_id,
            strategy=p.strategy,
            created_at=now,
            at_store_by=_at(now, p.at_store_s),
            depart_at=_at(now, p.depart_s),
            back_at=None if p.back_s is None else _at(now, p.back_s),
            replans=0,
        )
        for p in planned
    ]
    assignments = []
    for p, trip in zip(planned, rows, strict=True):
        for seq, delivery_id in enumerate(p.delivery_ids):
            delivery = deliveries[delivery_id]
            # Just in time: packed as the rider can leave, never before it is needed.
            pick_after = trip.depart_at - timedelta(
                seconds=pick_seconds(s, store.prep_minutes, delivery.items)
            )
            late = delivery.packed_at is not None or pick_after <= now
            assignments.append(
                repo.Assignment(delivery_id, p.rider_id, trip.id, seq, None if late else pick_after)
            )
    try:
        async with session.begin_nested():
            await trips_repo.add_trips(session, rows)
            # A drop assigned or cancelled meanwhile, or a rider taken, undoes every trip here.
            if await repo.assign_deliveries(session, assignments, now) != len(assignments):
                raise _Taken
            if await repo.claim_riders(session, {t.id: t.rider_id for t in rows}) != len(rows):
                raise _Taken
    except _Taken:
        return None
    return [(p, trip.id) for p, trip in zip(planned, rows, strict=True)]


class _Taken(Exception):
    """A claim of the trips failed: roll them back."""
