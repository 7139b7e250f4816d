"""Starting a run's trips together: one claim lost (an order cancelled, a rider gone off shift
while the run planned) costs only its own trip, and overwrites nothing."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.logistics import batching, dispatch
from kirana.logistics import delivery_repository as deliveries_repo
from kirana.logistics import repository as repo
from tests.logistics.fleet import add_rider
from tests.logistics.test_trips import three_waiting

AFTER_PLANNING = {
    "cancelled": "UPDATE deliveries SET status = 'cancelled', cancelled_at = :now WHERE id = :d",
    "off shift": "UPDATE riders SET is_online = :false WHERE id = :r",
}


async def _start_two_trips(db: Database, client: httpx.AsyncClient, meanwhile: str | None) -> Any:
    """Three waiting orders and two idle riders: the first rider's trip takes two drops, the
    second's one; ``meanwhile`` changes the first trip's second drop or rider after planning."""
    shop, _ = await three_waiting(db, client)
    for _ in range(2):
        await add_rider(db, client, shop.store_id)
    async with db.transaction() as session:  # on shift without dispatching yet
        await session.execute(text("UPDATE riders SET is_online = :t"), {"t": True})
    async with db.transaction() as session:
        store = await dispatch.store_place(session, shop.store_id)
        first, second, third = await deliveries_repo.waiting_deliveries(
            session, shop.store_id, limit=10
        )
        one, two = await repo.idle_riders(session, shop.store_id)
        planned = [
            batching.PlannedTrip(
                one.id, (first.id, second.id), "batched", 0.0, 0.0, (60.0, 120.0), 300.0
            ),
            batching.PlannedTrip(two.id, (third.id,), "batched", 0.0, 0.0, (60.0,), 200.0),
        ]
        now = clock.now()
        if meanwhile in AFTER_PLANNING:
            await session.execute(
                text(AFTER_PLANNING[meanwhile]),
                {"now": now, "d": second.id, "r": one.id, "false": False},
            )
        assigned = await dispatch.start_trips(
            session,
            store,
            planned,
            {d.id: d for d in (first, second, third)},
            {one.id: one, two.id: two},
            now,
        )
    async with db.transaction(write=False) as session:
        deliveries = {
            row.id: (row.status, row.rider_id, row.trip_id, row.trip_seq)
            for row in await session.execute(
                text("SELECT id, status, rider_id, trip_id, trip_seq FROM deliveries")
            )
        }
        riders = dict(
            (await session.execute(text("SELECT id, current_delivery_id FROM riders"))).all()
        )
        trips = (
            await session.execute(
                text("SELECT id, rider_id FROM delivery_trips WHERE ended_at IS NULL")
            )
        ).all()
        events = await session.scalar(
            text("SELECT count(*) FROM outbox WHERE type = 'delivery.assigned'")
        )
    return (
        assigned,
        (first.id, second.id, third.id),
        (one.id, two.id),
        {
            "deliveries": deliveries,
            "riders": riders,
            "trips": trips,
            "events": events,
        },
    )


async def test_a_drop_cancelled_while_planning_costs_only_its_own_trip(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    assigned, (first, second, third), (one, two), found = await _start_two_trips(
        db, client, "cancelled"
    )
    assert assigned == 1
    [(trip_id, trip_rider)] = found["trips"]
    assert trip_rider == two
    assert found["deliveries"][third] == ("assigned", two, trip_id, 0)
    assert found["deliveries"][first] == ("waiting", None, None, None)  # back for the next run
    assert found["deliveries"][second] == ("cancelled", None, None, None)  # not overwritten
    assert found["riders"] == {one: None, two: third}
    assert found["events"] == 1


async def test_a_rider_gone_off_shift_while_planning_costs_only_their_trip(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    assigned, (first, second, third), (one, two), found = await _start_two_trips(
        db, client, "off shift"
    )
    assert assigned == 1
    [(trip_id, trip_rider)] = found["trips"]
    assert trip_rider == two
    assert found["deliveries"][third] == ("assigned", two, trip_id, 0)
    for waiting in (first, second):
        assert found["deliveries"][waiting] == ("waiting", None, None, None)
    assert found["riders"] == {one: None, two: third}
    assert found["events"] == 1


async def test_trips_with_every_claim_good_all_start_in_their_order(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    assigned, (first, second, third), (one, two), found = await _start_two_trips(db, client, None)
    assert assigned == 3
    trips = {rider: trip for trip, rider in found["trips"]}
    assert found["deliveries"][first] == ("assigned", one, trips[one], 0)
    assert found["deliveries"][second] == ("assigned", one, trips[one], 1)
    assert found["deliveries"][third] == ("assigned", two, trips[two], 0)
    assert found["riders"] == {one: first, two: third}
    assert found["events"] == 3
