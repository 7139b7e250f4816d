""" "Popular near you" and "Offers for you": a store's in-stock products, ranked by the units
its recent paid orders took — not by name, never sold-out, never another store's sales."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import text

from kirana.kit import clock
from kirana.kit.db import Database
from tests import factories
from tests.orders.shop import Shop, add_customer, fill_cart, place


async def _buy(
    client: httpx.AsyncClient, shop: Shop, lines: dict[str, int], method: str = "cod"
) -> str:
    await fill_cart(client, shop, lines=lines)
    r = await place(client, shop, method)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _names(client: httpx.AsyncClient, store_id: str, **query: object) -> list[str]:
    r = await client.get(f"/api/v1/stores/{store_id}/popular", params=query)
    assert r.status_code == 200, r.text
    assert r.json()["next_cursor"] is None
    items = r.json()["items"]
    assert all(i["in_stock"] for i in items)
    return [i["name"] for i in items]


async def test_popular_and_offers_follow_what_sells_in_stock_only(
    db: Database, client: httpx.AsyncClient
) -> None:
    store = await factories.make_store(db)
    other_store = await factories.make_store(db)
    category = await factories.make_category(db)

    async def product(name: str, price: int, mrp: int, on_hand: int = 50) -> str:
        pid = await factories.make_product(
            db, category, store_id=store, name=name, price=price, mrp=mrp, on_hand=on_hand
        )
        return pid

    apple = await product("Apple", 4_000, 4_000)
    banana = await product("Banana", 3_000, 3_500)  # on offer
    cherry = await product("Cherry", 9_000, 9_900)  # on offer, sells most, then sold out
    dates = await product("Dates", 5_000, 6_000)  # on offer, never sold
    eggs = await product("Eggs", 7_000, 7_000)

    user, headers, address_id = await add_customer(db, client)
    shop = Shop(store, category, [apple, banana, cherry, dates, eggs], user, headers, address_id)
    # Before any sale: the shelf by name, in stock only.
    assert await _names(client, store) == ["Apple", "Banana", "Cherry", "Dates", "Eggs"]

    await _buy(client, shop, {eggs: 4, banana: 1})
    await _buy(client, shop, {banana: 2, cherry: 9})
    await _buy(client, shop, {apple: 1})
    unpaid = await _buy(client, shop, {apple: 9}, method="card")  # not a sale (yet)
    cancelled = await _buy(client, shop, {apple: 9})
    r = await client.post(f"/api/v1/orders/{cancelled}/cancel", json={}, headers=headers)
    assert r.status_code == 200, r.text
    assert unpaid
    # Another store's shelf never shows here.
    await factories.make_product(db, category, store_id=other_store, name="Zucchini")

    # units: cherry 9, eggs 4, banana 3, apple 1 (its unpaid and cancelled 18 do not count)
    assert await _names(client, store) == ["Cherry", "Eggs", "Banana", "Apple", "Dates"]
    assert await _names(client, store, on_offer="true") == ["Cherry", "Banana", "Dates"]
    assert await _names(client, store, limit=2) == ["Cherry", "Eggs"]

    async with db.transaction() as session:
        await session.execute(
            text("UPDATE stock SET on_hand = reserved WHERE product_id = :p"), {"p": cherry}
        )
    from kirana.catalog import service as catalog

    catalog.invalidate_listings()
    assert await _names(client, store) == ["Eggs", "Banana", "Apple", "Dates"]
    assert await _names(client, store, on_offer="true") == ["Banana", "Dates"]

    # Sales older than 30 days no longer rank.
    clock.advance(timedelta(days=31))
    assert await _names(client, store) == ["Apple", "Banana", "Dates", "Eggs"]


async def test_popular_refuses_bad_input(db: Database, client: httpx.AsyncClient) -> None:
    store = await factories.make_store(db)
    for path, params, status in [
        ("/api/v1/stores/nope/popular", {}, 404),
        (f"/api/v1/stores/{store}/popular", {"limit": 0}, 422),
        (f"/api/v1/stores/{store}/popular", {"on_offer": "maybe"}, 422),
    ]:
        r = await client.get(path, params=params)
        assert r.status_code == status, (path, params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
