"""The rider's side of a delivery: pick up once packed, hand over with the customer's code."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import text

from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.outbox import drain
from kirana.logistics import service
from tests.logistics.fleet import (
    add_rider,
    delivery_of,
    logistics_counts,
    order,
    pack,
    tasks,
)
from tests.orders.shop import make_admin, make_shop

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def _wrong(otp: str) -> str:
    return f"{(int(otp) + 1) % 10_000:04d}"


async def test_pick_up_and_deliver_with_the_code_then_take_the_next_order(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    first = await order(db, client, shop)
    second = await order(db, client, shop)
    delivery_id = (await delivery_of(db, first["id"]))["id"]
    base = f"/api/v1/rider/deliveries/{delivery_id}"

    r = await client.post(f"{base}/picked-up", headers=rider.headers)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"  # not packed
    r = await client.post(
        f"{base}/delivered", json={"otp": first["delivery_otp"]}, headers=rider.headers
    )
    assert r.status_code == 409  # not picked up yet

    await pack(db, client, shop, first["id"])
    r = await client.post(f"{base}/picked-up", headers=rider.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "picked_up"
    r = await client.post(f"{base}/picked-up", headers=rider.headers)
    assert r.status_code == 409  # once

    # While out, the customer's tracking screen shows the rider where they are.
    r = await client.post(
        "/api/v1/rider/location", json={"lat": 60.1705, "lng": 24.9405}, headers=rider.headers
    )
    assert r.status_code == 200
    r = await client.get(f"/api/v1/orders/{first['id']}/tracking", headers=shop.headers)
    assert r.json()["rider"]["lat"] == 60.1705

    r = await client.post(
        f"{base}/delivered", json={"otp": first["delivery_otp"]}, headers=rider.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "delivered"
    await drain(db)
    r = await client.get(f"/api/v1/orders/{first['id']}", headers=shop.headers)
    assert r.json()["status"] == "delivered"
    # Free again, the rider was given the waiting order at once.
    assert [t["order_id"] for t in await tasks(client, rider)] == [second["id"]]
    async with db.transaction(write=False) as session:
        types = [
            row[0]
            for row in await session.execute(
                text("SELECT type FROM outbox WHERE type LIKE 'delivery.%' ORDER BY id")
            )
        ]
        assert await service.rider_position_for_order(session, first["id"]) is None
    assert types == [
        "delivery.assigned",
        "delivery.picked_up",
        "delivery.completed",
        "delivery.assigned",
    ]


async def test_five_wrong_codes_lock_the_delivery(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    placed = await order(db, client, shop)
    await pack(db, client, shop, placed["id"])
    delivery_id = (await delivery_of(db, placed["id"]))["id"]
    base = f"/api/v1/rider/deliveries/{delivery_id}"
    assert (await client.post(f"{base}/picked-up", headers=rider.headers)).status_code == 200
    wrong = _wrong(placed["delivery_otp"])
    for left in (4, 3, 2, 1):
        r = await client.post(f"{base}/delivered", json={"otp": wrong}, headers=rider.headers)
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "wrong_otp"
        assert r.json()["attempts_left"] == left
        assert (await delivery_of(db, placed["id"]))["otp_attempts"] == 5 - left
    r = await client.post(f"{base}/delivered", json={"otp": wrong}, headers=rider.headers)
    assert r.status_code == 423 and r.json()["code"] == "delivery_locked"
    state = await delivery_of(db, placed["id"])
    assert (state["otp_attempts"], bool(state["locked"]), state["status"]) == (5, True, "picked_up")
    # Even the right code is refused now: support has to look at it.
    r = await client.post(
        f"{base}/delivered", json={"otp": placed["delivery_otp"]}, headers=rider.headers
    )
    assert r.status_code == 423
    r = await client.get(f"/api/v1/orders/{placed['id']}", headers=shop.headers)
    assert r.json()["status"] == "out_for_delivery"
    [task] = await tasks(client, rider)
    assert task["locked"] is True

    # Support checks with the customer and unlocks it; only an admin may.
    unlock = f"/api/v1/admin/deliveries/{delivery_id}/unlock"
    assert (await client.post(unlock, headers=rider.headers)).status_code == 403
    admin = await make_admin(db, client)
    r = await client.post(f"/api/v1/admin/deliveries/{UNKNOWN_ID}/unlock", headers=admin)
    assert r.status_code == 404
    r = await client.post(unlock, headers=admin)
    assert r.status_code == 200 and r.json()["locked"] is False
    r = await client.post(
        f"{base}/delivered", json={"otp": placed["delivery_otp"]}, headers=rider.headers
    )
    assert r.status_code == 200, r.text


async def test_another_riders_delivery_is_not_found(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    mine = await add_rider(db, client, shop.store_id, online=True)
    other = await add_rider(db, client, shop.store_id, online=True)
    placed = await order(db, client, shop)
    await pack(db, client, shop, placed["id"])
    found = await delivery_of(db, placed["id"])
    assert found["rider_user_id"] == mine.user_id
    base = f"/api/v1/rider/deliveries/{found['id']}"
    before = await logistics_counts(db)
    for path, body in (
        (f"{base}/picked-up", None),
        (f"{base}/delivered", {"otp": placed["delivery_otp"]}),
    ):
        r = await client.post(path, json=body, headers=other.headers)
        assert r.status_code == 404 and r.json()["code"] == "delivery_not_found"
    assert await logistics_counts(db) == before
    assert (await delivery_of(db, placed["id"]))["status"] == "assigned"
    assert await tasks(client, other) == []


async def test_locations_are_sampled_into_breadcrumbs(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    await add_rider(db, client, shop.store_id, at=(60.2, 24.9))  # idle: no breadcrumbs

    async def ping(lat: float) -> None:
        r = await client.post(
            "/api/v1/rider/location", json={"lat": lat, "lng": 24.94}, headers=rider.headers
        )
        assert r.status_code == 200, r.text
        assert r.json()["lat"] == lat

    await ping(60.1701)  # no delivery yet: position only
    placed = await order(db, client, shop)
    for lat in (60.1702, 60.1703, 60.1704):  # within 15 s: one breadcrumb
        await ping(lat)
    clock.advance(timedelta(seconds=16))
    await ping(60.1705)
    async with db.transaction(write=False) as session:
        rows = (
            await session.execute(text("SELECT lat FROM rider_breadcrumbs ORDER BY recorded_at"))
        ).all()
        position = await service.rider_position_for_order(session, placed["id"])
    assert [r[0] for r in rows] == [60.1702, 60.1705]
    assert position is not None and (position.lat, position.lng) == (60.1705, 24.94)
