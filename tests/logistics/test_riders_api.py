"""Riders admin, and bad input to every rider endpoint: a clear 4xx, nothing written."""

from __future__ import annotations

from typing import Any

import httpx

from kirana.kit.db import Database
from tests import factories
from tests.logistics.fleet import add_rider, delivery_of, logistics_counts, order, shift
from tests.orders.shop import make_admin, make_shop

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


async def test_admin_makes_a_rider_user_a_rider_of_a_store(
    db: Database, client: httpx.AsyncClient
) -> None:
    admin = await make_admin(db, client)
    store_id = await factories.make_store(db)
    user = await factories.make_user(db, "rider")  # the role, no store yet
    r = await client.post(
        "/api/v1/admin/riders",
        json={"user_id": user["id"], "store_id": store_id, "vehicle": "bicycle"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    rider = r.json()
    assert (rider["user_id"], rider["store_id"], rider["vehicle"]) == (
        user["id"],
        store_id,
        "bicycle",
    )
    assert rider["is_online"] is False and rider["current_delivery"] is None
    assert rider["name"]

    before = await logistics_counts(db)
    customer = await factories.make_user(db, "customer")
    cases: list[tuple[dict[str, Any], dict[str, str], int, str]] = [
        ({"user_id": user["id"], "store_id": store_id}, admin, 409, "rider_exists"),
        ({"user_id": customer["id"], "store_id": store_id}, admin, 422, "user_not_rider"),
        ({"user_id": UNKNOWN_ID, "store_id": store_id}, admin, 404, "user_not_found"),
        ({"user_id": user["id"], "store_id": store_id, "vehicle": "rocket"}, admin, 422, ""),
        ({"user_id": user["id"]}, admin, 422, "validation_failed"),
        ({"user_id": 5, "store_id": store_id}, admin, 422, "validation_failed"),
        ({"user_id": user["id"], "store_id": store_id, "x": 1}, admin, 422, "validation_failed"),
        ({"user_id": user["id"], "store_id": store_id}, {}, 401, "token_missing"),
        (
            {"user_id": user["id"], "store_id": store_id},
            await factories.login(client, customer),
            403,
            "role_required",
        ),
    ]
    fresh = await factories.make_user(db, "rider")
    cases.append(({"user_id": fresh["id"], "store_id": UNKNOWN_ID}, admin, 404, ""))
    for body, headers, status, code in cases:
        r = await client.post("/api/v1/admin/riders", json=body, headers=headers)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        if code:
            assert r.json()["code"] == code
    assert await logistics_counts(db) == before


async def test_admin_lists_riders_with_status_delivery_and_position(
    db: Database, client: httpx.AsyncClient
) -> None:
    admin = await make_admin(db, client)
    shop = await make_shop(db, client)
    busy = await add_rider(db, client, shop.store_id, online=True, at=(60.18, 24.95))
    idle = await add_rider(db, client, shop.store_id)
    elsewhere = await factories.make_store(db)
    await add_rider(db, client, elsewhere)
    placed = await order(db, client, shop)

    r = await client.get(f"/api/v1/admin/riders?store_id={shop.store_id}", headers=admin)
    assert r.status_code == 200, r.text
    items = {i["user_id"]: i for i in r.json()["items"]}
    assert set(items) == {busy.user_id, idle.user_id}
    assert items[busy.user_id]["is_online"] is True
    assert (items[busy.user_id]["lat"], items[busy.user_id]["lng"]) == (60.18, 24.95)
    assert items[busy.user_id]["current_delivery"] == {
        "id": (await delivery_of(db, placed["id"]))["id"],
        "order_id": placed["id"],
        "status": "assigned",
    }
    assert items[idle.user_id]["is_online"] is False
    assert items[idle.user_id]["current_delivery"] is None

    seen: list[str] = []
    cursor: str | None = None
    while True:
        r = await client.get(
            "/api/v1/admin/riders",
            params={"limit": 2, **({"cursor": cursor} if cursor else {})},
            headers=admin,
        )
        assert r.status_code == 200
        seen += [i["id"] for i in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 3

    for params, status in (
        ({"limit": 0}, 422),
        ({"limit": "many"}, 422),
        ({"cursor": "not-a-cursor"}, 400),
        ({"store_id": UNKNOWN_ID}, 200),
    ):
        r = await client.get("/api/v1/admin/riders", params=params, headers=admin)
        assert r.status_code == status, (params, r.text)
    r = await client.get("/api/v1/admin/riders", headers=busy.headers)
    assert r.status_code == 403


async def test_rider_endpoints_refuse_bad_input_and_write_nothing(
    db: Database, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    rider = await add_rider(db, client, shop.store_id)
    await shift(client, rider, True)
    placed = await order(db, client, shop)
    delivery_id = (await delivery_of(db, placed["id"]))["id"]
    no_rider_row = await factories.login(client, await factories.make_user(db, "rider"))
    customer = shop.headers
    h = rider.headers
    d = f"/api/v1/rider/deliveries/{delivery_id}"
    u = f"/api/v1/rider/deliveries/{UNKNOWN_ID}"
    cases: list[tuple[str, Any, dict[str, str], int, str]] = [
        ("/api/v1/rider/shift", {"online": "maybe"}, h, 422, "validation_failed"),
        ("/api/v1/rider/shift", {}, h, 422, "validation_failed"),
        ("/api/v1/rider/shift", {"online": True, "x": 1}, h, 422, "validation_failed"),
        ("/api/v1/rider/shift", {"online": True}, {}, 401, "token_missing"),
        ("/api/v1/rider/shift", {"online": True}, customer, 403, "role_required"),
        ("/api/v1/rider/shift", {"online": True}, no_rider_row, 404, "rider_not_found"),
        ("/api/v1/rider/location", {"lat": 91, "lng": 0}, h, 422, "telemetry_rejected"),
        ("/api/v1/rider/location", {"lat": 0, "lng": -180.5}, h, 422, "telemetry_rejected"),
        ("/api/v1/rider/location", {"lat": "north", "lng": 0}, h, 422, "validation_failed"),
        ("/api/v1/rider/location", {"lat": 10}, h, 422, "validation_failed"),
        ("/api/v1/rider/location", {"lat": 1, "lng": 1}, customer, 403, "role_required"),
        ("/api/v1/rider/location", {"lat": 1, "lng": 1}, no_rider_row, 404, "rider_not_found"),
        (f"{u}/picked-up", None, h, 404, "delivery_not_found"),
        (f"{u}/delivered", {"otp": "1234"}, h, 404, "delivery_not_found"),
        (f"{d}/picked-up", None, customer, 403, "role_required"),
        (f"{d}/picked-up", None, {}, 401, "token_missing"),
        (f"{d}/delivered", {"otp": "12345"}, h, 422, "validation_failed"),
        (f"{d}/delivered", {"otp": "12a4"}, h, 422, "validation_failed"),
        (f"{d}/delivered", {"otp": 1234}, h, 422, "validation_failed"),
        (f"{d}/delivered", {}, h, 422, "validation_failed"),
        (f"{d}/delivered", {"otp": "1234"}, no_rider_row, 404, "rider_not_found"),
        (f"{d}/picked-up", None, no_rider_row, 404, "rider_not_found"),
        (f"/api/v1/rider/deliveries/{'x' * 30}/picked-up", None, h, 422, "validation_failed"),
    ]
    before = await logistics_counts(db)
    for path, body, headers, status, code in cases:
        r = await client.post(path, json=body, headers=headers)
        assert r.status_code == status, (path, body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == code, r.text
    r = await client.post(
        "/api/v1/rider/location", content=b"{", headers={**h, "Content-Type": "application/json"}
    )
    assert r.status_code == 400
    assert await logistics_counts(db) == before
    assert (await delivery_of(db, placed["id"]))["status"] == "assigned"
    r = await client.get("/api/v1/rider/tasks", headers=no_rider_row)
    assert r.status_code == 404
    r = await client.get("/api/v1/rider/tasks", headers=customer)
    assert r.status_code == 403
