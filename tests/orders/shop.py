"""A small shop for order tests: a store, products with stock, a customer with an address."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import httpx

from kirana.kit.db import Database
from tests import factories

_keys = itertools.count(1)


def new_key() -> dict[str, str]:
    return {"Idempotency-Key": f"key-{next(_keys)}-{id(_keys)}"}


@dataclass
class Shop:
    store_id: str
    category_id: str
    products: list[str]
    customer: dict[str, str]
    headers: dict[str, str]
    address_id: str
    extra: dict[str, str] = field(default_factory=dict)


async def add_customer(
    db: Database, client: httpx.AsyncClient, lat: float = 60.171, lng: float = 24.941
) -> tuple[dict[str, str], dict[str, str], str]:
    user = await factories.make_user(db, "customer")
    headers = await factories.login(client, user)
    r = await client.post(
        "/api/v1/me/addresses",
        json={
            "label": "home",
            "line1": "Mannerheimintie 1",
            "city": "Helsinki",
            "pincode": "00100",
            "lat": lat,
            "lng": lng,
        },
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return user, headers, r.json()["id"]


async def make_shop(
    db: Database,
    client: httpx.AsyncClient,
    *,
    on_hand: int = 20,
    prices: tuple[int, ...] = (4_500, 12_000),
    **product_kw: object,
) -> Shop:
    store_id = await factories.make_store(db)
    category_id = await factories.make_category(db)
    products = [
        await factories.make_product(
            db,
            category_id,
            store_id=store_id,
            on_hand=on_hand,
            price=price,
            mrp=price + 500,
            aisle=f"B{n}",
            **product_kw,  # type: ignore[arg-type]
        )
        for n, price in enumerate(prices)
    ]
    user, headers, address_id = await add_customer(db, client)
    return Shop(store_id, category_id, products, user, headers, address_id)


async def fill_cart(
    client: httpx.AsyncClient,
    shop: Shop,
    headers: dict[str, str] | None = None,
    lines: dict[str, int] | None = None,
) -> dict[str, object]:
    body: dict[str, object] = {}
    for product_id, quantity in (lines or {shop.products[0]: 2}).items():
        r = await client.put(
            f"/api/v1/cart/items/{product_id}",
            json={"quantity": quantity, "store_id": shop.store_id},
            headers=headers or shop.headers,
        )
        assert r.status_code == 200, r.text
        body = r.json()
    return body


async def place(
    client: httpx.AsyncClient,
    shop: Shop,
    method: str = "cod",
    headers: dict[str, str] | None = None,
    address_id: str | None = None,
    **extra: object,
) -> httpx.Response:
    return await client.post(
        "/api/v1/orders",
        json={"address_id": address_id or shop.address_id, "payment_method": method, **extra},
        headers={**(headers or shop.headers), **new_key()},
    )


TABLES = (
    "carts",
    "cart_items",
    "orders",
    "order_items",
    "order_events",
    "idempotency_keys",
    "coupons",
    "coupon_redemptions",
    "fee_rules",
    "notifications",
    "outbox",
    "stock_reservations",
)


async def snapshot(db: Database) -> dict[str, object]:
    """Row counts of every table these endpoints write, and the stock and cart contents."""
    from sqlalchemy import text

    async with db.transaction(write=False) as session:
        counts: dict[str, object] = {
            t: (await session.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()
            for t in TABLES
        }
        counts["stock"] = [
            tuple(r)
            for r in await session.execute(
                text("SELECT store_id, product_id, on_hand, reserved FROM stock ORDER BY 1, 2")
            )
        ]
        counts["cart_lines"] = [
            tuple(r)
            for r in await session.execute(
                text("SELECT cart_id, product_id, quantity FROM cart_items ORDER BY 1, 2")
            )
        ]
        counts["carts_state"] = [
            tuple(r)
            for r in await session.execute(
                text("SELECT user_id, store_id, coupon_code FROM carts ORDER BY 1")
            )
        ]
        counts["order_states"] = [
            tuple(r)
            for r in await session.execute(text("SELECT id, status FROM orders ORDER BY 1"))
        ]
    return counts


async def stock_of(db: Database, store_id: str, product_id: str) -> tuple[int, int]:
    from sqlalchemy import text

    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                text("SELECT on_hand, reserved FROM stock WHERE store_id = :s AND product_id = :p"),
                {"s": store_id, "p": product_id},
            )
        ).one()
    return int(row[0]), int(row[1])


async def make_admin(db: Database, client: httpx.AsyncClient) -> dict[str, str]:
    return await factories.login(client, await factories.make_user(db, "admin"))


async def settle(db: Database, settings: object, client: httpx.AsyncClient) -> None:
    """Let the sandbox gateway's webhooks arrive (UPI collect) and relay every event."""
    from datetime import timedelta

    from kirana.kit import clock
    from kirana.kit.outbox import drain
    from kirana.payments.jobs import deliver_sandbox_webhooks

    clock.advance(timedelta(seconds=2))
    await deliver_sandbox_webhooks(db, settings, client=client)  # type: ignore[arg-type]
    await drain(db)
