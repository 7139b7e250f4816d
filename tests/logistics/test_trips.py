"""Trips through the real services: batched dispatch, drops in turn, just-in-time picking,
cancellations, riders gone silent or late, and two dispatchers at once."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from kirana.catalog import service as catalog
from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.clock import ensure_aware
from kirana.kit.db import Database
from kirana.kit.outbox import drain
from kirana.logistics import dispatch, fleet, positions, promise, service
from kirana.logistics import trips_repository as trips_repo
from kirana.logistics.models import DeliveryTrip
from kirana.logistics.state import DeliveryStatus
from kirana.logistics.travel import travel_seconds
from tests.logistics.fleet import RiderLogin, add_rider, delivery_of, pack, shift, tasks
from tests.orders.shop import Shop, add_customer, fill_cart, make_shop, place

NORTH = [(60.1745, 24.9440), (60.1752, 24.9452), (60.1760, 24.9445)]
STORE = (60.17, 24.94)
FAR = (60.215, 24.94)  # 5 km north of the store
NEARBY = (60.19, 24.94)  # 2 km north: some minutes away (the access token outlives them)


@pytest.fixture
def batched(settings: Settings) -> Settings:
    chosen = settings.model_copy(
        update={"dispatch_strategy": "batched", "dispatch_solver_seconds": 1.0}
    )
    dispatch.configure(chosen)
    return chosen


async def order_to(
    db: Database, client: httpx.AsyncClient, shop: Shop, at: tuple[float, float]
) -> dict[str, Any]:
    """A confirmed cash order of a new customer living at ``at``, its events relayed."""
    _, headers, address_id = await add_customer(db, client, *at)
    await fill_cart(client, shop, headers=headers)
    r = await place(client, shop, headers=headers, address_id=address_id)
    assert r.status_code == 201, r.text
    await drain(db)
    body: dict[str, Any] = r.json()
    body["headers"] = headers
    return body


async def trip_rows(db: Database) -> list[dict[str, Any]]:
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(DeliveryTrip).order_by(DeliveryTrip.created_at, DeliveryTrip.id)
        )
        keys = ("id", "rider_id", "strategy", "replans", "ended_at", "at_store_by", "depart_at")
        return [{k: getattr(t, k) for k in keys} for t in rows.scalars()]


async def me(db: Database, rider: RiderLogin) -> dict[str, Any]:
    async with db.transaction(write=False) as session:
        found = await service.read_rider(session, rider.user_id)
    body: dict[str, Any] = found.model_dump(mode="json")
    return body


async def deliver(
    client: httpx.AsyncClient, rider: RiderLogin, task: dict[str, Any], otp: str
) -> None:
    r = await client.post(
        f"/api/v1/rider/deliveries/{task['delivery_id']}/delivered",
        json={"otp": otp},
        headers=rider.headers,
    )
    assert r.status_code == 200, r.text


async def pick_up(client: httpx.AsyncClient, rider: RiderLogin, task: dict[str, Any]) -> None:
    r = await client.post(
        f"/api/v1/rider/deliveries/{task['delivery_id']}/picked-up", headers=rider.headers
    )
    assert r.status_code == 200, r.text


async def three_waiting(
    db: Database, client: httpx.AsyncClient
) -> tuple[Shop, list[dict[str, Any]]]:
    shop = await make_shop(db, client, on_hand=100)
    placed = [await order_to(db, client, shop, at) for at in NORTH]
    for p in placed:
        assert (await delivery_of(db, p["id"]))["status"] == "waiting"
    return shop, placed


async def test_orders_going_the_same_way_ride_one_trip_in_order(
    db: Database, client: httpx.AsyncClient, batched: Settings
) -> None:
    shop, placed = await three_waiting(db, client)
    rider = await add_rider(db, client, shop.store_id)
    body = await shift(client, rider, True)
    found = await tasks(client, rider)
    assert sorted(t["order_id"] for t in found) == sorted(p["id"] for p in placed)
    assert [t["sequence"] for t in found] == [1, 2, 3]
    assert len({t["trip_id"] for t in found}) == 1
    assert body["current_delivery"]["id"] == found[0]["delivery_id"]
    [trip] = await trip_rows(db)
    assert (trip["strategy"], trip["ended_at"]) == ("batched", None)
    # The promise sees the rider back after the trip's last drop, not its first.
    async with db.transaction(write=False) as session:
        store = await catalog.get_store(session, batched, shop.store_id)
        [(back_in, idle, _)] = (await promise.rider_outlook(session, batched, store)).free
    drops = [NORTH[[p["id"] for p in placed].index(t["order_id"])] for t in found]
    ride = [travel_seconds(*a, *b, "scooter") for a, b in pairwise([STORE, *drops, STORE])]
    assert not idle
    assert back_in == pytest.approx(sum(ride) + 3 * promise.HANDOVER_SECONDS)
    # The drops are handed over in turn; the rider is free after the last.
    for task in found:
        await pack(db, client, shop, task["order_id"])
    await drain(db)
    async with db.transaction(write=False) as session:
        packed = await session.scalar(
            text("SELECT count(*) FROM deliveries WHERE packed_at IS NOT NULL")
        )
    assert packed == 3
    otp = {p["id"]: p["delivery_otp"] for p in placed}
    for task in found:
        await pick_up(client, rider, task)
    clock.advance(timedelta(minutes=10))
    for i, task in enumerate(found):
        await deliver(client, rider, task, otp[task["order_id"]])
        now_on = (await me(db, rider))["current_delivery"]
        if i < 2:
            assert now_on["id"] == found[i + 1]["delivery_id"]
        else:
            assert now_on is None
    [trip] = await trip_rows(db)
    assert trip["ended_at"] is not None
    assert await tasks(client, rider) == []
    # Busy once for the trip, not once for each of its three drops.
    async with db.transaction(write=False) as session:
        report = await fleet.report(session, since=None, until=None, store_id=shop.store_id)
    [row] = report.riders
    # (The ten virtual minutes, and the real seconds the test itself takes on a loaded machine:
    # a minute's slack still tells one trip of ~600 s from three drops' ~1,800.)
    assert (row.deliveries, row.busy_seconds) == (3, pytest.approx(600, abs=60))
    assert row.idle_seconds is not None and row.online_seconds >= row.busy_seconds


async def test_picking_starts_just_in_time_for_a_rider_far_away(
    db: Database, client: httpx.AsyncClient, batched: Settings
) -> None:
    shop = await make_shop(db, client, on_hand=100)
    rider = await add_rider(db, client, shop.store_id, at=FAR)  # then off shift
    placed = await order_to(db, client, shop, NORTH[0])
    start = clock.now()
    await shift(client, rider, True)
    [trip] = await trip_rows(db)
    ride_in = (ensure_aware(trip["at_store_by"]) - start).total_seconds()
    assert 15 * 60 < ride_in < 25 * 60  # 5 km in a straight line (no streets there)
    staff = await _staff(db, client, shop)
    r = await client.get(f"/api/v1/store-ops/{shop.store_id}/orders", headers=staff)
    assert r.status_code == 200, r.text
    [entry] = r.json()["items"]
    assert entry["id"] == placed["id"]
    pick_after = ensure_aware(datetime.fromisoformat(entry["pick_after"]))
    # Packed (4 minutes' prep and two items at 10 s) as the rider reaches the store.
    picking = batched.pick_seconds_per_item * 2 + 4 * 60
    assert pick_after == ensure_aware(trip["depart_at"]) - timedelta(seconds=picking)
    assert pick_after > start + timedelta(minutes=10)


async def _staff(db: Database, client: httpx.AsyncClient, shop: Shop) -> dict[str, str]:
    from tests import factories

    user = await factories.make_user(db, "store_staff", store_id=shop.store_id)
    return await factories.login(client, user)


async def test_a_cancelled_order_leaves_its_trip_and_the_rider_goes_on(
    db: Database, client: httpx.AsyncClient, batched: Settings
) -> None:
    shop, placed = await three_waiting(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    found = await tasks(client, rider)
    assert len(found) == 3
    by_order = {p["id"]: p for p in placed}
    for n, task in enumerate(found):
        owner = by_order[task["order_id"]]["headers"]
        r = await client.post(f"/api/v1/orders/{task['order_id']}/cancel", json={}, headers=owner)
        assert r.status_code == 200, r.text
        await drain(db)
        assert (await delivery_of(db, task["order_id"]))["status"] == "cancelled"
        left = await tasks(client, rider)
        assert [t["delivery_id"] for t in left] == [t["delivery_id"] for t in found[n + 1 :]]
        current = (await me(db, rider))["current_delivery"]
        assert (current["id"] if current else None) == (left[0]["delivery_id"] if left else None)
    [trip] = await trip_rows(db)
    assert trip["ended_at"] is not None


async def test_a_silent_rider_gives_back_the_drops_not_picked_up(
    db: Database, client: httpx.AsyncClient, batched: Settings
) -> None:
    shop, _ = await three_waiting(db, client)
    silent = await add_rider(db, client, shop.store_id, online=True)
    found = await tasks(client, silent)
    assert len(found) == 3
    await pack(db, client, shop, found[0]["order_id"])
    await pick_up(client, silent, found[0])  # this bag stays with the rider
    clock.advance(timedelta(seconds=batched.dispatch_silent_seconds + 1))
    other = await add_rider(db, client, shop.store_id, online=True)
    async with db.transaction() as session:
        assert await service.replan_trips(session) == 1
    assert [t["delivery_id"] for t in await tasks(client, silent)] == [found[0]["delivery_id"]]
    assert (await me(db, silent))["is_online"] is False
    taken = await tasks(client, other)
    assert sorted(t["delivery_id"] for t in taken) == sorted(t["delivery_id"] for t in found[1:])
    trips = await trip_rows(db)
    assert [(t["replans"], t["ended_at"] is None) for t in trips] == [(1, True), (0, True)]
    async with db.transaction() as session:  # nothing more to do
        assert await service.replan_trips(session) == 0
        # the sweep reads every open trip's drops in one query, as each trip's own would
        ids = [t["id"] for t in trips]
        together = await trips_repo.active_drops_of_trips(session, ids)
        for trip_id in ids:
            alone = await trips_repo.active_drops_of_trip(session, trip_id)
            assert [d.id for d in together.get(trip_id, [])] == [d.id for d in alone]
        assert sum(len(d) for d in together.values()) == 3


async def test_a_rider_late_at_the_store_loses_the_trip_to_one_who_is_there(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    settings = settings.model_copy(
        update={"dispatch_strategy": "nearest", "dispatch_late_seconds": 60}
    )
    dispatch.configure(settings)  # the nearest rule, and late after a minute
    shop = await make_shop(db, client, on_hand=100)
    late = await add_rider(db, client, shop.store_id, online=True, at=NEARBY)
    placed = await order_to(db, client, shop, NORTH[0])
    [task] = await tasks(client, late)
    assert (task["order_id"], task["sequence"]) == (placed["id"], 1)
    [trip] = await trip_rows(db)
    assert trip["strategy"] == "nearest"
    ready = await add_rider(db, client, shop.store_id, online=True)  # at the store
    async with db.transaction() as session:
        assert await service.replan_trips(session) == 0  # not late yet
    due = ensure_aware(trip["at_store_by"]) + timedelta(seconds=settings.dispatch_late_seconds)
    clock.advance(due - clock.now() + timedelta(seconds=5))
    for rider in (late, ready):  # both still report where they are
        at = FAR if rider is late else (60.17, 24.94)
        r = await client.post(
            "/api/v1/rider/location", json={"lat": at[0], "lng": at[1]}, headers=rider.headers
        )
        assert r.status_code == 200, r.text
    async with db.transaction() as session:
        assert await service.replan_trips(session) == 1
    assert await tasks(client, late) == []
    assert [t["order_id"] for t in await tasks(client, ready)] == [placed["id"]]
    assert (await me(db, late))["is_online"] is True  # late, not gone


async def test_two_dispatchers_at_once_never_share_a_rider_or_an_order(
    db: Database, client: httpx.AsyncClient, batched: Settings
) -> None:
    shop = await make_shop(db, client, on_hand=200)
    placed = [
        await order_to(db, client, shop, NORTH[i % 3]) for i in range(8)
    ]  # nobody on shift: all wait
    riders = [await add_rider(db, client, shop.store_id) for _ in range(3)]
    async with db.transaction() as session:  # on shift without dispatching yet
        await session.execute(text("UPDATE riders SET is_online = :t"), {"t": True})

    async def run() -> int:
        async with db.transaction() as session:
            return await service.dispatch_store(session, shop.store_id)

    counts = await asyncio.gather(run(), run())
    found = [await delivery_of(db, p["id"]) for p in placed]
    assigned = [d for d in found if d["status"] == "assigned"]
    assert sum(counts) == len(assigned) > 0
    assert len(assigned) <= 3 * 3
    async with db.transaction(write=False) as session:
        rows = (
            await session.execute(
                text(
                    "SELECT d.rider_id, d.trip_id, t.rider_id FROM deliveries d "
                    "JOIN delivery_trips t ON t.id = d.trip_id WHERE d.status = 'assigned'"
                )
            )
        ).all()
        open_trips = await session.scalar(
            text("SELECT count(*) FROM delivery_trips WHERE ended_at IS NULL")
        )
    assert all(rider == trip_rider for rider, _, trip_rider in rows)
    by_rider: dict[str, set[str]] = {}
    for rider, trip, _ in rows:
        by_rider.setdefault(rider, set()).add(trip)
    assert all(len(t) == 1 for t in by_rider.values())  # one trip per rider
    assert open_trips == len(by_rider)
    for rider in riders:
        mine = await tasks(client, rider)
        assert len(mine) <= 3 and len({t["trip_id"] for t in mine}) <= 1


async def test_a_store_with_no_rider_on_shift_keeps_its_orders_waiting(
    db: Database, client: httpx.AsyncClient, batched: Settings
) -> None:
    shop, placed = await three_waiting(db, client)
    await add_rider(db, client, shop.store_id)  # off shift
    async with db.transaction() as session:
        assert await service.dispatch_store(session, shop.store_id) == 0
        assert await service.sweep_waiting(session) == 0
        assert await service.replan_trips(session) == 0
    assert {(await delivery_of(db, p["id"]))["status"] for p in placed} == {"waiting"}


async def test_a_rider_going_off_mid_trip_is_not_counted_on_and_ends_with_the_trip(
    db: Database, client: httpx.AsyncClient, batched: Settings
) -> None:
    shop, placed = await three_waiting(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    found = await tasks(client, rider)
    assert len(found) == 3

    async def free_riders() -> int:
        async with db.transaction(write=False) as session:
            store = await catalog.get_store(session, batched, shop.store_id)
            return len((await promise.rider_outlook(session, batched, store)).free)

    assert await free_riders() == 1  # back after the trip
    body = await shift(client, rider, False)
    assert (body["is_online"], body["off_after_trip"]) == (True, True)
    assert await free_riders() == 0  # not coming back: the promise does not wait for them
    later = await order_to(db, client, shop, NORTH[0])
    # The trip ends however it ends (here every order cancelled): the shift ends with it, and
    # the order placed meanwhile still waits for another rider.
    for p in placed:
        r = await client.post(f"/api/v1/orders/{p['id']}/cancel", json={}, headers=p["headers"])
        assert r.status_code == 200, r.text
        await drain(db)
    assert await tasks(client, rider) == []
    state = await me(db, rider)
    assert (state["is_online"], state["off_after_trip"]) == (False, False)
    assert (await delivery_of(db, later["id"]))["status"] == "waiting"
    [trip] = await trip_rows(db)
    assert trip["ended_at"] is not None


async def test_a_later_drop_s_eta_counts_the_drops_ridden_before_it(
    db: Database, client: httpx.AsyncClient, batched: Settings
) -> None:
    shop, placed = await three_waiting(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    found = await tasks(client, rider)
    assert [t["sequence"] for t in found] == [1, 2, 3]
    by_order = {p["id"]: p for p in placed}
    drops = [(t["drop"]["lat"], t["drop"]["lng"]) for t in found]

    async def tracking_eta(task: dict[str, Any]) -> int:
        owner = by_order[task["order_id"]]["headers"]
        r = await client.get(f"/api/v1/orders/{task['order_id']}/tracking", headers=owner)
        assert r.status_code == 200, r.text
        eta: int = r.json()["eta_minutes"]
        return eta

    def minutes(legs: list[tuple[tuple[float, float], tuple[float, float]]]) -> int:
        seconds = sum(travel_seconds(*a, *b, "scooter") for a, b in legs)
        return max(1, -(-int(seconds + 60 * (len(legs) - 1)) // 60))

    for task in found:
        await pack(db, client, shop, task["order_id"])
    await drain(db)
    for task in found:
        await pick_up(client, rider, task)
    r = await client.post(
        "/api/v1/rider/location", json={"lat": STORE[0], "lng": STORE[1]}, headers=rider.headers
    )
    assert r.status_code == 200, r.text
    legs = list(pairwise([STORE, *drops]))
    etas = [await tracking_eta(t) for t in found]
    assert etas == [minutes(legs[: n + 1]) for n in range(3)]
    assert etas[0] < etas[1] < etas[2]
    # The first bag handed over, the rider at its door: the next customers' ETAs start there.
    otp = {p["id"]: p["delivery_otp"] for p in placed}
    await deliver(client, rider, found[0], otp[found[0]["order_id"]])
    clock.advance(timedelta(seconds=30))
    r = await client.post(
        "/api/v1/rider/location",
        json={"lat": drops[0][0], "lng": drops[0][1]},
        headers=rider.headers,
    )
    assert r.status_code == 200, r.text
    assert [await tracking_eta(t) for t in found[1:]] == [
        minutes(legs[1:2]),
        minutes(legs[1:3]),
    ]


def test_before_the_pick_up_every_drop_s_eta_goes_by_the_store() -> None:
    legs = [
        positions.TripLeg(f"d{i}", f"o{i}", DeliveryStatus.ASSIGNED, *STORE, *at)
        for i, at in enumerate(NORTH)
    ]
    nowhere = positions.TripLeg("d9", "o9", DeliveryStatus.ASSIGNED, *STORE, None, None)
    state = positions.RiderState(
        "r", "u", "s", "R", True, None, legs[0], later=(legs[1], nowhere, legs[2])
    )
    ride = [travel_seconds(*a, *b, "scooter") for a, b in pairwise([NEARBY, STORE, *NORTH])]
    etas = positions.drop_etas(state, *NEARBY)
    assert (
        etas
        == {
            "o0": math.ceil(sum(ride[:2]) / 60),
            "o1": math.ceil((sum(ride[:3]) + 60) / 60),
            "o9": None,  # no coordinates: no ETA, and taken to be where the rider is
            "o2": math.ceil((sum(ride[:4]) + 180) / 60),
        }
    )
    assert (
        positions.drop_etas(positions.RiderState("r", "u", "s", "R", True, None, None), 0, 0) == {}
    )
