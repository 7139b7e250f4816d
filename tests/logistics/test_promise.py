"""The delivery promise: a P50/P90 range that grows with the store's picking queue and the
order's items, waits for a rider to be free at the store, says "finding a rider" when nobody
is on shift — in the serviceability answer and in what checkout records — and every delivered
order keeps what it was promised beside what happened."""

from __future__ import annotations

import json
import math
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from kirana.catalog import service as catalog
from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.ids import new_id
from kirana.kit.outbox import drain
from kirana.logistics import promise
from kirana.logistics.models import Delivery, Rider
from kirana.logistics.ports import PickingQueue
from kirana.logistics.state import DeliveryStatus
from kirana.logistics.travel import travel_seconds
from tests.logistics.fleet import STORE_LAT, STORE_LNG, add_rider, delivery_of, order, pack
from tests.orders.shop import fill_cart, make_shop, place

# Where tests.orders.shop's customer lives; the store's prep_minutes is the default 4.
HOME = (60.171, 24.941)
PREP = 4
EMPTY = PickingQueue(0, 0)


def expected(
    settings: Settings, *, items: int, queue: PickingQueue, rider_wait: float, finding: bool
) -> tuple[int, int]:
    """(p50, p90) as docs/logistics.md describes the promise."""
    picked = promise.pick_seconds(settings, prep_minutes=PREP, items=items, queue=queue)
    ride = travel_seconds(STORE_LAT, STORE_LNG, *HOME, "scooter")
    p50 = math.ceil((max(picked, rider_wait) + ride + promise.HANDOVER_SECONDS) / 60)
    p90 = p50 + max(2, math.ceil(p50 / 2))
    if finding:
        return p50 + 20, p90 + 45
    return p50, p90


async def _promise(client: httpx.AsyncClient) -> dict[str, object]:
    r = await client.get("/api/v1/serviceability", params={"lat": HOME[0], "lng": HOME[1]})
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return {k: body[k] for k in ("eta_minutes", "eta_range", "riders_available", "eta_status")}


def test_picking_takes_longer_behind_a_longer_queue_and_with_more_items(
    settings: Settings,
) -> None:
    def pick(items: int, queue: PickingQueue) -> float:
        return promise.pick_seconds(settings, prep_minutes=PREP, items=items, queue=queue)

    assert pick(6, EMPTY) == PREP * 60 + 6 * settings.pick_seconds_per_item
    assert pick(1, EMPTY) < pick(6, EMPTY) < pick(20, EMPTY)
    assert pick(6, EMPTY) < pick(6, PickingQueue(1, 3)) < pick(6, PickingQueue(4, 12))
    # The queue is shared by the store's pickers.
    per_order = PREP * 60 + 3 * settings.pick_seconds_per_item
    assert pick(6, PickingQueue(1, 3)) - pick(6, EMPTY) == per_order / settings.pickers_per_store


def test_a_rider_is_free_after_the_ride_back_or_the_rest_of_the_trip() -> None:
    rider = Rider(id=new_id(), vehicle="bicycle", lat=None, lng=None)
    assert promise.rider_free_seconds(rider, None, None, STORE_LAT, STORE_LNG) == 0
    rider.lat, rider.lng = 60.18, 24.94  # idle, 1.1 km away
    back = travel_seconds(60.18, 24.94, STORE_LAT, STORE_LNG, "bicycle")
    assert promise.rider_free_seconds(rider, None, None, STORE_LAT, STORE_LNG) == back
    out = Delivery(status=DeliveryStatus.PICKED_UP, drop_lat=HOME[0], drop_lng=HOME[1])
    rest = (
        travel_seconds(60.18, 24.94, *HOME, "bicycle")
        + promise.HANDOVER_SECONDS
        + travel_seconds(*HOME, STORE_LAT, STORE_LNG, "bicycle")
    )
    assert promise.rider_free_seconds(rider, out, None, STORE_LAT, STORE_LNG) == pytest.approx(rest)
    # Not picked up yet: to the store first, then the drop and back.
    out.status = DeliveryStatus.ASSIGNED
    assert promise.rider_free_seconds(rider, out, None, STORE_LAT, STORE_LNG) == pytest.approx(
        back
        + travel_seconds(
            STORE_LAT, STORE_LNG, *HOME, "bicycle"
        )  # one-way streets: not twice one way
        + promise.HANDOVER_SECONDS
        + travel_seconds(*HOME, STORE_LAT, STORE_LNG, "bicycle")
    )


async def test_with_nobody_on_shift_it_says_finding_a_rider(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    await make_shop(db, client)
    p50, p90 = expected(
        settings, items=settings.typical_basket_items, queue=EMPTY, rider_wait=0, finding=True
    )
    assert await _promise(client) == {
        "eta_minutes": p50,
        "eta_range": {"p50": p50, "p90": p90},
        "riders_available": 0,
        "eta_status": "finding_rider",
    }


async def test_an_idle_rider_at_the_store_keeps_the_riding_time_then_busy_waits(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await make_shop(db, client)
    await add_rider(db, client, shop.store_id, online=True, at=(STORE_LAT, STORE_LNG))
    p50, p90 = expected(
        settings, items=settings.typical_basket_items, queue=EMPTY, rider_wait=0, finding=False
    )
    free = await _promise(client)
    assert free == {
        "eta_minutes": p50,
        "eta_range": {"p50": p50, "p90": p90},
        "riders_available": 1,
        "eta_status": "on_time",
    }
    # The only rider takes the first order: the next customer waits for them to be back.
    first = await order(db, client, shop)
    await pack(db, client, shop, first["id"])
    await drain(db)
    assert (await delivery_of(db, first["id"]))["status"] == "assigned"
    busy = await _promise(client)
    assert busy["eta_status"] == "riders_busy" and busy["riders_available"] == 0
    assert busy["eta_minutes"] >= free["eta_minutes"]  # type: ignore[operator]


async def test_eta_grows_with_the_queue_and_the_items(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    shop = await make_shop(db, client)
    etas = [(await _promise(client))["eta_minutes"]]
    for _ in range(3):  # confirmed, not yet picked: each waits for the pickers
        await order(db, client, shop)
        etas.append((await _promise(client))["eta_minutes"])
    assert etas == sorted(etas) and etas[-1] > etas[0]  # type: ignore[operator]
    assert (
        etas[-1]
        == expected(
            settings,
            items=settings.typical_basket_items,
            queue=PickingQueue(3, 6),
            rider_wait=0,
            finding=True,
        )[0]
    )
    # Checkout counts the cart's items: the recorded inputs say what the promise was made of.
    await fill_cart(client, shop, lines={shop.products[0]: 9, shop.products[1]: 3})
    r = await place(client, shop)
    assert r.status_code == 201, r.text
    big = r.json()
    p50, p90 = expected(settings, items=12, queue=PickingQueue(3, 6), rider_wait=0, finding=True)
    assert big["eta_minutes"] == p50
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                text("SELECT eta_minutes, eta_p90_minutes, eta_inputs FROM orders WHERE id = :o"),
                {"o": big["id"]},
            )
        ).one()
    inputs = row[2] if isinstance(row[2], dict) else json.loads(row[2])
    assert (row[0], row[1]) == (p50, p90)
    assert inputs["status"] == "finding_rider"
    assert (inputs["items"], inputs["queue_orders"], inputs["queue_items"]) == (12, 3, 6)
    assert inputs["riders_online"] == 0 and inputs["rider_wait_minutes"] is None
    # Fewer items behind the same queue: a sooner promise.
    async with db.transaction(write=False) as session:
        small = await promise.delivery_promise(
            session,
            settings,
            await catalog.get_store(session, settings, shop.store_id),
            lat=HOME[0],
            lng=HOME[1],
            items=1,
            queue=PickingQueue(3, 6),
        )
    assert small.p50 < p50 and small.status == "finding_rider"


async def test_promised_and_actual_minutes_are_kept_at_delivery(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True, at=(STORE_LAT, STORE_LNG))
    placed = await order(db, client, shop)
    await pack(db, client, shop, placed["id"])
    delivery = await delivery_of(db, placed["id"])
    base = f"/api/v1/rider/deliveries/{delivery['id']}"
    r = await client.post(f"{base}/picked-up", headers=rider.headers)
    assert r.status_code == 200, r.text
    clock.advance(timedelta(minutes=13))
    r = await client.post(
        f"{base}/delivered", json={"otp": placed["delivery_otp"]}, headers=rider.headers
    )
    assert r.status_code == 200, r.text
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                text(
                    "SELECT eta_minutes, eta_p90_minutes, delivered_at, delivery_minutes, status"
                    " FROM orders WHERE id = :o"
                ),
                {"o": placed["id"]},
            )
        ).one()
    assert row[0] == placed["eta_minutes"] and row[1] > row[0]
    assert row[2] is not None and row[4] == "delivered"
    assert 13 <= row[3] < 13.5  # confirmation to hand-over, the test's own seconds included


def test_a_rider_on_a_trip_is_free_after_its_last_drop() -> None:
    rider = Rider(id=new_id(), vehicle="scooter", lat=60.172, lng=24.944)
    first = Delivery(status=DeliveryStatus.PICKED_UP, drop_lat=HOME[0], drop_lng=HOME[1])
    then = Delivery(status=DeliveryStatus.PICKED_UP, drop_lat=60.1752, drop_lng=24.9452)
    alone = promise.rider_free_seconds(rider, first, None, STORE_LAT, STORE_LNG)
    both = promise.rider_free_seconds(rider, first, None, STORE_LAT, STORE_LNG, [then])
    assert both == pytest.approx(
        alone
        - travel_seconds(*HOME, STORE_LAT, STORE_LNG, "scooter")
        + travel_seconds(*HOME, 60.1752, 24.9452, "scooter")
        + promise.HANDOVER_SECONDS
        + travel_seconds(60.1752, 24.9452, STORE_LAT, STORE_LNG, "scooter")
    )
