"""The rider's route, turn by turn: to the store until the bag is picked up, then to the drop."""

from __future__ import annotations

import httpx

from kirana.kit.db import Database
from tests.logistics.fleet import add_rider, delivery_of, order, pack
from tests.orders.shop import make_shop


async def test_the_route_goes_by_the_store_then_to_the_drop(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id, online=True)
    r = await client.get("/api/v1/rider/route", headers=rider.headers)
    assert r.status_code == 404 and r.json()["code"] == "no_current_delivery"

    placed = await order(db, client, shop)
    r = await client.post(
        "/api/v1/rider/location", json={"lat": 60.1690, "lng": 24.9377}, headers=rider.headers
    )
    assert r.status_code == 200, r.text
    r = await client.get("/api/v1/rider/route", headers=rider.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["heading_to"] == "store" and body["order_number"] == placed["number"]
    route = body["route"]
    assert route["vehicle"] == "scooter" and route["source"] == "road"
    kinds = [s["maneuver"] for s in route["steps"]]
    assert kinds[0] == "depart" and kinds.count("waypoint") == 1 and kinds[-1] == "arrive"
    assert route["path"][0] == [60.169, 24.9377]
    assert route["path"][-1] == [60.171, 24.941]  # the shop's customer's address

    await pack(db, client, shop, placed["id"])
    delivery_id = (await delivery_of(db, placed["id"]))["id"]
    r = await client.post(
        f"/api/v1/rider/deliveries/{delivery_id}/picked-up", headers=rider.headers
    )
    assert r.status_code == 200, r.text
    body = (await client.get("/api/v1/rider/route", headers=rider.headers)).json()
    assert body["heading_to"] == "drop"
    assert "waypoint" not in [s["maneuver"] for s in body["route"]["steps"]]


async def test_only_riders_have_a_route(db: Database, client: httpx.AsyncClient) -> None:
    shop = await make_shop(db, client)
    r = await client.get("/api/v1/rider/route", headers=shop.headers)
    assert r.status_code == 403
    assert (await client.get("/api/v1/rider/route")).status_code == 401
