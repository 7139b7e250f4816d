"""64 customers race for the last 10 units of one product: exactly 10 orders, nothing oversold."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import insert, text

from kirana.config import Settings
from kirana.kit import security
from kirana.kit.db import Database
from kirana.kit.ids import new_id
from kirana.kit.outbox import drain
from kirana.orders import service
from kirana.users.models import Address, User
from tests import factories

CUSTOMERS = 64
UNITS = 10


async def _customers(
    db: Database, settings: Settings, n: int
) -> list[tuple[str, str, dict[str, str]]]:
    """n customers with an address each, made in one go (one password hash for all)."""
    digest = security.hash_password(factories.PASSWORD)
    users = [
        {
            "id": new_id(),
            "phone": factories.next_phone(),
            "password_hash": digest,
            "name": f"Racer {i}",
            "role": "customer",
            "is_active": True,
        }
        for i in range(n)
    ]
    addresses = [
        {
            "id": new_id(),
            "user_id": u["id"],
            "label": "home",
            "line1": f"Street {i}",
            "city": "Helsinki",
            "pincode": "00100",
            "lat": 60.171,
            "lng": 24.941,
        }
        for i, u in enumerate(users)
    ]
    async with db.transaction() as session:
        await session.execute(insert(User), users)
        await session.execute(insert(Address), addresses)
    out = []
    for u, a in zip(users, addresses, strict=True):
        token, _ = security.create_access_token(
            u["id"], settings.secret_key, 15, {"role": "customer", "store_id": None}
        )
        out.append((u["id"], a["id"], {"Authorization": f"Bearer {token}"}))
    return out


async def test_64_customers_race_for_the_last_10_units(
    db: Database, client: httpx.AsyncClient, settings: Settings
) -> None:
    store_id = await factories.make_store(db)
    category = await factories.make_category(db)
    hot = await factories.make_product(
        db, category, store_id=store_id, on_hand=UNITS, price=9_900, mrp=9_900
    )
    customers = await _customers(db, settings, CUSTOMERS)
    for _, _, headers in customers:
        r = await client.put(
            f"/api/v1/cart/items/{hot}", json={"quantity": 1, "store_id": store_id}, headers=headers
        )
        assert r.status_code == 200, r.text

    async def buy(n: int, address_id: str, headers: dict[str, str]) -> httpx.Response:
        return await client.post(
            "/api/v1/orders",
            json={"address_id": address_id, "payment_method": "cod"},
            headers={**headers, "Idempotency-Key": f"race-{n}"},
        )

    answers = await asyncio.gather(
        *[buy(n, address_id, headers) for n, (_, address_id, headers) in enumerate(customers)]
    )
    statuses = [r.status_code for r in answers]
    assert statuses.count(201) == UNITS, statuses
    assert statuses.count(409) == CUSTOMERS - UNITS, statuses
    for r in answers:
        if r.status_code == 409:
            body = r.json()
            assert body["code"] == "insufficient_stock"
            assert body["lines"] == [
                {
                    "product_id": hot,
                    "name": body["lines"][0]["name"],
                    "requested": 1,
                    "available": 0,
                }
            ]

    async with db.transaction(write=False) as session:
        on_hand, reserved = (
            await session.execute(
                text("SELECT on_hand, reserved FROM stock WHERE product_id = :p"), {"p": hot}
            )
        ).one()
        orders = (await session.execute(text("SELECT count(*) FROM orders"))).scalar_one()
        negative = (
            await session.execute(
                text("SELECT count(*) FROM stock WHERE on_hand < 0 OR reserved < 0")
            )
        ).scalar_one()
    assert (on_hand, reserved, orders, negative) == (UNITS, UNITS, UNITS, 0)
    assert on_hand - reserved == 0
    await drain(db)
    async with db.transaction(write=False) as session:
        report = await service.audit(session)
    assert report.ok, report.breaches
