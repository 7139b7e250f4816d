"""Small factory functions that build test data through the services' own code."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from kirana.catalog import service as catalog
from kirana.catalog.models import Category, Product, Stock, Store
from kirana.kit.db import Database
from kirana.kit.ids import new_id
from kirana.logistics import service as logistics
from kirana.users import service as users

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def next_phone() -> str:
    return f"+9198{next(_seq):08d}"


async def make_user(
    db: Database, role: str = "customer", store_id: str | None = None, **kw: Any
) -> dict[str, str]:
    phone = kw.pop("phone", None) or next_phone()
    async with db.transaction() as session:
        user = await users.create_user(
            session,
            phone=phone,
            password=PASSWORD,
            name=kw.pop("name", f"{role} {phone[-4:]}"),
            role=role,
            store_id=store_id,
        )
        if role == "rider" and store_id:
            await logistics.create_rider(session, user_id=user.id, store_id=store_id)
    return {"id": user.id, "phone": phone, "password": PASSWORD}


async def login(client: httpx.AsyncClient, user: dict[str, str]) -> dict[str, str]:
    r = await client.post(
        "/api/v1/auth/login", json={"phone": user["phone"], "password": user["password"]}
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def make_store(db: Database, **kw: Any) -> str:
    store = Store(
        id=new_id(),
        name=kw.get("name", f"Store {next(_seq)}"),
        lat=kw.get("lat", 60.17),
        lng=kw.get("lng", 24.94),
        service_radius_m=kw.get("service_radius_m", 3000),
        service_area=kw.get("service_area"),
        is_open=kw.get("is_open", True),
    )
    async with db.transaction() as session:
        session.add(store)
    return store.id


async def make_category(db: Database, name: str | None = None, parent_id: str | None = None) -> str:
    n = next(_seq)
    cat = Category(id=new_id(), name=name or f"Category {n}", slug=f"cat-{n}", parent_id=parent_id)
    async with db.transaction() as session:
        session.add(cat)
    return cat.id


async def make_product(
    db: Database,
    category_id: str,
    *,
    store_id: str | None = None,
    on_hand: int = 10,
    price: int = 4500,
    mrp: int = 5000,
    name: str | None = None,
    **kw: Any,
) -> str:
    name = name or f"Product {next(_seq)}"
    product = Product(
        id=new_id(),
        name=name,
        search_name=name.lower(),
        brand=kw.get("brand", "Acme"),
        unit=kw.get("unit", "500 g"),
        category_id=category_id,
        mrp=mrp,
        price=price,
        max_per_order=kw.get("max_per_order", 10),
    )
    async with db.transaction() as session:
        session.add(product)
        await session.flush()
        await catalog.reindex_products(session, [product.id])
        if store_id:
            session.add(
                Stock(
                    store_id=store_id,
                    product_id=product.id,
                    on_hand=on_hand,
                    price=kw.get("store_price"),
                    aisle=kw.get("aisle", "A1"),
                )
            )
    return product.id
