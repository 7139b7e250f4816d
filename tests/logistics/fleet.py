"""Helpers for logistics tests: riders of a shop's store, orders through the orders service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import text

from kirana.kit.db import Database
from kirana.kit.outbox import drain
from tests import factories
from tests.orders.shop import Shop, fill_cart, place
from tests.payments.helpers import counts

STORE_LAT, STORE_LNG = 60.17, 24.94  # where factories.make_store puts a store


@dataclass
class RiderLogin:
    user_id: str
    headers: dict[str, str]


async def add_rider(
    db: Database,
    client: httpx.AsyncClient,
    store_id: str,
    *,
    online: bool = False,
    at: tuple[float, float] | None = None,
) -> RiderLogin:
    user = await factories.make_user(db, "rider", store_id=store_id)
    rider = RiderLogin(user["id"], await factories.login(client, user))
    if at is not None:  # locations are taken on shift only
        await shift(client, rider, True)
        r = await client.post(
            "/api/v1/rider/location", json={"lat": at[0], "lng": at[1]}, headers=rider.headers
        )
        assert r.status_code == 200, r.text
        if not online:
            await shift(client, rider, False)
    elif online:
        await shift(client, rider, True)
    return rider


async def shift(client: httpx.AsyncClient, rider: RiderLogin, online: bool) -> dict[str, Any]:
    r = await client.post("/api/v1/rider/shift", json={"online": online}, headers=rider.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def order(
    db: Database, client: httpx.AsyncClient, shop: Shop, method: str = "cod"
) -> dict[str, Any]:
    """A confirmed cash-on-delivery order of the shop's customer, its events relayed."""
    await fill_cart(client, shop)
    r = await place(client, shop, method=method)
    assert r.status_code == 201, r.text
    await drain(db)
    body: dict[str, Any] = r.json()
    return body


async def tasks(client: httpx.AsyncClient, rider: RiderLogin) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/rider/tasks", headers=rider.headers)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def pack(db: Database, client: httpx.AsyncClient, shop: Shop, order_id: str) -> None:
    staff = shop.extra.get("staff_headers")
    if staff is None:
        user = await factories.make_user(db, "store_staff", store_id=shop.store_id)
        shop.extra["staff_headers"] = staff = (await factories.login(client, user))["Authorization"]
    for step in ("start-picking", "packed"):
        r = await client.post(
            f"/api/v1/store-ops/orders/{order_id}/{step}", headers={"Authorization": staff}
        )
        assert r.status_code == 200, r.text


async def delivery_of(db: Database, order_id: str) -> dict[str, Any]:
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                text(
                    "SELECT d.id, d.status, d.rider_id, r.user_id, d.otp_attempts, d.locked "
                    "FROM deliveries d LEFT JOIN riders r ON r.id = d.rider_id "
                    "WHERE d.order_id = :o"
                ),
                {"o": order_id},
            )
        ).one()
    keys = ("id", "status", "rider_id", "rider_user_id", "otp_attempts", "locked")
    return dict(zip(keys, row, strict=True))


async def logistics_counts(db: Database) -> dict[str, int]:
    return await counts(db, ("riders", "deliveries", "rider_breadcrumbs", "outbox"))
