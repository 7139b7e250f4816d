"""Admins see how well delivery promises were kept, by store and by hour: orders, the share
delivered within the promised p90, and the ETA error (actual - p50) with its spread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from kirana.kit.db import Database
from kirana.orders.models import Order
from tests import factories
from tests.orders.shop import Shop, fill_cart, make_admin, make_shop, place

BASE = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
WINDOW = {"from": "2026-12-01T09:00:00Z", "to": "2026-12-01T13:00:00+00:00"}
URL = "/api/v1/admin/reports/promise"


async def _delivered(
    db: Database,
    client: httpx.AsyncClient,
    shop: Shop,
    *,
    at: datetime,
    p50: int,
    p90: int | None,
    actual: float,
) -> str:
    """An order of the shop's, as if delivered at ``at`` after ``actual`` minutes."""
    await fill_cart(client, shop)
    r = await place(client, shop)
    assert r.status_code == 201, r.text
    async with db.transaction() as session:
        await session.execute(
            update(Order)
            .where(Order.id == r.json()["id"])
            .values(
                status="delivered",
                eta_minutes=p50,
                eta_p90_minutes=p90,
                delivered_at=at,
                delivery_minutes=actual,
            )
        )
    return str(r.json()["id"])


async def test_the_report_for_a_constructed_set_of_orders(
    db: Database, client: httpx.AsyncClient
) -> None:
    a = await make_shop(db, client)
    b = await make_shop(db, client)
    ten, eleven = BASE + timedelta(minutes=5), BASE + timedelta(hours=1, minutes=59)
    for at, p50, p90, actual in [
        (ten, 10, 15, 12),  # 2 late of the p50, within the p90
        (ten, 10, 15, 16),  # 6 late, past the p90
        (ten, 12, 18, 9),  # 3 early
        (eleven, 10, 15, 10),  # on the minute
    ]:
        await _delivered(db, client, a, at=at, p50=p50, p90=p90, actual=actual)
    await _delivered(db, client, b, at=ten, p50=8, p90=12, actual=20)
    # Not counted: outside the window, and one placed before promises had a p90.
    await _delivered(db, client, a, at=BASE - timedelta(days=1), p50=10, p90=15, actual=99)
    await _delivered(db, client, a, at=ten, p50=10, p90=None, actual=99)
    # Not delivered: not counted either.
    await fill_cart(client, a)
    assert (await place(client, a)).status_code == 201

    admin = await make_admin(db, client)
    r = await client.get(URL, params=WINDOW, headers=admin)
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["from"], report["to"]) == ("2026-12-01T09:00:00Z", "2026-12-01T13:00:00Z")
    assert report["overall"] == {
        "orders": 5,
        "on_time": 3,
        "on_time_share": 0.6,
        "error_mean": 3.4,
        "error_median": 2.0,
        "error_p10": -1.8,
        "error_p90": 9.6,
    }
    by_store = {s["store_id"]: s for s in report["stores"]}
    first = by_store[a.store_id]
    assert {k: first[k] for k in report["overall"]} == {
        "orders": 4,
        "on_time": 3,
        "on_time_share": 0.75,
        "error_mean": 1.25,
        "error_median": 1.0,
        "error_p10": -2.1,
        "error_p90": 4.8,
    }
    assert [(h["hour"], h["orders"], h["on_time_share"]) for h in first["hours"]] == [
        ("2026-12-01T10:00:00Z", 3, 0.6667),
        ("2026-12-01T11:00:00Z", 1, 1.0),
    ]
    assert {k: first["hours"][0][k] for k in ("error_mean", "error_median", "error_p10")} == {
        "error_mean": 1.67,
        "error_median": 2.0,
        "error_p10": -2.0,
    }
    assert first["hours"][0]["error_p90"] == 5.2
    assert (first["hours"][1]["error_p10"], first["hours"][1]["error_p90"]) == (0.0, 0.0)
    second = by_store[b.store_id]
    assert (second["orders"], second["on_time_share"], second["error_median"]) == (1, 0.0, 12.0)

    # One store's.
    r = await client.get(URL, params={**WINDOW, "store_id": b.store_id}, headers=admin)
    assert r.status_code == 200, r.text
    assert [s["store_id"] for s in r.json()["stores"]] == [b.store_id]
    assert r.json()["overall"]["orders"] == 1

    # A window with nothing in it says so, with no figures to divide by zero.
    r = await client.get(
        URL, params={"from": "2026-11-01T00:00:00Z", "to": "2026-11-02T00:00:00Z"}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert r.json()["stores"] == []
    assert r.json()["overall"] == {
        "orders": 0,
        "on_time": 0,
        "on_time_share": None,
        "error_mean": None,
        "error_median": None,
        "error_p10": None,
        "error_p90": None,
    }


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"from": "2026-12-01T12:00:00Z", "to": "2026-12-01T09:00:00Z"}, 422, "invalid_window"),
        ({"from": "2026-12-01T09:00:00Z", "to": "2026-12-01T09:00:00Z"}, 422, "invalid_window"),
        ({"from": "2026-10-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}, 422, "window_too_long"),
        ({"from": "2026-12-01T09:00:00", "to": "2026-12-01T10:00:00Z"}, 422, "time_zone_missing"),
        ({"from": "yesterday"}, 422, "validation_failed"),
        ({"store_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, 404, "store_not_found"),
        ({"store_id": "x" * 27}, 422, "validation_failed"),
    ],
)
async def test_bad_input_is_refused_with_a_problem(
    db: Database, client: httpx.AsyncClient, params: dict[str, str], status: int, code: str
) -> None:
    admin = await make_admin(db, client)
    r = await client.get(URL, params=params, headers=admin)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code


async def test_only_admins_see_it(db: Database, client: httpx.AsyncClient) -> None:
    assert (await client.get(URL)).status_code == 401
    customer = await factories.login(client, await factories.make_user(db, "customer"))
    r = await client.get(URL, headers=customer)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
