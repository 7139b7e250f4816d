"""Dispatch: the nearest idle online rider, waiting when there is none, never two at once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from kirana.config import Settings
from kirana.kit.db import Database
from kirana.kit.outbox import drain
from kirana.logistics import service
from kirana.logistics.dispatch import haversine_m
from tests.logistics.fleet import (
    STORE_LAT,
    STORE_LNG,
    add_rider,
    delivery_of,
    order,
    pack,
    shift,
    tasks,
)
from tests.orders.shop import Shop, add_customer, make_shop


async def orders_of_new_customers(
    db: Database, client: httpx.AsyncClient, shop: Shop, n: int
) -> list[dict[str, Any]]:
    """A cash order of one item from each of ``n`` new customers, their events not relayed."""
    placed = []
    for _, headers, address_id in [await add_customer(db, client) for _ in range(n)]:
        r = await client.put(
            f"/api/v1/cart/items/{shop.products[0]}",
            json={"quantity": 1, "store_id": shop.store_id},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        r = await client.post(
            "/api/v1/orders",
            json={"address_id": address_id, "payment_method": "cod"},
            headers={**headers, "Idempotency-Key": f"k-{address_id}"},
        )
        assert r.status_code == 201, r.text
        placed.append(r.json())
    return placed


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """These are tests of the nearest-rider rule (batched dispatch: test_trips.py)."""
    return settings.model_copy(update={"dispatch_strategy": "nearest"})


async def test_the_nearest_idle_online_rider_is_assigned(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    far = await add_rider(db, client, shop.store_id, online=True, at=(60.215, 24.94))  # ~5 km
    near = await add_rider(db, client, shop.store_id, online=True, at=(60.179, 24.94))  # ~1 km
    middle = await add_rider(db, client, shop.store_id, online=True, at=(60.197, 24.94))
    await add_rider(db, client, shop.store_id, online=False, at=(STORE_LAT, STORE_LNG))
    other_store = await make_shop(db, client)
    await add_rider(db, client, other_store.store_id, online=True, at=(STORE_LAT, STORE_LNG))

    first = await order(db, client, shop)
    assert (await delivery_of(db, first["id"]))["rider_user_id"] == near.user_id
    second = await order(db, client, shop)  # the nearest is busy now: the next nearest
    assert (await delivery_of(db, second["id"]))["rider_user_id"] == middle.user_id
    third = await order(db, client, shop)
    assert (await delivery_of(db, third["id"]))["rider_user_id"] == far.user_id

    [task] = await tasks(client, near)
    assert task["order_id"] == first["id"]
    assert task["order_number"] == first["number"]
    assert task["status"] == "assigned"
    assert task["store"] == {
        "id": shop.store_id,
        "name": task["store"]["name"],
        "lat": STORE_LAT,
        "lng": STORE_LNG,
    }
    assert task["drop"]["lat"] == 60.171 and task["drop"]["city"] == "Helsinki"
    assert task["payment_method"] == "cod"
    assert task["amount_to_collect"] == first["total"] > 0
    assert task["items_count"] == 2
    assert haversine_m(60.179, 24.94, STORE_LAT, STORE_LNG) < haversine_m(
        60.197, 24.94, STORE_LAT, STORE_LNG
    )


async def test_a_rider_without_a_position_counts_as_at_the_store(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    await add_rider(db, client, shop.store_id, online=True, at=(60.18, 24.94))
    unknown = await add_rider(db, client, shop.store_id, online=True)
    placed = await order(db, client, shop)
    assert (await delivery_of(db, placed["id"]))["rider_user_id"] == unknown.user_id


async def test_an_order_waits_and_is_assigned_when_a_rider_comes_online(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id)
    placed = await order(db, client, shop)
    waiting = await delivery_of(db, placed["id"])
    assert (waiting["status"], waiting["rider_id"]) == ("waiting", None)
    assert await tasks(client, rider) == []

    me = await shift(client, rider, True)
    assert me["is_online"] is True
    assert me["current_delivery"]["order_id"] == placed["id"]
    assert (await delivery_of(db, placed["id"]))["status"] == "assigned"
    assert [t["order_id"] for t in await tasks(client, rider)] == [placed["id"]]
    await drain(db)
    async with db.transaction(write=False) as session:
        found = await service.delivery_for_order(session, placed["id"])
    assert found is not None and found.status == "assigned" and found.rider_name


async def test_cancelling_frees_the_rider_for_the_next_waiting_order(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    first = await order(db, client, shop)
    second = await order(db, client, shop)
    assert (await delivery_of(db, second["id"]))["status"] == "waiting"
    r = await client.post(f"/api/v1/orders/{first['id']}/cancel", json={}, headers=shop.headers)
    assert r.status_code == 200, r.text
    await drain(db)
    assert (await delivery_of(db, first["id"]))["status"] == "cancelled"
    assert (await delivery_of(db, second["id"]))["rider_user_id"] == rider.user_id
    assert [t["order_id"] for t in await tasks(client, rider)] == [second["id"]]


async def test_going_off_shift_mid_trip_ends_the_shift_at_the_last_drop(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    first = await order(db, client, shop)
    [task] = await tasks(client, rider)
    r = await client.post("/api/v1/rider/shift", json={"online": False}, headers=rider.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["is_online"], body["off_after_trip"]) == (True, True)
    assert body["current_delivery"]["id"] == task["delivery_id"]
    # Changing their mind keeps the shift; asking again marks it again.
    assert (await shift(client, rider, True))["off_after_trip"] is False
    assert (await shift(client, rider, False))["off_after_trip"] is True
    # The trip goes on; the rider is given nothing new, now or after the hand-over.
    second = await order(db, client, shop)
    assert (await delivery_of(db, second["id"]))["status"] == "waiting"
    await pack(db, client, shop, first["id"])
    await drain(db)
    r = await client.post(
        f"/api/v1/rider/deliveries/{task['delivery_id']}/picked-up", headers=rider.headers
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/v1/rider/deliveries/{task['delivery_id']}/delivered",
        json={"otp": first["delivery_otp"]},
        headers=rider.headers,
    )
    assert r.status_code == 200, r.text
    assert (await delivery_of(db, first["id"]))["status"] == "delivered"
    assert (await delivery_of(db, second["id"]))["status"] == "waiting"
    async with db.transaction(write=False) as session:
        now = await service.read_rider(session, rider.user_id)
        assert (now.is_online, now.off_after_trip, now.current_delivery) == (False, False, None)
        open_shifts = await session.scalar(
            text("SELECT count(*) FROM rider_shifts WHERE ended_at IS NULL")
        )
    assert open_shifts == 0
    # Back on shift, the rider takes the order that waited.
    await shift(client, rider, True)
    assert (await delivery_of(db, second["id"]))["rider_user_id"] == rider.user_id


async def test_concurrent_dispatch_never_gives_a_rider_two_orders(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client, on_hand=100)
    riders = [await add_rider(db, client, shop.store_id) for _ in range(4)]
    placed = [o["id"] for o in await orders_of_new_customers(db, client, shop, 6)]
    # Riders come online at once while the orders' confirmations are being relayed.
    results = await asyncio.gather(
        drain(db),
        *[
            client.post("/api/v1/rider/shift", json={"online": True}, headers=r.headers)
            for r in riders
        ],
    )
    assert all(r.status_code == 200 for r in results[1:])
    async with db.transaction() as session:
        await service.sweep_waiting(session)
    found = [await delivery_of(db, order_id) for order_id in placed]
    assigned = [d for d in found if d["status"] == "assigned"]
    assert len(assigned) == 4
    assert len({d["rider_id"] for d in assigned}) == 4
    assert sum(d["status"] == "waiting" for d in found) == 2
    for rider in riders:
        assert len(await tasks(client, rider)) == 1


async def test_orders_confirmed_together_are_opened_and_dispatched_in_one_share(
    db: Database, client: httpx.AsyncClient
) -> None:
    """The relay hands the dispatch consumer a share of confirmations at once: each order gets
    one delivery, the store's riders are given the nearest of them, the rest wait; the same
    confirmations again (a redelivered share) open nothing more."""
    shop = await make_shop(db, client, on_hand=100)
    riders = [await add_rider(db, client, shop.store_id, online=True) for _ in range(2)]
    placed = await orders_of_new_customers(db, client, shop, 3)
    await drain(db)  # the three order.confirmed events reach the consumer in one share
    found = [await delivery_of(db, p["id"]) for p in placed]
    assert sorted(d["status"] for d in found) == ["assigned", "assigned", "waiting"]
    assert {d["rider_user_id"] for d in found if d["rider_id"]} == {r.user_id for r in riders}

    async with db.transaction() as session:
        await service.start_deliveries(
            session,
            [service.Opening(p["id"], shop.store_id, 60.171, 24.94, items=1) for p in placed * 2],
        )
    assert [await delivery_of(db, p["id"]) for p in placed] == found
    async with db.transaction(write=False) as session:
        rows = await session.execute(text("SELECT count(*) FROM deliveries"))
    assert rows.scalar_one() == 3
