"""Every query of the logistics service about riders: their rows, shifts and positions, the
store's outlook of them, and their claims on deliveries (the deliveries themselves:
delivery_repository; trips: trips_repository; the cash ledgers: cash_repository)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit.cache import CACHE_KEYS, CACHE_NEUTRAL
from kirana.kit.db import UTCDateTime, table_of
from kirana.kit.ids import new_id
from kirana.logistics.models import (
    Delivery,
    DeliveryTrip,
    Rider,
    RiderBreadcrumb,
    RiderShift,
)
from kirana.logistics.state import ACTIVE_STATUSES, DeliveryStatus, sources
from kirana.users.models import User

# The riders' cached states (positions.rider_state), by rider id: a write to one rider's row
# names it, so only that rider's state is forgotten (kit.cache.forget_on_writes).
RIDER_STATES = "rider_states"


def only_rider(rider_id: str) -> dict[str, Any]:
    return {CACHE_KEYS: {RIDER_STATES: (rider_id,)}}


def rowcount(result: Any) -> int:
    return int(result.rowcount)


async def rider_by_user(session: AsyncSession, user_id: str, *, lock: bool = False) -> Rider | None:
    query = select(Rider).where(Rider.user_id == user_id).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def rider_by_id(session: AsyncSession, rider_id: str, *, lock: bool = False) -> Rider | None:
    if not lock:
        return await session.get(Rider, rider_id)
    query = (
        select(Rider)
        .where(Rider.id == rider_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def riders_page(
    session: AsyncSession,
    *,
    store_id: str | None,
    after_id: str | None,
    limit: int,
    holding_cash: bool = False,
) -> list[Rider]:
    query = select(Rider).order_by(Rider.id).limit(limit)
    if holding_cash:
        query = query.where(Rider.cash_held > 0)
    if store_id is not None:
        query = query.where(Rider.store_id == store_id)
    if after_id is not None:
        query = query.where(Rider.id > after_id)
    return list((await session.execute(query)).scalars())


async def set_position(
    session: AsyncSession, rider_id: str, lat: float, lng: float, at: datetime
) -> None:
    await session.execute(
        update(Rider)
        .where(Rider.id == rider_id)
        .values(lat=lat, lng=lng, last_seen_at=at)
        .execution_options(**{CACHE_NEUTRAL: True})
    )


_riders = table_of(Rider)
# A Core statement built once (a report's sample is written every few seconds per rider):
# no ORM bulk-update machinery, no statement to build and look up in the cache each time.
_SET_POSITION_SAMPLED = (
    update(_riders)
    .where(
        _riders.c.id == bindparam("rider_id"),
        _riders.c.last_seen_at.is_(None) | (_riders.c.last_seen_at <= bindparam("unless_after")),
    )
    .values(lat=bindparam("new_lat"), lng=bindparam("new_lng"), last_seen_at=bindparam("at"))
    .execution_options(**{CACHE_NEUTRAL: True})
)


async def set_position_sampled(
    session: AsyncSession,
    rider_id: str,
    lat: float,
    lng: float,
    at: datetime,
    unless_after: datetime,
) -> bool:
    """Store the position unless the row was written after ``unless_after``; True if stored.
    A sample changes nothing the riders' cached states are read for (positions.rider_state),
    so it does not make them forget."""
    result = await session.execute(
        _SET_POSITION_SAMPLED,
        {
            "rider_id": rider_id,
            "new_lat": lat,
            "new_lng": lng,
            "at": at,
            "unless_after": unless_after,
        },
    )
    return rowcount(result) == 1


async def rider_with_trip(
    session: AsyncSession, user_id: str
) -> tuple[Rider, Delivery | None] | None:
    """The rider and the delivery they are on (if any), in one query."""
    row = (
        await session.execute(
            select(Rider, Delivery)
            .outerjoin(Delivery, Delivery.id == Rider.current_delivery_id)
            .where(Rider.user_id == user_id)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def set_online(session: AsyncSession, rider_id: str, online: bool, at: datetime) -> None:
    """Put the rider on or off shift, opening or closing its shift row (at most one open);
    either way the rider is no longer going off after their trip."""
    await session.execute(
        update(Rider)
        .where(Rider.id == rider_id)
        .values(is_online=online, off_after_trip=False, last_seen_at=at, updated_at=at)
        .execution_options(**only_rider(rider_id))
    )
    if not online:
        await _end_shift_row(session, rider_id, at)
        return
    open_shift = select(RiderShift.id).where(
        RiderShift.rider_id == rider_id, RiderShift.ended_at.is_(None)
    )
    if (await session.execute(open_shift)).first() is None:
        await session.execute(
            insert(RiderShift).from_select(
                ["id", "rider_id", "store_id", "started_at"],
                select(
                    literal(new_id()), Rider.id, Rider.store_id, literal(at, UTCDateTime())
                ).where(Rider.id == rider_id),
            )
        )


async def _end_shift_row(session: AsyncSession, rider_id: str, at: datetime) -> None:
    await session.execute(
        update(RiderShift)
        .where(RiderShift.rider_id == rider_id, RiderShift.ended_at.is_(None))
        .values(ended_at=at)
    )


async def go_off_after_trip(session: AsyncSession, rider_id: str, at: datetime) -> None:
    """The rider on shift asked to go off it mid-trip: no new trip; off at the trip's end."""
    await session.execute(
        update(Rider)
        .where(Rider.id == rider_id, Rider.is_online.is_(True))
        .values(off_after_trip=True, updated_at=at)
        .execution_options(**only_rider(rider_id))
    )


async def end_shift_if_going_off(session: AsyncSession, rider_id: str, at: datetime) -> bool:
    """Take the rider off shift if they asked to go off after their trip and are free now
    (one conditional update); True if their shift ended."""
    result = await session.execute(
        update(Rider)
        .where(
            Rider.id == rider_id,
            Rider.off_after_trip.is_(True),
            Rider.current_delivery_id.is_(None),
        )
        .values(is_online=False, off_after_trip=False, updated_at=at)
        .execution_options(**only_rider(rider_id))
    )
    if rowcount(result) != 1:
        return False
    await _end_shift_row(session, rider_id, at)
    return True


async def fleet_rows(
    session: AsyncSession, since: datetime, until: datetime, store_id: str | None
) -> tuple[Sequence[Any], Sequence[Any], Sequence[Any], Sequence[Any]]:
    """What the fleet report adds up over [since, until): the riders (of the store), their
    shifts and deliveries overlapping the window, and the breadcrumbs of those delivered."""
    riders_q = select(Rider.id, Rider.name, Rider.store_id, Rider.vehicle, Rider.is_online)
    if store_id is not None:
        riders_q = riders_q.where(Rider.store_id == store_id)
    riders = (await session.execute(riders_q.order_by(Rider.name, Rider.id))).all()
    ids = [r.id for r in riders]
    if not ids:
        return riders, [], [], []
    shifts = (
        await session.execute(
            select(RiderShift.rider_id, RiderShift.started_at, RiderShift.ended_at).where(
                RiderShift.rider_id.in_(ids),
                RiderShift.started_at < until,
                (RiderShift.ended_at.is_(None)) | (RiderShift.ended_at > since),
            )
        )
    ).all()
    ended = func.coalesce(Delivery.delivered_at, Delivery.cancelled_at)
    deliveries = (
        await session.execute(
            select(
                Delivery.id,
                Delivery.rider_id,
                Delivery.store_id,
                Delivery.status,
                Delivery.assigned_at,
                Delivery.delivered_at,
                ended.label("ended_at"),
                Delivery.drop_lat,
                Delivery.drop_lng,
            ).where(
                Delivery.rider_id.in_(ids),
                Delivery.assigned_at.is_not(None),
                Delivery.assigned_at < until,
                ended.is_(None) | (ended > since),
            )
        )
    ).all()
    delivered = [d.id for d in deliveries if d.delivered_at is not None]
    crumbs: list[Any] = []
    for start in range(0, len(delivered), 500):
        crumbs += (
            await session.execute(
                select(RiderBreadcrumb.delivery_id, RiderBreadcrumb.lat, RiderBreadcrumb.lng)
                .where(RiderBreadcrumb.delivery_id.in_(delivered[start : start + 500]))
                .order_by(RiderBreadcrumb.delivery_id, RiderBreadcrumb.recorded_at)
            )
        ).all()
    return riders, shifts, deliveries, crumbs


_RIDERS_ON_SHIFT = (
    select(
        func.count(),
        func.coalesce(func.sum(case((Rider.current_delivery_id.is_(None), 1), else_=0)), 0),
    )
    .select_from(Rider)
    .where(Rider.store_id == bindparam("store_id"), Rider.is_online.is_(True))
)


async def riders_on_shift(session: AsyncSession, store_id: str) -> tuple[int, int]:
    """(online, idle) riders of ``store_id``: idle ones have no delivery now."""
    row = (await session.execute(_RIDERS_ON_SHIFT, {"store_id": store_id})).first()
    return (int(row[0]), int(row[1])) if row is not None else (0, 0)


@dataclass(frozen=True, slots=True)
class ShiftRider:
    """An online rider as the delivery promise sees it: where, on what, and the trip if any."""

    id: str
    lat: float | None
    lng: float | None
    vehicle: str
    trip: ShiftTrip | None


@dataclass(frozen=True, slots=True)
class ShiftTrip:
    status: DeliveryStatus
    drop_lat: float | None
    drop_lng: float | None


_WAITING_COUNT = (
    select(func.count())
    .select_from(Delivery)
    .where(Delivery.store_id == bindparam("store_id"), Delivery.status == DeliveryStatus.WAITING)
)
# One row per online rider of the store (one row of NULLs when there is none), each with the
# store's count of deliveries waiting for a rider: what the promise needs, in one statement.
_ONE_ROW = select(literal(1).label("one")).subquery("one_row")
_OUTLOOK = (
    select(
        _WAITING_COUNT.scalar_subquery().label("waiting"),
        Rider.id,
        Rider.lat,
        Rider.lng,
        Rider.vehicle,
        Delivery.id.label("delivery_id"),
        Delivery.status,
        Delivery.drop_lat,
        Delivery.drop_lng,
    )
    .select_from(_ONE_ROW)
    # A rider going off after their trip will not be back for another.
    .outerjoin(
        Rider,
        (Rider.store_id == bindparam("store_id"))
        & Rider.is_online.is_(True)
        & Rider.off_after_trip.is_(False),
    )
    .outerjoin(Delivery, Delivery.id == Rider.current_delivery_id)
    .order_by(Rider.id)
)


async def later_drops_of(
    session: AsyncSession, rider_ids: Sequence[str]
) -> dict[str, list[Delivery]]:
    """Each rider's active drops after the one they are on, in their trip's order."""
    if not rider_ids:
        return {}
    rows = await session.execute(
        select(Delivery)
        .join(Rider, Rider.id == Delivery.rider_id)
        .where(
            Delivery.rider_id.in_(list(rider_ids)),
            Delivery.status.in_(ACTIVE_STATUSES),
            Delivery.id != Rider.current_delivery_id,
        )
        .order_by(Delivery.rider_id, Delivery.trip_seq, Delivery.id)
    )
    found: dict[str, list[Delivery]] = {}
    for d in rows.scalars():
        found.setdefault(str(d.rider_id), []).append(d)
    return found


async def shift_outlook(session: AsyncSession, store_id: str) -> tuple[list[ShiftRider], int]:
    """The online riders of ``store_id`` with the trip each is on, and how many of its
    deliveries wait for a rider."""
    rows = (await session.execute(_OUTLOOK, {"store_id": store_id})).all()
    riders = [
        ShiftRider(
            row.id,
            row.lat,
            row.lng,
            row.vehicle,
            None
            if row.delivery_id is None
            else ShiftTrip(DeliveryStatus(row.status), row.drop_lat, row.drop_lng),
        )
        for row in rows
        if row.id is not None
    ]
    return riders, int(rows[0].waiting)


async def idle_riders(session: AsyncSession, store_id: str) -> list[Rider]:
    """Online riders of ``store_id`` without a delivery; rows another dispatcher holds are
    skipped (PostgreSQL), so two dispatchers never wait on each other."""
    query = (
        select(Rider)
        .where(
            Rider.store_id == store_id,
            Rider.is_online.is_(True),
            Rider.off_after_trip.is_(False),
            Rider.current_delivery_id.is_(None),
        )
        .order_by(Rider.id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(query)).scalars())


async def claim_riders(session: AsyncSession, trips: dict[str, str]) -> int:
    """Put the rider of each new trip (``trips``: trip id -> rider id), if still idle and
    online, on the trip's first drop, in one statement; the number claimed (fewer than the
    trips: someone else got some of the riders first). The rider objects already loaded are
    left as they are: dispatch, which holds every idle rider of a store, reads none of them
    again (evaluating the update against each would be most of the cost of a big store's
    run)."""
    if not trips:
        return 0
    rider_ids = list(trips.values())
    trip_table = table_of(DeliveryTrip)
    first_drop = (
        select(Delivery.id)
        .join(trip_table, trip_table.c.id == Delivery.trip_id)
        .where(
            trip_table.c.id.in_(list(trips)),
            trip_table.c.rider_id == Rider.id,
            Delivery.trip_seq == 0,
        )
        .scalar_subquery()
    )
    result = await session.execute(
        update(Rider)
        .where(
            Rider.id.in_(rider_ids),
            Rider.is_online.is_(True),
            Rider.off_after_trip.is_(False),
            Rider.current_delivery_id.is_(None),
        )
        .values(current_delivery_id=first_drop)
        .execution_options(synchronize_session=False, **{CACHE_KEYS: {RIDER_STATES: rider_ids}})
    )
    return rowcount(result)


@dataclass(frozen=True, slots=True)
class Assignment:
    """A waiting delivery given to a rider's trip, at its place among the drops."""

    delivery_id: str
    rider_id: str
    trip_id: str
    trip_seq: int
    pick_after: datetime | None


_deliveries = table_of(Delivery)
_ASSIGN = (
    update(_deliveries)
    .where(
        _deliveries.c.id == bindparam("b_id"),
        # Not IN: an executemany statement cannot expand a list.
        or_(*(_deliveries.c.status == s for s in sources(DeliveryStatus.ASSIGNED))),
    )
    .values(
        status=DeliveryStatus.ASSIGNED,
        rider_id=bindparam("b_rider_id"),
        trip_id=bindparam("b_trip_id"),
        trip_seq=bindparam("b_trip_seq"),
        pick_after=bindparam("b_pick_after"),
        assigned_at=bindparam("b_at"),
        updated_at=bindparam("b_at"),
    )
)


async def assign_deliveries(
    session: AsyncSession, assignments: Sequence[Assignment], at: datetime
) -> int:
    """Move waiting deliveries onto their new trips (one statement run for all of them); the
    number moved, counted on the trips (fewer than given: some were assigned or cancelled
    meanwhile, and stay as they are). A waiting delivery has no rider: only the riders it is
    given to have their states forgotten."""
    if not assignments:
        return 0
    await session.execute(
        _ASSIGN.execution_options(
            **{CACHE_KEYS: {RIDER_STATES: sorted({a.rider_id for a in assignments})}}
        ),
        [
            {
                "b_id": a.delivery_id,
                "b_rider_id": a.rider_id,
                "b_trip_id": a.trip_id,
                "b_trip_seq": a.trip_seq,
                "b_pick_after": a.pick_after,
                "b_at": at,
            }
            for a in assignments
        ],
    )
    # The trips are new: a delivery on one was moved by the statement above, and by no other.
    moved = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.trip_id.in_(sorted({a.trip_id for a in assignments})))
    )
    return int(moved or 0)


async def release_rider(session: AsyncSession, rider_id: str, delivery_id: str) -> None:
    await session.execute(
        update(Rider)
        .where(Rider.id == rider_id, Rider.current_delivery_id == delivery_id)
        .values(current_delivery_id=None)
        .execution_options(**only_rider(rider_id))
    )


# --- the team ---------------------------------------------------------------------------------


async def team_page(
    session: AsyncSession,
    *,
    roles: Sequence[str],
    store_id: str | None,
    after_id: str | None,
    limit: int,
) -> list[tuple[User, Rider | None]]:
    """Store staff and riders (with their rider row), newest first."""
    query = (
        select(User, Rider)
        .outerjoin(Rider, Rider.user_id == User.id)
        .where(User.role.in_(roles))
        .order_by(User.id.desc())
        .limit(limit)
    )
    if store_id is not None:
        query = query.where(User.store_id == store_id)
    if after_id is not None:
        query = query.where(User.id < after_id)
    return [(u, r) for u, r in (await session.execute(query)).all()]
