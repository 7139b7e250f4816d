"""The fleet report: time on shift from the shift log, busy time from deliveries, and what
they add up to (utilisation, orders per rider-hour, distance per order), per rider and in
total; bad windows refused."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from kirana.kit import clock
from kirana.kit.db import Database
from kirana.logistics.models import RiderShift
from tests.logistics.fleet import add_rider, delivery_of, order, pack, shift
from tests.orders.shop import make_admin, make_shop

URL = "/api/v1/admin/fleet"


async def test_shifts_and_a_delivery_add_up(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client, on_hand=50)
    admin = await make_admin(db, client)
    since = clock.now()
    rider = await add_rider(db, client, shop.store_id, online=True)
    idle = await add_rider(db, client, shop.store_id, online=True)
    await shift(client, idle, False)  # a rider with no delivery: idle the whole (short) shift
    clock.advance(timedelta(minutes=2))
    placed = await order(db, client, shop)  # assigned to the rider still online
    delivery = await delivery_of(db, placed["id"])
    assert delivery["rider_user_id"] == rider.user_id
    await pack(db, client, shop, placed["id"])
    r = await client.post(
        f"/api/v1/rider/deliveries/{delivery['id']}/picked-up", headers=rider.headers
    )
    assert r.status_code == 200, r.text
    for lat in (60.171, 60.172, 60.1712):  # out past the door and back: its trail
        clock.advance(timedelta(seconds=20))
        r = await client.post(
            "/api/v1/rider/location", json={"lat": lat, "lng": 24.94}, headers=rider.headers
        )
        assert r.status_code == 200, r.text
    clock.advance(timedelta(minutes=3))
    r = await client.post(
        f"/api/v1/rider/deliveries/{delivery['id']}/delivered",
        json={"otp": placed["delivery_otp"]},
        headers=rider.headers,
    )
    assert r.status_code == 200, r.text
    clock.advance(timedelta(minutes=4))
    await shift(client, rider, False)  # ten minutes on shift: four busy
    r = await client.get(
        URL, params={"since": since.isoformat(), "store_id": shop.store_id}, headers=admin
    )
    assert r.status_code == 200, r.text
    body = r.json()
    mine = next(x for x in body["riders"] if x["rider_id"] == delivery["rider_id"])
    # The test's own seconds run on top of the clock's jumps: give them 30.
    near = pytest.approx
    assert mine["online_seconds"] == near(600, abs=30) and mine["busy_seconds"] == near(240, abs=30)
    assert mine["idle_seconds"] == near(360, abs=30) and mine["utilisation"] == near(0.4, abs=0.05)
    assert mine["deliveries"] == 1 and mine["orders_per_rider_hour"] == near(6.0, abs=0.3)
    assert mine["idle_seconds"] + mine["busy_seconds"] == near(mine["online_seconds"], abs=1)
    # The trail (store, 60.171, 60.172, 60.1712): about 310 m; store to door straight: 124 m.
    assert mine["distance_m_per_order"] == near(311, abs=10)
    assert body["totals"]["deliveries"] == 1
    assert body["totals"]["busy_seconds"] == mine["busy_seconds"]
    other = next(x for x in body["riders"] if x["rider_id"] != delivery["rider_id"])
    assert other["online_seconds"] < 30 and other["deliveries"] == 0 and other["busy_seconds"] == 0
    # A window that ends before the delivery holds only time on shift.
    early = await client.get(
        URL,
        params={"since": since.isoformat(), "until": (since + timedelta(minutes=2)).isoformat()},
        headers=admin,
    )
    mine = next(x for x in early.json()["riders"] if x["rider_id"] == delivery["rider_id"])
    assert mine["online_seconds"] == near(120, abs=10)
    assert (mine["busy_seconds"], mine["deliveries"]) == (0, 0)


async def test_one_open_shift_per_rider(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    await shift(client, rider, True)  # online again: still the one shift
    await shift(client, rider, False)
    await shift(client, rider, False)
    await shift(client, rider, True)
    async with db.transaction(write=False) as session:
        total = await session.scalar(select(func.count()).select_from(RiderShift))
        open_ = await session.scalar(
            select(func.count()).select_from(RiderShift).where(RiderShift.ended_at.is_(None))
        )
    assert (total, open_) == (2, 1)


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"since": "2026-12-02T10:00:00Z", "until": "2026-12-01T10:00:00Z"}, 422, "invalid_window"),
        (
            {"since": "2026-10-01T00:00:00Z", "until": "2026-12-01T00:00:00Z"},
            422,
            "window_too_long",
        ),
        ({"since": "yesterday"}, 422, None),
        ({"store_id": "01JAAAAAAAAAAAAAAAAAAAAAAA"}, 404, "store_not_found"),
    ],
)
async def test_bad_reports_are_refused(
    db: Database,
    client: httpx.AsyncClient,
    params: dict[str, str],
    status: int,
    code: str | None,
) -> None:
    admin = await make_admin(db, client)
    r = await client.get(URL, params=params, headers=admin)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    if code:
        assert r.json()["code"] == code


async def test_only_admins_read_the_fleet(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    assert (await client.get(URL, headers=shop.headers)).status_code == 403
    assert (await client.get(URL)).status_code == 401
