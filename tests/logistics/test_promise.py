"""The delivery promise counts riders: a free one keeps the riding ETA, every rider out on a
delivery lengthens it, none on shift lengthens it more and says "finding a rider" — in the
serviceability answer and in the ETA checkout promises."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from kirana.catalog import geo
from kirana.kit.db import Database
from kirana.kit.outbox import drain
from tests.logistics.fleet import STORE_LAT, STORE_LNG, add_rider, order, pack
from tests.orders.shop import make_shop

# Where tests.orders.shop's customer lives, and the riding ETA from the store (prep 4 min).
HOME = (60.171, 24.941)
RIDE = geo.eta_minutes(geo.haversine_m(*HOME, STORE_LAT, STORE_LNG), 4)


async def _promise(client: httpx.AsyncClient) -> dict[str, object]:
    r = await client.get("/api/v1/serviceability", params={"lat": HOME[0], "lng": HOME[1]})
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return {k: body[k] for k in ("eta_minutes", "eta_range", "riders_available", "eta_status")}


def test_the_promise_grows_as_riders_are_scarcer() -> None:
    free = geo.delivery_promise(1_000, 4, riders_online=2, riders_idle=1)
    busy = geo.delivery_promise(1_000, 4, riders_online=2, riders_idle=0)
    none = geo.delivery_promise(1_000, 4, riders_online=0, riders_idle=0)
    assert (free.status, busy.status, none.status) == ("on_time", "riders_busy", "finding_rider")
    assert free.p50 == geo.eta_minutes(1_000, 4) < busy.p50 < none.p50
    assert free.p90 < busy.p90 < none.p90
    assert all(p.p50 < p.p90 for p in (free, busy, none))


async def test_serviceability_and_checkout_count_riders(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    spread = max(2, -(-RIDE // 2))

    # Nobody on shift: the customer is told a rider is being found, and a longer time.
    assert await _promise(client) == {
        "eta_minutes": RIDE + 20,
        "eta_range": {"p50": RIDE + 20, "p90": RIDE + spread + 45},
        "riders_available": 0,
        "eta_status": "finding_rider",
    }
    unpaid = await order(db, client, shop, method="card")  # not confirmed: nobody dispatched
    assert unpaid["eta_minutes"] == RIDE + 20

    # A rider comes online and is free: the riding ETA is the promise.
    await add_rider(db, client, shop.store_id, online=True, at=(STORE_LAT, STORE_LNG))
    assert await _promise(client) == {
        "eta_minutes": RIDE,
        "eta_range": {"p50": RIDE, "p90": RIDE + spread},
        "riders_available": 1,
        "eta_status": "on_time",
    }

    # Checkout promises the same; then the only rider takes that delivery: busy, so the
    # promise waits for them to come back.
    first = await order(db, client, shop)
    assert first["eta_minutes"] == RIDE
    await pack(db, client, shop, first["id"])
    await drain(db)
    async with db.transaction(write=False) as session:
        busy = (
            await session.execute(
                text("SELECT count(*) FROM riders WHERE current_delivery_id IS NOT NULL")
            )
        ).scalar_one()
    assert busy == 1
    assert await _promise(client) == {
        "eta_minutes": RIDE + 10,
        "eta_range": {"p50": RIDE + 10, "p90": RIDE + spread + 20},
        "riders_available": 0,
        "eta_status": "riders_busy",
    }
    second = await order(db, client, shop)
    assert second["eta_minutes"] == RIDE + 10
