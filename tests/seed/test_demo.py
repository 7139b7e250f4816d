"""The demo city: the promised counts, data rules, logins that work, determinism, both DBs."""

from __future__ import annotations

import random

import httpx
import pytest
from sqlalchemy import func, select

from kirana.catalog.models import Category, Product, Stock, Store
from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.logistics.models import Rider
from kirana.seed import demo
from kirana.users.models import Address, User


async def scalar(db: Database, query) -> int:  # type: ignore[no-untyped-def]
    async with db.transaction(write=False) as s:
        return int(await s.scalar(query) or 0)


async def check_city(db: Database, client: httpx.AsyncClient, products: int) -> None:
    assert await scalar(db, select(func.count()).select_from(Product)) == products
    stores = await scalar(db, select(func.count()).select_from(Store))
    assert stores >= 3
    assert await scalar(db, select(func.count()).where(Store.service_area.is_not(None))) >= 1
    assert await scalar(db, select(func.count()).where(Store.service_radius_m.is_not(None))) >= 1
    assert await scalar(db, select(func.count()).where(Category.parent_id.is_(None))) >= 20
    # Prices: never above MRP, some on offer; stock: some sold out, every row has an aisle.
    assert await scalar(db, select(func.count()).where(Product.price > Product.mrp)) == 0
    assert await scalar(db, select(func.count()).where(Product.price < Product.mrp)) > products / 5
    assert await scalar(db, select(func.count()).where(Stock.on_hand == 0)) > 0
    assert await scalar(db, select(func.count()).where(Stock.on_hand > 0)) > products
    assert await scalar(db, select(func.count()).where(Stock.aisle == "")) == 0
    assert await scalar(db, select(func.max(Stock.price - Product.mrp)).join(Product)) <= 0
    # People: one admin, staff and 2-3 riders per store, customers with a served address.
    async with db.transaction(write=False) as s:
        roles = dict((await s.execute(select(User.role, func.count()).group_by(User.role))).all())
        per_store = (
            (await s.execute(select(func.count()).select_from(Rider).group_by(Rider.store_id)))
            .scalars()
            .all()
        )
        addresses = (await s.execute(select(Address.lat, Address.lng))).all()
    assert roles["admin"] == 1 and roles["store_staff"] == stores
    assert 1 <= roles["customer"] <= 2 and len(per_store) == stores
    assert all(2 <= n <= 3 for n in per_store) and roles["rider"] == sum(per_store)
    for lat, lng in addresses:
        r = await client.get("/api/v1/serviceability", params={"lat": lat, "lng": lng})
        assert r.json()["serviceable"] is True
    # Demo logins work, and a category page has stock to show.
    logins = demo._logins()
    for role in ("admin", "customer", "rider", "store_staff"):
        login = next(x for x in logins if x.role == role)
        r = await client.post(
            "/api/v1/auth/login", json={"phone": login.phone, "password": login.password}
        )
        assert r.status_code == 200, (role, r.text)
    store_id = (await client.get("/api/v1/stores")).json()["items"][0]["id"]
    top = (await client.get("/api/v1/categories")).json()[0]["id"]
    page = await client.get(f"/api/v1/stores/{store_id}/products", params={"category_id": top})
    assert page.status_code == 200 and page.json()["items"]


async def test_small_demo_city_on_both_databases(
    settings: Settings, db: Database, client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    logins = await demo.seed_demo(settings, product_count=300)
    err = capsys.readouterr().err
    assert "seed: products" in err and "300" in err and "seed: stock rows" in err
    await check_city(db, client, 300)
    demo.print_logins(logins)
    out = capsys.readouterr().out
    assert all(login.phone in out for login in logins) and demo.DEMO_PASSWORD in out
    # Running it again changes nothing.
    assert await demo.seed_demo(settings, product_count=300) == logins
    assert await scalar(db, select(func.count()).select_from(Product)) == 300


async def test_full_demo_city(settings: Settings, db: Database, client: httpx.AsyncClient) -> None:
    await demo.seed_demo(settings)
    await check_city(db, client, 3000)


def test_catalog_is_deterministic_and_believable() -> None:
    now = clock.now()

    def without_ids(rows: list[dict]) -> list[tuple]:
        return [
            tuple(v for k, v in sorted(r.items()) if k not in ("id", "category_id", "parent_id"))
            for r in rows
        ]

    cats1, products1 = demo.build_catalog(random.Random(42), 3000, now)
    cats2, products2 = demo.build_catalog(random.Random(42), 3000, now)
    assert without_ids(products1) == without_ids(products2)
    assert without_ids(cats1) == without_ids(cats2)
    assert len(products1) == 3000
    assert len({(p["name"], p["unit"]) for p in products1}) == 3000
    assert len({c["slug"] for c in cats1}) == len(cats1)
    units = {p["unit"] for p in products1}
    assert {"500 g", "1 L", "6 pcs"} <= units
    assert all(p["brand"] in p["name"] and 0 < p["price"] <= p["mrp"] for p in products1)
    assert all(p["mrp"] % 10 == 9 for p in products1)  # euro shelf prices: 2,49 €
