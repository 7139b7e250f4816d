"""Rider telemetry over HTTP and the rider's WebSocket: bad reports dropped, counted and never
stored; good ones on the customer's and the admin's sockets, with an ETA."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.outbox import drain
from kirana.live.channels import CITY, order_channel
from kirana.live.telemetry import position_messages
from kirana.logistics import locations, positions
from kirana.logistics.locations import Fix
from kirana.logistics.state import DeliveryStatus
from tests import factories
from tests.live.conftest import Running, bearer, socket_to
from tests.logistics.fleet import STORE_LAT, STORE_LNG, add_rider
from tests.orders.shop import fill_cart, make_shop, place
from tests.payments.helpers import counts

STORED = ("riders", "rider_breadcrumbs", "outbox")


async def _metric(client: httpx.AsyncClient, name: str, **labels: str) -> float:
    text = (await client.get("/metrics")).text
    for line in text.splitlines():
        m = re.match(rf"^{name}(?:\{{(.*)\}})? (\S+)$", line)
        if m and all(f'{k}="{v}"' in (m[1] or "") for k, v in labels.items()):
            return float(m[2])
    return 0.0


async def _rider_row(db: Database, user_id: str) -> tuple[Any, ...]:
    async with db.transaction(write=False) as session:
        from sqlalchemy import text

        row = (
            await session.execute(
                text("SELECT lat, lng, last_seen_at FROM riders WHERE user_id = :u"), {"u": user_id}
            )
        ).one()
    return tuple(row)


async def test_bad_reports_are_dropped_counted_and_never_stored(
    app: FastAPI, db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True, at=(STORE_LAT, STORE_LNG))
    other = await add_rider(db, client, shop.store_id, at=(STORE_LAT, STORE_LNG))  # off shift
    await fill_cart(client, shop)
    assert (await place(client, shop)).status_code == 201
    await drain(db)  # the rider is given the order: a trip, whose breadcrumbs are stored
    url = "/api/v1/rider/location"
    ok = await client.post(url, json={"lat": 60.1703, "lng": 24.9402}, headers=rider.headers)
    assert ok.status_code == 200, ok.text
    assert await _metric(client, "kirana_telemetry_accepted_total", transport="http") >= 1
    before = await counts(db, STORED)
    row = await _rider_row(db, rider.user_id)
    fix = await locations.current().get(ok.json()["id"])
    now = clock.now()
    other_id = (await client.post(url, json={"lat": 0, "lng": 0}, headers=other.headers)).json()

    bad: list[tuple[dict[str, Any], dict[str, str], int, str]] = [
        ({"lat": 91, "lng": 24.94}, rider.headers, 422, "out_of_range"),
        ({"lat": 60.17, "lng": 180.5}, rider.headers, 422, "out_of_range"),
        (
            {"lat": 60.17, "lng": 24.94, "at": (now + timedelta(minutes=1)).isoformat()},
            rider.headers,
            422,
            "future",
        ),
        (
            {"lat": 60.17, "lng": 24.94, "at": (now - timedelta(minutes=10)).isoformat()},
            rider.headers,
            422,
            "stale",
        ),
        (
            {"lat": 60.17, "lng": 24.94, "at": (now - timedelta(seconds=30)).isoformat()},
            rider.headers,
            422,
            "stale",
        ),
        ({"lat": 60.45, "lng": 24.94}, rider.headers, 422, "jump"),  # 31 km in a second
        (
            {"lat": 60.1706, "lng": 24.9406, "rider_id": "01OTHERRIDER00000000000000"},
            rider.headers,
            422,
            "wrong_rider",
        ),
        ({"lat": 60.17, "lng": 24.94}, other.headers, 409, "off_shift"),
    ]
    for body, headers, status, reason in bad:
        r = await client.post(url, json=body, headers=headers)
        assert (r.status_code, r.json().get("reason")) == (status, reason), (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert other_id["code"] == "rider_off_shift"

    for reason, n in {
        "out_of_range": 2,
        "future": 1,
        "stale": 2,
        "jump": 1,
        "wrong_rider": 1,
        "off_shift": 2,
    }.items():
        got = await _metric(
            client, "kirana_telemetry_dropped_total", transport="http", reason=reason
        )
        assert got == n, reason
    assert await counts(db, STORED) == before
    assert await _rider_row(db, rider.user_id) == row
    assert await locations.current().get(ok.json()["id"]) == fix

    # A rider that is no rider (the account has the role but no rider row) is refused too.
    loner = await factories.login(client, await factories.make_user(db, "rider"))
    r = await client.post(url, json={"lat": 60.17, "lng": 24.94}, headers=loner)
    assert (r.status_code, r.json()["code"]) == (404, "rider_not_found")


async def test_positions_from_the_rider_socket_reach_customer_and_city(
    running_on_each: Running,
) -> None:
    """On Redis, the index and both channels get a position in one pipeline."""
    r = running_on_each
    shop = await make_shop(r.db, r.http)
    rider = await add_rider(r.db, r.http, shop.store_id, online=True, at=(STORE_LAT, STORE_LNG))
    admin = await factories.login(r.http, await factories.make_user(r.db, "admin"))
    async with socket_to(f"{r.ws_base}/ws/rider?token={bearer(rider.headers)}") as rws:
        await rws.next()
        await fill_cart(r.http, shop)
        placed = await place(r.http, shop)
        order_id = placed.json()["id"]
        # The assignment reaches the rider's app live.
        assigned = await rws.until("delivery.assigned", order_id=order_id)
        assert assigned["data"]["delivery_id"]
        async with (
            socket_to(f"{r.ws_base}/ws/orders/{order_id}?token={bearer(shop.headers)}") as cws,
            socket_to(f"{r.ws_base}/ws/admin/live?token={bearer(admin)}") as aws,
        ):
            await cws.next()
            await aws.next()
            await rws.send({"type": "location", "data": {"lat": 60.1702, "lng": 24.9402}})
            seen = await cws.until("rider.position")
            assert (seen["data"]["lat"], seen["data"]["lng"]) == (60.1702, 24.9402)
            assert isinstance(seen["data"]["eta_minutes"], int) and seen["data"]["eta_minutes"] >= 1
            city = await aws.until("rider.position", order_id=order_id)
            assert city["data"]["store_id"] == shop.store_id
            # A bad frame is answered, counted and goes nowhere.
            await rws.send({"type": "location", "data": {"lat": "north", "lng": 1}})
            dropped = await rws.until("location.dropped")
            assert dropped["data"]["reason"] == "out_of_range"
            await rws.send({"type": "location", "data": {"lat": 61.5, "lng": 24.94}})
            assert (await rws.until("location.dropped"))["data"]["reason"] == "jump"
            assert (
                await _metric(
                    r.http, "kirana_telemetry_dropped_total", transport="ws", reason="out_of_range"
                )
                == 1
            )
            assert await _metric(r.http, "kirana_telemetry_accepted_total", transport="ws") == 1
            # The REST fallback shows the same fresh position.
            track = await r.http.get(f"/api/v1/orders/{order_id}/tracking", headers=shop.headers)
            assert track.json()["rider"]["lat"] == 60.1702
            assert await _metric(r.http, "kirana_ws_connections") == 3
        # A cancellation reaches the rider too.
        cancel = await r.http.post(f"/api/v1/admin/orders/{order_id}/cancel", headers=admin)
        assert cancel.status_code == 200, cancel.text
        await rws.until("delivery.cancelled", order_id=order_id)


async def test_what_a_report_is_checked_against_changes_at_once(
    db: Database, client: httpx.AsyncClient
) -> None:
    """The rider's state and the account are cached between reports; a change is seen by the
    next one: the delivery given, the shift ended, the password changed (older tokens end)."""
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True, at=(STORE_LAT, STORE_LNG))
    url = "/api/v1/rider/location"
    spot = {"lat": STORE_LAT, "lng": STORE_LNG}
    for _ in range(2):
        r = await client.post(url, json=spot, headers=rider.headers)
        assert r.status_code == 200 and r.json()["current_delivery"] is None, r.text
    await fill_cart(client, shop)
    order_id = (await place(client, shop)).json()["id"]
    await drain(db)  # dispatched to the rider
    crumbs = await counts(db, ("rider_breadcrumbs",))
    r = await client.post(url, json=spot, headers=rider.headers)
    assert r.status_code == 200 and r.json()["current_delivery"]["order_id"] == order_id, r.text
    # The trip's first report is sampled at once; the next one, moments later, is not.
    assert await counts(db, ("rider_breadcrumbs",)) == {
        "rider_breadcrumbs": crumbs["rider_breadcrumbs"] + 1
    }
    assert (await client.post(url, json=spot, headers=rider.headers)).status_code == 200
    assert await counts(db, ("rider_breadcrumbs",)) == {
        "rider_breadcrumbs": crumbs["rider_breadcrumbs"] + 1
    }

    other = await add_rider(db, client, shop.store_id, online=True, at=(STORE_LAT, STORE_LNG))
    assert (await client.post(url, json=spot, headers=other.headers)).status_code == 200
    r = await client.post("/api/v1/rider/shift", json={"online": False}, headers=other.headers)
    assert r.status_code == 200, r.text
    r = await client.post(url, json=spot, headers=other.headers)
    assert (r.status_code, r.json()["code"]) == (409, "rider_off_shift")

    r = await client.patch(
        "/api/v1/me",
        json={"password": "another-password-1", "current_password": factories.PASSWORD},
        headers=other.headers,
    )
    assert r.status_code == 200, r.text
    r = await client.post(url, json=spot, headers=other.headers)
    assert (r.status_code, r.json()["code"]) == (401, "token_revoked")


def test_every_customer_of_a_trip_is_told_the_position_with_their_own_eta() -> None:
    """A rider carrying three bags: the city map gets one message, and each of the three
    customers one on their order's channel with the minutes until their own bag (the earlier
    drops' rides and hand-overs counted); a rider off any trip goes to the city map only."""
    store, drops = (60.17, 24.94), [(60.1745, 24.9440), (60.1752, 24.9452), (60.1760, 24.9445)]
    legs = [
        positions.TripLeg(f"d{i}", f"o{i}", DeliveryStatus.PICKED_UP, *store, *at)
        for i, at in enumerate(drops)
    ]
    state = positions.RiderState(
        "r", "u", "s", "Ravi", True, None, legs[0], later=(legs[1], legs[2])
    )
    fix = Fix("r", 60.171, 24.941, clock.now())
    messages = position_messages(state, fix)
    assert [channel for channel, _ in messages] == [
        CITY,
        *(order_channel(f"o{i}") for i in range(3)),
    ]
    etas = positions.drop_etas(state, fix.lat, fix.lng)
    told = [json.loads(message.text) for _, message in messages[1:]]
    for frame, order_id in zip(told, ["o0", "o1", "o2"], strict=True):
        assert frame["type"] == "rider.position"
        assert frame["data"]["order_id"] == order_id
        assert frame["data"]["eta_minutes"] == etas[order_id]
        assert (frame["data"]["lat"], frame["data"]["name"]) == (60.171, "Ravi")
    got = [frame["data"]["eta_minutes"] for frame in told]
    assert got == sorted(got) and got[0] < got[2]  # later bags come later
    off = positions.RiderState("r", "u", "s", "Ravi", True, None, None)
    assert [channel for channel, _ in position_messages(off, fix)] == [CITY]
