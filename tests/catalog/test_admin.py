"""Admin catalog API: CRUD of categories, products, stores and stock, every data rule, roles,
events, image upload, cache bumps, and bad input that must write nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select, update

from kirana.catalog import service, stock
from kirana.catalog.models import Category, Product, Stock, Store
from kirana.config import Settings
from kirana.kit.db import Database
from kirana.kit.outbox import OutboxEvent
from kirana.main import create_app
from tests.factories import login, make_category, make_product, make_store, make_user

pytestmark = pytest.mark.asyncio

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
POLYGON = {
    "type": "Polygon",
    "coordinates": [[[24.93, 60.16], [24.95, 60.16], [24.95, 60.18], [24.93, 60.16]]],
}


@pytest.fixture
async def admin(client: httpx.AsyncClient, db: Database) -> dict[str, str]:
    return await login(client, await make_user(db, role="admin"))


async def count(db: Database, model: type) -> int:
    async with db.transaction(write=False) as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def snapshot(db: Database) -> tuple[int, ...]:
    """Row counts and a digest of the catalog's mutable columns: equal means nothing changed."""
    async with db.transaction(write=False) as s:
        counts = [
            int(await s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Category, Product, Store, Stock, OutboxEvent)
        ]
        on_hand = int(await s.scalar(select(func.coalesce(func.sum(Stock.on_hand), 0))) or 0)
        prices = int(await s.scalar(select(func.coalesce(func.sum(Product.price), 0))) or 0)
        active = int(await s.scalar(select(func.count()).where(Product.is_active.is_(True))) or 0)
    return (*counts, on_hand, prices, active)


async def test_roles_and_tokens(client: httpx.AsyncClient, db: Database) -> None:
    store = await make_store(db)
    customer = await login(client, await make_user(db))
    staff = await login(client, await make_user(db, role="store_staff", store_id=store))
    calls = [
        ("GET", "/api/v1/admin/categories", None),
        ("POST", "/api/v1/admin/categories", {"name": "X"}),
        ("GET", "/api/v1/admin/categories/x", None),
        ("PATCH", "/api/v1/admin/categories/x", {"name": "Y"}),
        ("DELETE", "/api/v1/admin/categories/x", None),
        ("GET", "/api/v1/admin/products", None),
        ("POST", "/api/v1/admin/products", {"name": "X"}),
        ("PATCH", "/api/v1/admin/products/x", {}),
        ("DELETE", "/api/v1/admin/products/x", None),
        ("GET", "/api/v1/admin/stores", None),
        ("POST", "/api/v1/admin/stores", {}),
        ("PATCH", f"/api/v1/admin/stores/{store}", {"is_open": False}),
        ("DELETE", f"/api/v1/admin/stores/{store}", None),
        ("GET", f"/api/v1/admin/stores/{store}/stock", None),
        ("PUT", f"/api/v1/admin/stores/{store}/stock/x", {"on_hand": 1}),
        ("PUT", f"/api/v1/admin/stores/{store}/stock", {"items": []}),
    ]
    before = await snapshot(db)
    for method, path, body in calls:
        r = await client.request(method, path, json=body)
        assert r.status_code == 401 and r.json()["code"] == "token_missing", (method, path)
        r = await client.request(method, path, json=body, headers={"Authorization": "Bearer x.y"})
        assert r.status_code == 401 and r.json()["code"] == "invalid_token", (method, path)
        for headers in (customer, staff):
            r = await client.request(method, path, json=body, headers=headers)
            assert r.status_code == 403 and r.json()["code"] == "role_required", (method, path)
    r = await client.post("/api/v1/admin/products/x/image", files={"file": ("a.png", PNG)})
    assert r.status_code == 401
    assert await snapshot(db) == before


async def test_category_crud_and_rules(
    client: httpx.AsyncClient, db: Database, admin: dict[str, str]
) -> None:
    r = await client.post("/api/v1/admin/categories", json={"name": "Fruits & Veg"}, headers=admin)
    assert r.status_code == 201
    fruits = r.json()
    assert fruits["slug"] == "fruits-veg" and fruits["parent_id"] is None
    r = await client.post(
        "/api/v1/admin/categories",
        json={"name": "Apples", "slug": "apples", "parent_id": fruits["id"], "position": 2},
        headers=admin,
    )
    assert r.status_code == 201
    apples = r.json()
    assert (
        await client.get(f"/api/v1/admin/categories/{apples['id']}", headers=admin)
    ).json() == apples
    listed = (
        await client.get("/api/v1/admin/categories", params={"limit": 1}, headers=admin)
    ).json()
    assert [c["name"] for c in listed["items"]] == ["Apples"] and listed["next_cursor"]
    # The public tree sees the new categories at once.
    tree = (await client.get("/api/v1/categories")).json()
    assert tree[0]["children"][0]["id"] == apples["id"]

    r = await client.patch(
        f"/api/v1/admin/categories/{apples['id']}", json={"name": "Red apples"}, headers=admin
    )
    assert r.status_code == 200 and r.json()["name"] == "Red apples"

    before = await snapshot(db)
    for body, status, code in (
        ({"name": "Other", "slug": "apples"}, 409, "slug_taken"),
        ({"name": "Other", "parent_id": "NOPE"}, 422, "unknown_reference"),
        ({"name": "Other", "slug": "Not A Slug"}, 422, "validation_failed"),
        ({"name": ""}, 422, "validation_failed"),
        ({"name": 5}, 422, "validation_failed"),
        ({}, 422, "validation_failed"),
        ({"name": "X", "colour": "red"}, 422, "validation_failed"),
        ({"name": "X", "position": -1}, 422, "validation_failed"),
    ):
        r = await client.post("/api/v1/admin/categories", json=body, headers=admin)
        assert (r.status_code, r.json()["code"]) == (status, code), body
    for body, status, code in (
        ({"parent_id": apples["id"]}, 422, "category_cycle"),
        ({"slug": "apples"}, 409, "slug_taken"),
        ({"name": None}, 422, "validation_failed"),
        ({"parent_id": "NOPE"}, 422, "unknown_reference"),
    ):
        r = await client.patch(f"/api/v1/admin/categories/{fruits['id']}", json=body, headers=admin)
        assert (r.status_code, r.json()["code"]) == (status, code), body
    r = await client.patch(
        f"/api/v1/admin/categories/{apples['id']}", json={"parent_id": apples["id"]}, headers=admin
    )
    assert r.status_code == 422 and r.json()["code"] == "category_cycle"
    r = await client.delete(f"/api/v1/admin/categories/{fruits['id']}", headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "category_in_use"
    await make_product(db, apples["id"])
    r = await client.delete(f"/api/v1/admin/categories/{apples['id']}", headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "category_in_use"
    for method in ("GET", "PATCH", "DELETE"):
        r = await client.request(method, "/api/v1/admin/categories/NOPE", json={}, headers=admin)
        assert r.status_code == 404 and r.json()["code"] == "category_not_found"
    after = await snapshot(db)
    assert after[0] == before[0] and after[1] == before[1] + 1  # only the factory's product

    empty = await make_category(db)
    assert (
        await client.delete(f"/api/v1/admin/categories/{empty}", headers=admin)
    ).status_code == 204
    assert (await client.get(f"/api/v1/admin/categories/{empty}", headers=admin)).status_code == 404


async def test_product_crud_and_price_rules(
    client: httpx.AsyncClient, db: Database, admin: dict[str, str]
) -> None:
    cat = await make_category(db)
    store = await make_store(db)
    body = {
        "name": "Toned Milk",
        "brand": "Himgiri",
        "unit": "1 L",
        "category_id": cat,
        "mrp": 6800,
        "price": 6500,
        "description": "Fresh",
    }
    r = await client.post("/api/v1/admin/products", json=body, headers=admin)
    assert r.status_code == 201, r.text
    product = r.json()
    assert product | {"id": "x"} == body | {
        "id": "x",
        "currency": "EUR",
        "image_url": None,
        "is_active": True,
        "max_per_order": 10,
    }
    pid = product["id"]
    assert (await client.get(f"/api/v1/admin/products/{pid}", headers=admin)).json() == product

    before = await snapshot(db)
    for bad, status, code in (
        (body | {"price": 6900}, 422, "price_above_mrp"),
        (body | {"category_id": "NOPE"}, 422, "unknown_reference"),
        (body | {"mrp": 0}, 422, "validation_failed"),
        (body | {"price": -5}, 422, "validation_failed"),
        (body | {"price": 65.5}, 422, "validation_failed"),
        (body | {"mrp": "lots"}, 422, "validation_failed"),
        ({k: v for k, v in body.items() if k != "unit"}, 422, "validation_failed"),
        (body | {"search_name": "x"}, 422, "validation_failed"),
        (body | {"currency": "rupees"}, 422, "validation_failed"),
    ):
        r = await client.post("/api/v1/admin/products", json=bad, headers=admin)
        assert (r.status_code, r.json()["code"]) == (status, code), bad
    assert await snapshot(db) == before

    # Stocked at a store for 6000: the MRP may not drop below that.
    r = await client.put(
        f"/api/v1/admin/stores/{store}/stock/{pid}",
        json={"on_hand": 5, "price": 6000},
        headers=admin,
    )
    assert r.status_code == 200
    before = await snapshot(db)
    for bad, status, code in (
        ({"price": 7000}, 422, "price_above_mrp"),
        ({"mrp": 6000}, 422, "price_above_mrp"),  # the default price 6500 > 6000
        ({"mrp": 6200, "price": 5000}, 422, "price_above_mrp"),  # ok here
        ({"name": None}, 422, "validation_failed"),
        ({"is_active": "maybe"}, 422, "validation_failed"),
        ({"category_id": "NOPE"}, 422, "unknown_reference"),
    ):
        r = await client.patch(f"/api/v1/admin/products/{pid}", json=bad, headers=admin)
        if bad == {"mrp": 6200, "price": 5000}:
            assert r.status_code == 200, r.text  # the store's 6000 is within 6200
            continue
        assert (r.status_code, r.json()["code"]) == (status, code), bad
    r = await client.patch(
        f"/api/v1/admin/products/{pid}", json={"mrp": 5900, "price": 5000}, headers=admin
    )
    assert r.status_code == 422 and r.json()["code"] == "price_above_mrp"
    assert (await snapshot(db))[:6] == before[:6]

    # Renaming the brand re-indexes the plain search.
    r = await client.patch(f"/api/v1/admin/products/{pid}", json={"brand": "Kaveri"}, headers=admin)
    assert r.status_code == 200
    found = await client.get(f"/api/v1/stores/{store}/products", params={"q": "kaveri"})
    assert [i["id"] for i in found.json()["items"]] == [pid]
    listed = await client.get("/api/v1/admin/products", params={"q": "KAVERI"}, headers=admin)
    assert [p["id"] for p in listed.json()["items"]] == [pid]

    # Stocked: deleting only deactivates; it leaves the store's listing.
    assert (await client.delete(f"/api/v1/admin/products/{pid}", headers=admin)).status_code == 204
    r = await client.get(f"/api/v1/admin/products/{pid}", headers=admin)
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert (await client.get(f"/api/v1/stores/{store}/products")).json()["items"] == []
    assert (await client.get(f"/api/v1/stores/{store}/products/{pid}")).status_code == 404
    # Never stocked nor ordered: really deleted.
    loose = await make_product(db, cat)
    assert (
        await client.delete(f"/api/v1/admin/products/{loose}", headers=admin)
    ).status_code == 204
    assert (await client.get(f"/api/v1/admin/products/{loose}", headers=admin)).status_code == 404
    for method in ("GET", "PATCH", "DELETE"):
        r = await client.request(method, "/api/v1/admin/products/NOPE", json={}, headers=admin)
        assert r.status_code == 404 and r.json()["code"] == "product_not_found"


async def test_store_crud_and_service_area_rules(
    client: httpx.AsyncClient, db: Database, admin: dict[str, str]
) -> None:
    body = {"name": "Kamppi", "lat": 60.169, "lng": 24.932, "service_radius_m": 1500}
    r = await client.post("/api/v1/admin/stores", json=body, headers=admin)
    assert r.status_code == 201
    store = r.json()
    assert store["is_open"] is True and store["service_area"] is None and store["prep_minutes"] == 4
    r = await client.post(
        "/api/v1/admin/stores",
        json={"name": "Poly", "lat": 60.17, "lng": 24.94, "service_area": POLYGON},
        headers=admin,
    )
    assert r.status_code == 201 and r.json()["service_area"] == POLYGON
    assert (await client.get("/api/v1/stores")).json()["items"][0]["name"] == "Kamppi"

    before = await snapshot(db)
    open_ring = {"type": "Polygon", "coordinates": [POLYGON["coordinates"][0][:-1]]}
    short = {"type": "Polygon", "coordinates": [[[24.9, 60.1], [24.95, 60.1], [24.9, 60.1]]]}
    far = {"type": "Polygon", "coordinates": [[[240, 60], [24, 60], [24, 61], [240, 60]]]}
    for bad in (
        body | {"lat": 91},
        body | {"lng": -180.5},
        body | {"lat": "north"},
        body | {"service_radius_m": 0},
        {"name": "X", "lat": 60.1, "lng": 24.9},
        body | {"service_area": POLYGON},
        {"name": "X", "lat": 60.1, "lng": 24.9, "service_area": open_ring},
        {"name": "X", "lat": 60.1, "lng": 24.9, "service_area": short},
        {"name": "X", "lat": 60.1, "lng": 24.9, "service_area": far},
        {"name": "X", "lat": 60.1, "lng": 24.9, "service_area": {"type": "Point"}},
        body | {"prep_minutes": -1},
        {"lat": 60.1, "lng": 24.9, "service_radius_m": 10},
    ):
        r = await client.post("/api/v1/admin/stores", json=bad, headers=admin)
        assert r.status_code == 422 and r.json()["code"] == "validation_failed", bad
    sid = store["id"]
    for bad, code in (
        ({"service_area": POLYGON}, "service_area_required"),
        ({"service_radius_m": None}, "service_area_required"),
        ({"lat": None}, "validation_failed"),
        ({"lat": 100}, "validation_failed"),
        ({"service_area": open_ring, "service_radius_m": None}, "validation_failed"),
    ):
        r = await client.patch(f"/api/v1/admin/stores/{sid}", json=bad, headers=admin)
        assert r.status_code == 422 and r.json()["code"] == code, bad
    assert await snapshot(db) == before

    r = await client.patch(
        f"/api/v1/admin/stores/{sid}",
        json={"service_area": POLYGON, "service_radius_m": None, "is_open": False},
        headers=admin,
    )
    assert r.status_code == 200
    assert r.json()["service_area"] == POLYGON and r.json()["service_radius_m"] is None
    # Closed now: the public serviceability skips it at once.
    r = await client.get("/api/v1/serviceability", params={"lat": 60.169, "lng": 24.932})
    assert r.json()["store"] is None or r.json()["store"]["id"] != sid

    await make_product(db, await make_category(db), store_id=sid)
    r = await client.delete(f"/api/v1/admin/stores/{sid}", headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "store_in_use"
    empty = await make_store(db)
    await make_user(db, role="rider", store_id=empty)  # a rider works there: RESTRICT
    r = await client.delete(f"/api/v1/admin/stores/{empty}", headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "store_in_use"
    bare = await make_store(db)
    assert (await client.delete(f"/api/v1/admin/stores/{bare}", headers=admin)).status_code == 204
    for method in ("GET", "PATCH", "DELETE"):
        r = await client.request(method, f"/api/v1/admin/stores/{bare}", json={}, headers=admin)
        assert r.status_code == 404 and r.json()["code"] == "store_not_found"


async def events(db: Database) -> list[tuple[str, dict]]:
    async with db.transaction(write=False) as s:
        rows = await s.execute(
            select(OutboxEvent.type, OutboxEvent.payload).order_by(OutboxEvent.id)
        )
        return [(t, p) for t, p in rows if t.startswith("stock.")]


async def test_stock_put_rules_and_events(
    client: httpx.AsyncClient, db: Database, admin: dict[str, str]
) -> None:
    store = await make_store(db)
    cat = await make_category(db)
    pid = await make_product(db, cat, price=4500, mrp=5000)
    url = f"/api/v1/admin/stores/{store}/stock/{pid}"
    r = await client.put(url, json={"on_hand": 7, "price": 4800, "aisle": "C3"}, headers=admin)
    assert r.status_code == 200, r.text
    row = r.json()
    assert {k: row[k] for k in ("on_hand", "reserved", "available", "price", "aisle")} == {
        "on_hand": 7,
        "reserved": 0,
        "available": 7,
        "price": 4800,
        "aisle": "C3",
    }
    assert row["product_name"] and row["effective_price"] == 4800 and row["mrp"] == 5000
    listed = (await client.get(f"/api/v1/stores/{store}/products")).json()["items"]
    assert listed[0]["price"] == 4800 and listed[0]["max_quantity"] == 7

    async with db.transaction() as s:
        await stock.reserve(s, store, "order-1", {pid: 4})
    before = await snapshot(db)
    for body, status, code in (
        ({"on_hand": 3}, 409, "below_reserved"),
        ({"on_hand": 10, "price": 5001}, 422, "price_above_mrp"),
        ({"on_hand": -1}, 422, "validation_failed"),
        ({"on_hand": "many"}, 422, "validation_failed"),
        ({"on_hand": 1.5}, 422, "validation_failed"),
        ({"price": 100}, 422, "validation_failed"),
        ({"on_hand": 5, "price": 0}, 422, "validation_failed"),
        ({"on_hand": 5, "reserved": 0}, 422, "validation_failed"),
    ):
        r = await client.put(url, json=body, headers=admin)
        assert (r.status_code, r.json()["code"]) == (status, code), body
    for path, code in (
        (f"/api/v1/admin/stores/NOPE/stock/{pid}", "store_not_found"),
        (f"/api/v1/admin/stores/{store}/stock/NOPE", "product_not_found"),
    ):
        r = await client.put(path, json={"on_hand": 1}, headers=admin)
        assert r.status_code == 404 and r.json()["code"] == code
    assert await snapshot(db) == before

    # Down to what is held: available hits 0 -> stock.depleted; price null -> the product's.
    r = await client.put(url, json={"on_hand": 4, "price": None}, headers=admin)
    assert r.status_code == 200
    assert r.json()["available"] == 0 and r.json()["price"] is None
    assert r.json()["effective_price"] == 4500 and r.json()["aisle"] == "C3"
    got = await events(db)
    assert sorted(t for t, _ in got) == ["stock.changed", "stock.changed", "stock.depleted"]
    assert next(p for t, p in got if t == "stock.depleted") == {
        "store_id": store,
        "product_id": pid,
        "on_hand": 4,
        "reserved": 4,
        "available": 0,
        "price": 4500,
    }
    # Already at zero: no second "depleted".
    await client.put(url, json={"on_hand": 4}, headers=admin)
    assert sorted(t for t, _ in await events(db)) == [
        "stock.changed",
        "stock.changed",
        "stock.changed",
        "stock.depleted",
    ]

    other = await make_product(db, cat, store_id=store, name="AAA first")
    page = await client.get(
        f"/api/v1/admin/stores/{store}/stock", params={"limit": 1}, headers=admin
    )
    assert page.status_code == 200
    assert [r["product_id"] for r in page.json()["items"]] == [other]
    nxt = await client.get(
        f"/api/v1/admin/stores/{store}/stock",
        params={"limit": 1, "cursor": page.json()["next_cursor"]},
        headers=admin,
    )
    assert [r["product_id"] for r in nxt.json()["items"]] == [pid]
    assert nxt.json()["next_cursor"] is None
    r = await client.get("/api/v1/admin/stores/NOPE/stock", headers=admin)
    assert r.status_code == 404


async def test_bulk_stock_is_all_or_nothing(
    client: httpx.AsyncClient, db: Database, admin: dict[str, str]
) -> None:
    store = await make_store(db)
    cat = await make_category(db)
    a = await make_product(db, cat, store_id=store, on_hand=5, mrp=5000, name="A")
    b = await make_product(db, cat, price=2500, mrp=3000, name="B")
    c = await make_product(db, cat, store_id=store, on_hand=5, name="C")
    async with db.transaction() as s:
        await stock.reserve(s, store, "order-1", {c: 5})
    url = f"/api/v1/admin/stores/{store}/stock"
    before = await snapshot(db)
    for body, status, code in (
        (
            {
                "items": [
                    {"product_id": a, "on_hand": 9},
                    {"product_id": b, "on_hand": 1, "price": 3500},
                ]
            },
            422,
            "price_above_mrp",
        ),
        (
            {"items": [{"product_id": a, "on_hand": 9}, {"product_id": "NOPE", "on_hand": 1}]},
            422,
            "unknown_reference",
        ),
        (
            {"items": [{"product_id": a, "on_hand": 9}, {"product_id": c, "on_hand": 4}]},
            409,
            "below_reserved",
        ),
        (
            {"items": [{"product_id": a, "on_hand": 9}, {"product_id": a, "on_hand": 1}]},
            422,
            "validation_failed",
        ),
        ({"items": [{"product_id": a, "on_hand": -9}]}, 422, "validation_failed"),
        ({"items": []}, 422, "validation_failed"),
        ({"items": "all"}, 422, "validation_failed"),
        ({}, 422, "validation_failed"),
    ):
        r = await client.put(url, json=body, headers=admin)
        assert (r.status_code, r.json()["code"]) == (status, code), body
    assert await snapshot(db) == before
    r = await client.put(
        "/api/v1/admin/stores/NOPE/stock",
        json={"items": [{"product_id": a, "on_hand": 1}]},
        headers=admin,
    )
    assert r.status_code == 404

    r = await client.put(
        url,
        json={
            "items": [
                {"product_id": b, "on_hand": 2, "price": 2900},
                {"product_id": a, "on_hand": 0},
            ]
        },
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert [(i["product_id"], i["on_hand"], i["price"]) for i in r.json()["items"]] == [
        (b, 2, 2900),
        (a, 0, None),
    ]
    # Ids order events across milliseconds only, so compare as a multiset.
    assert sorted(t for t, _ in await events(db)) == [
        "stock.changed",
        "stock.changed",
        "stock.depleted",
    ]


async def test_image_upload(
    client: httpx.AsyncClient, db: Database, admin: dict[str, str], settings: Settings
) -> None:
    store = await make_store(db)
    pid = await make_product(db, await make_category(db), store_id=store)
    url = f"/api/v1/admin/products/{pid}/image"
    assert (await client.get("/media/products/nothing.png")).status_code == 404
    before = await snapshot(db)
    for files, status, code in (
        ({"file": ("photo.png", b"GIF89a" + b"\x00" * 40, "image/png")}, 415, "unsupported_image"),
        ({"file": ("x.jpg", b"<svg/>", "image/jpeg")}, 415, "unsupported_image"),
        (
            {"file": ("big.png", PNG + b"\x00" * (2 * 1024 * 1024), "image/png")},
            413,
            "image_too_large",
        ),
        ({"other": ("a.png", PNG, "image/png")}, 422, "validation_failed"),
    ):
        r = await client.post(url, files=files, headers=admin)
        assert (r.status_code, r.json()["code"]) == (status, code), files[
            "file" if "file" in files else "other"
        ][0]
    r = await client.post(
        "/api/v1/admin/products/NOPE/image", files={"file": ("a.png", PNG)}, headers=admin
    )
    assert r.status_code == 404
    assert await snapshot(db) == before

    webp = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20
    for data, ext in ((PNG, "png"), (b"\xff\xd8\xff\xe0" + b"\x00" * 30, "jpg"), (webp, "webp")):
        r = await client.post(url, files={"file": ("upload.bin", data)}, headers=admin)
        assert r.status_code == 200, r.text
        image_url = r.json()["image_url"]
        assert image_url.startswith("/media/products/") and image_url.endswith(f".{ext}")
        served = await client.get(image_url)
        assert served.status_code == 200 and served.content == data
    listed = (await client.get(f"/api/v1/stores/{store}/products")).json()["items"]
    assert listed[0]["image_url"] == image_url
    assert any(settings.media_dir.rglob("*.webp"))


@pytest.fixture
async def cached_client(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Database]]:
    app = create_app(settings.model_copy(update={"catalog_cache_seconds": 300}))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c, app.state.db


async def test_cache_serves_repeats_and_every_write_bumps_it(
    cached_client: tuple[httpx.AsyncClient, Database],
) -> None:
    client, db = cached_client
    admin = await login(client, await make_user(db, role="admin"))
    store = await make_store(db)
    cat = await make_category(db)
    pid = await make_product(db, cat, store_id=store, on_hand=5, name="Cached")
    url = f"/api/v1/stores/{store}/products"
    first = (await client.get(url)).json()
    # A write behind the service's back is not seen until the TTL or a bump ...
    async with db.transaction() as s:
        await s.execute(update(Stock).where(Stock.product_id == pid).values(on_hand=0))
    assert (await client.get(url)).json() == first
    assert (await client.get("/api/v1/categories")).json()[0]["id"] == cat
    # ... a write through the admin API is seen at once.
    r = await client.put(
        f"/api/v1/admin/stores/{store}/stock/{pid}", json={"on_hand": 2}, headers=admin
    )
    assert r.status_code == 200
    assert (await client.get(url)).json()["items"][0]["max_quantity"] == 2
    r = await client.patch(f"/api/v1/admin/products/{pid}", json={"name": "Renamed"}, headers=admin)
    assert (await client.get(url)).json()["items"][0]["name"] == "Renamed"
    assert (await client.get(f"{url}/{pid}")).json()["name"] == "Renamed"
    r = await client.post("/api/v1/admin/categories", json={"name": "AAA"}, headers=admin)
    assert (await client.get("/api/v1/categories")).json()[0]["name"] == "AAA"
    assert (await client.get(url)).json()["items"][0]["max_quantity"] == 2  # cached again
    # A refused write changes nothing and so leaves the cache alone.
    r = await client.put(
        f"/api/v1/admin/stores/{store}/stock/{pid}", json={"on_hand": -1}, headers=admin
    )
    assert r.status_code == 422
    async with db.transaction() as s:
        await s.execute(update(Stock).where(Stock.product_id == pid).values(on_hand=9))
    assert (await client.get(url)).json()["items"][0]["max_quantity"] == 2
    service.invalidate_listings()
    assert (await client.get(url)).json()["items"][0]["max_quantity"] == 9
