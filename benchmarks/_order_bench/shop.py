"""The benchmark's store, catalog and signed-up customers in the Kirana database; the naive
reservation; the stock as it is after."""

from __future__ import annotations

import asyncio
import itertools
import random
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from _order_bench.sessions import Customer
from kirana.kit import market

PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$unused-in-this-benchmark"

_phones = itertools.count()
_doors = random.Random(7)

# --- the Kirana database --------------------------------------------------------------------


@dataclass
class Seeded:
    store_id: str
    products: list[str]
    customers: list[Customer] = field(default_factory=list)


async def seed(url: str, *, products: int, categories: int, customers: int, on_hand: int) -> Seeded:
    """A store with ``products`` products over ``categories`` categories, and ``customers``
    customers with an address each."""
    from sqlalchemy import insert

    from kirana.catalog.models import Category, Product, Stock, Store
    from kirana.kit.db import Database
    from kirana.kit.ids import new_id

    db = Database(url, pool_size=2)
    store_id = new_id()
    category_ids = [new_id() for _ in range(categories)]
    product_ids = [new_id() for _ in range(products)]
    async with db.transaction() as s:
        await s.execute(
            insert(Store),
            [
                {
                    "id": store_id,
                    "name": "Bench store",
                    "lat": 60.17,
                    "lng": 24.94,
                    "service_radius_m": 5000,
                    "is_open": True,
                    "prep_minutes": 4,
                    "address": "",
                }
            ],
        )
        await s.execute(
            insert(Category),
            [
                {"id": cid, "name": f"Aisle {i}", "slug": f"aisle-{i}", "position": i}
                for i, cid in enumerate(category_ids)
            ],
        )
        await s.execute(
            insert(Product),
            [
                {
                    "id": pid,
                    "name": f"Product {i}",
                    "search_name": f"product {i}",
                    "brand": "B",
                    "unit": "1 pc",
                    "category_id": category_ids[i % categories],
                    "mrp": 5_000,
                    "price": 4_500,
                    "currency": market.current().currency,
                    "description": "",
                    "is_active": True,
                    "max_per_order": 10,
                }
                for i, pid in enumerate(product_ids)
            ],
        )
        await s.execute(
            insert(Stock),
            [
                {
                    "store_id": store_id,
                    "product_id": pid,
                    "on_hand": on_hand,
                    "reserved": 0,
                    "aisle": f"A{i % 20}",
                }
                for i, pid in enumerate(product_ids)
            ],
        )
    seeded = Seeded(store_id, product_ids)
    await add_customers(db, seeded, customers)
    await db.dispose()
    return seeded


def _signed_in(
    role: str, prefix: str, n: int, store_id: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """``n`` users of ``role`` (rows), each signed in once before: the refresh-token rows a
    login leaves, and the tokens the app keeps."""
    from datetime import timedelta

    from kirana.kit import clock, security
    from kirana.kit.ids import new_id

    rows, refresh, tokens = [], [], []
    now = clock.now()
    for i in [next(_phones) for _ in range(n)]:
        uid = new_id()
        rows.append(
            {
                "id": uid,
                "phone": f"{prefix}{i:08d}",
                "password_hash": PASSWORD_HASH,
                "name": f"{role.title()} {i}",
                "role": role,
                "store_id": store_id,
                "is_active": True,
            }
        )
        tokens.append(security.new_opaque_token())
        refresh.append(
            {
                "id": new_id(),
                "user_id": uid,
                "family_id": new_id(),
                "token_hash": security.token_digest(tokens[-1]),
                "created_at": now,
                "expires_at": now + timedelta(days=30),
            }
        )
    return rows, refresh, tokens


async def add_customers(db: Any, seeded: Seeded, n: int) -> None:
    """``n`` customers, each signed in once before (with a password: the refresh token the app
    keeps is stored, as a login leaves it) and with a delivery address."""
    from sqlalchemy import insert

    from kirana.kit.ids import new_id
    from kirana.users.models import Address, RefreshToken, User

    rows, refresh, tokens = _signed_in("customer", "+9199", n)
    addresses = [
        {
            "id": new_id(),
            "user_id": row["id"],
            "label": "home",
            "line1": f"Street {i}",
            "city": "Helsinki",
            "pincode": "00100",
            # each at a door of their own within 2 km of the store, as customers live
            "lat": 60.17 + _doors.uniform(-0.018, 0.018),
            "lng": 24.94 + _doors.uniform(-0.036, 0.036),
        }
        for i, row in enumerate(rows)
    ]
    async with db.transaction() as s:
        for chunk in range(0, n, 2000):
            await s.execute(insert(User), rows[chunk : chunk + 2000])
            await s.execute(insert(Address), addresses[chunk : chunk + 2000])
            await s.execute(insert(RefreshToken), refresh[chunk : chunk + 2000])
    for r, a, t in zip(rows, addresses, tokens, strict=True):
        seeded.customers.append(Customer(r["id"], a["id"], t))


async def add_riders(url: str, store_id: str, n: int) -> list[tuple[str, str]]:
    """``n`` riders of the store, signed in once before: (user id, refresh token) each."""
    from sqlalchemy import insert

    from kirana.kit.db import Database
    from kirana.kit.ids import new_id
    from kirana.logistics.models import Rider
    from kirana.users.models import RefreshToken, User

    rows, refresh, tokens = _signed_in("rider", "+9197", n, store_id)
    riders = [
        {
            "id": new_id(),
            "user_id": row["id"],
            "store_id": store_id,
            "vehicle": "scooter",
            "is_online": False,
            "name": row["name"],
        }
        for row in rows
    ]
    db = Database(url, pool_size=2)
    try:
        async with db.transaction() as s:
            await s.execute(insert(User), rows)
            await s.execute(insert(Rider), riders)
            await s.execute(insert(RefreshToken), refresh)
    finally:
        await db.dispose()
    return [(row["id"], token) for row, token in zip(rows, tokens, strict=True)]


async def naive_reservation(
    dsn: str, store_id: str, product_id: str, buyers: int
) -> dict[str, Any]:
    """Read-then-write without a lock or condition: how many 'sales' for the units there are?"""
    pool = await asyncpg.create_pool(dsn, min_size=buyers, max_size=buyers)
    sold = 0

    async def buy() -> None:
        nonlocal sold
        async with pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT on_hand - reserved AS available, reserved FROM stock WHERE store_id = $1 AND product_id = $2",
                store_id,
                product_id,
            )
            if row["available"] >= 1:
                await conn.execute(
                    "UPDATE stock SET reserved = $3 WHERE store_id = $1 AND product_id = $2",
                    store_id,
                    product_id,
                    row["reserved"] + 1,
                )
                sold += 1

    units = await pool.fetchval(
        "SELECT on_hand - reserved FROM stock WHERE store_id = $1 AND product_id = $2",
        store_id,
        product_id,
    )
    await asyncio.gather(*[buy() for _ in range(buyers)])
    reserved = await pool.fetchval(
        "SELECT reserved FROM stock WHERE store_id = $1 AND product_id = $2", store_id, product_id
    )
    await pool.close()
    return {
        "units": units,
        "buyers": buyers,
        "sold": sold,
        "reserved_after": reserved,
        "oversold": max(0, sold - units),
        "lost_updates": sold - reserved,
    }


async def stock_state(dsn: str, store_id: str, product_id: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            "SELECT on_hand, reserved FROM stock WHERE store_id = $1 AND product_id = $2",
            store_id,
            product_id,
        )
        held = await conn.fetchval(
            "SELECT coalesce(sum(quantity), 0) FROM stock_reservations "
            "WHERE store_id = $1 AND product_id = $2 AND status = 'open'",
            store_id,
            product_id,
        )
        negative = await conn.fetchval(
            "SELECT count(*) FROM stock WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand"
        )
        orders = await conn.fetchval(
            "SELECT count(*) FROM order_items WHERE product_id = $1", product_id
        )
    finally:
        await conn.close()
    return {
        "on_hand": row["on_hand"],
        "reserved": row["reserved"],
        "open_reservations": int(held),
        "bad_rows": int(negative),
        "orders_with_it": int(orders),
    }
