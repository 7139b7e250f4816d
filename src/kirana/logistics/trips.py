"""A trip's life after dispatch: the rider moving from drop to drop, and planning it again.

A trip is planned again when its rider goes offline or silent (no position for
``dispatch_silent_seconds``) or is late at the store (``dispatch_late_seconds`` past the plan,
and not there): the drops not yet picked up go back to the pool for the next dispatch, the bags
the rider holds stay with them, re-sequenced from where they are. A cancelled order's drop
leaves its trip; the rider goes on to the next drop, or is free. A rider who asked to go off
shift mid-trip goes off as their trip ends, however it ends.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock
from kirana.kit.clock import ensure_aware
from kirana.kit.geo import haversine_m
from kirana.kit.outbox import emit
from kirana.logistics import delivery_repository as deliveries_repo
from kirana.logistics import dispatch, locations
from kirana.logistics import repository as repo
from kirana.logistics import trips_repository as trips_repo
from kirana.logistics.models import Delivery, DeliveryTrip, Rider
from kirana.logistics.state import DeliveryStatus, sources
from kirana.logistics.travel import travel_seconds

# A rider this close to the store is there (waiting for a bag is not being late).
AT_STORE_M = 150.0


async def drop_finished(session: AsyncSession, rider_id: str, delivery: Delivery) -> bool:
    """``delivery`` was handed over or cancelled: put its rider on the trip's next drop, or
    free them and end the trip. True when the rider is free."""
    if delivery.trip_id is None:  # a delivery from before trips
        await repo.release_rider(session, rider_id, delivery.id)
        await repo.end_shift_if_going_off(session, rider_id, clock.now())
        return True
    rest = await trips_repo.active_drops_of_trip(session, delivery.trip_id)
    if rest:
        await trips_repo.point_rider_at(session, rider_id, delivery.trip_id, rest[0].id)
        return False
    await _end(session, rider_id, delivery.trip_id)
    return True


async def _end(session: AsyncSession, rider_id: str, trip_id: str) -> None:
    """The trip has no drop left: end it and free its rider, whose shift ends here if they
    asked to go off after it."""
    now = clock.now()
    await trips_repo.point_rider_at(session, rider_id, trip_id, None)
    await trips_repo.end_trip(session, trip_id, now)
    await repo.end_shift_if_going_off(session, rider_id, now)


def best_order(
    start: tuple[float, float], drops: list[Delivery], vehicle: str, now: datetime
) -> list[Delivery]:
    """The order of at most three bags that keeps the most promises, then is quickest: every
    permutation is tried (six at most), which is exact."""

    def cost(order: Sequence[Delivery]) -> tuple[float, float]:
        at, here, late = 0.0, start, 0.0
        for d in order:
            there = (d.drop_lat or start[0], d.drop_lng or start[1])
            at += travel_seconds(*here, *there, vehicle)
            if d.promised_by is not None:
                left = (ensure_aware(d.promised_by) - now).total_seconds()
                late += max(0.0, at - left)
            here = there
        return late, at

    best: Sequence[Delivery] = drops
    for candidate in itertools.permutations(drops):
        if cost(candidate) < cost(best):
            best = candidate
    return list(best)


async def _return_to_pool(session: AsyncSession, drops: list[Delivery], rider: Rider) -> None:
    now = clock.now()
    for d in drops:
        moved = await deliveries_repo.move_delivery(
            session,
            d.id,
            from_statuses=sources(DeliveryStatus.WAITING),
            status=DeliveryStatus.WAITING,
            rider_id=None,
            trip_id=None,
            trip_seq=None,
            pick_after=None,
            assigned_at=None,
            updated_at=now,
        )
        if moved:
            await emit(session, "delivery.unassigned", dispatch.delivery_event(d, rider))


def _position(rider: Rider, fix: locations.Fix | None) -> tuple[float, float] | None:
    if fix is not None:
        return fix.lat, fix.lng
    if rider.lat is not None and rider.lng is not None:
        return rider.lat, rider.lng
    return None


async def replan(session: AsyncSession, trip: DeliveryTrip, rider: Rider, *, why: str) -> None:
    """Give back the trip's drops not yet picked up; re-sequence the bags the rider holds."""
    drops = await trips_repo.active_drops_of_trip(session, trip.id)
    unpicked = [d for d in drops if d.status == DeliveryStatus.ASSIGNED]
    held = [d for d in drops if d.status == DeliveryStatus.PICKED_UP]
    await trips_repo.count_replan(session, trip.id)
    await _return_to_pool(session, unpicked, rider)
    if held:
        fix = await locations.current().get(rider.id)
        start = _position(rider, fix) or (held[0].drop_lat or 0.0, held[0].drop_lng or 0.0)
        ordered = best_order(start, held, rider.vehicle, clock.now())
        await trips_repo.resequence(session, [d.id for d in ordered])
        await trips_repo.point_rider_at(session, rider.id, trip.id, ordered[0].id)
    else:
        await _end(session, rider.id, trip.id)
    dispatch.log.info("trip %s of rider %s planned again: %s", trip.id, rider.id, why)


async def replan_trips(session: AsyncSession) -> int:
    """Plan again every open trip whose rider went offline or silent, or is late at the
    store; then dispatch those stores' waiting orders. The number of trips planned again."""
    s = dispatch.settings()
    now = clock.now()
    silent_for = timedelta(seconds=s.dispatch_silent_seconds)
    late_by = timedelta(seconds=s.dispatch_late_seconds)
    stores: set[str] = set()
    replanned = 0
    open_trips = await trips_repo.open_trips(session)
    drops_of = await trips_repo.active_drops_of_trips(session, [t.id for t, _ in open_trips])
    for trip, rider in open_trips:
        drops = drops_of.get(trip.id, [])
        if not drops:  # every drop finished some other way
            await _end(session, rider.id, trip.id)
            stores.add(trip.store_id)
            continue
        if not any(d.status == DeliveryStatus.ASSIGNED for d in drops):
            continue  # every bag is with the rider: nothing to give back
        fix = await locations.current().get(rider.id)
        seen = fix.at if fix is not None else rider.last_seen_at
        why = None
        if not rider.is_online:
            why = "the rider went offline"
        elif seen is None or now - ensure_aware(seen) > silent_for:
            why = "the rider went silent"
            # Off shift, as a dropped connection would be: the app puts them back on.
            await repo.set_online(session, rider.id, False, now)
        elif now > ensure_aware(trip.at_store_by) + late_by:
            store = await dispatch.store_place(session, trip.store_id)
            here = _position(rider, fix)
            if here is not None and haversine_m(*here, store.lat, store.lng) > AT_STORE_M:
                why = "the rider is late at the store"
        if why is None:
            continue
        await replan(session, trip, rider, why=why)
        replanned += 1
        stores.add(trip.store_id)
    for store_id in sorted(stores):
        await dispatch.dispatch_waiting(session, store_id)
    return replanned
