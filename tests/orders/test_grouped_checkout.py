"""Checkouts' writes grouped into one statement (PostgreSQL, ``kit.sql._group``): the orders
that wait while a statement is in flight go in the next one together, and each gets the answer
it would have got alone — a refusal in the group makes every order send its own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest

from kirana.catalog import stock
from kirana.config import Settings
from kirana.kit.db import Database
from kirana.kit.outbox import drain
from kirana.kit.sql import Together
from kirana.kit.sql._group import unnest_insert
from kirana.orders import repository as repo
from kirana.users import repository as users_repo
from tests.orders.shop import (
    Shop,
    add_customer,
    fill_cart,
    make_admin,
    make_shop,
    place,
    snapshot,
    stock_of,
)


async def _until(check: Callable[[], bool], what: str) -> None:
    for _ in range(500):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting until {what}")


@asynccontextmanager
async def _locked(settings: Settings, sql: str, *args: object) -> AsyncIterator[None]:
    """``sql`` run by another connection in a transaction held open: what it locks waits."""
    conn = await asyncpg.connect(settings.database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        tx = conn.transaction()
        await tx.start()
        await conn.execute(sql, *args)
        try:
            yield
        finally:
            await tx.rollback()
    finally:
        await conn.close()


def _row_locked(settings: Settings, store_id: str, product_id: str) -> Any:
    """A stock row locked by another connection: a statement that holds it waits."""
    return _locked(
        settings,
        "SELECT 1 FROM stock WHERE store_id = $1 AND product_id = $2 FOR UPDATE",
        store_id,
        product_id,
    )


def _h(who: dict[str, str]) -> dict[str, str]:
    """A customer's headers (without the address id kept beside them)."""
    return {k: v for k, v in who.items() if k != "address"}


async def _customers(db: Database, client: httpx.AsyncClient, n: int) -> list[dict[str, str]]:
    out = []
    for _ in range(n):
        _, headers, address_id = await add_customer(db, client)
        out.append({**headers, "address": address_id})
    return out


async def _order(client: httpx.AsyncClient, shop: Shop, who: dict[str, str]) -> httpx.Response:
    return await place(client, shop, "card", headers=_h(who), address_id=who["address"])


async def _grouped_behind_a_held_lane(
    db: Database,
    settings: Settings,
    client: httpx.AsyncClient,
    shop: Shop,
    holder: dict[str, str],
    buyers: list[dict[str, str]],
    meanwhile: Callable[[], Awaitable[None]] | None = None,
) -> list[httpx.Response]:
    """``holder``'s checkout (which buys products[1]) blocks the only lane on a locked row;
    ``buyers`` check out meanwhile and wait, then go as one statement when the lock goes."""
    group = db.flush_group()
    alone = group.stats.alone
    async with _row_locked(settings, shop.store_id, shop.products[1]):
        first = asyncio.create_task(_order(client, shop, holder))
        await _until(lambda: group.stats.alone > alone, "the first checkout is in flight")
        rest = [asyncio.create_task(_order(client, shop, b)) for b in buyers]
        await _until(lambda: group.waiting == len(buyers), "every other checkout waits")
        if meanwhile is not None:
            await meanwhile()
    return [await first, *[await t for t in rest]]


# SQLite takes one writer at a time: there is nothing to group (``Database.unit()`` gives its
# driver no group), so these run on PostgreSQL only.
postgresql_only = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


@postgresql_only
async def test_waiting_checkouts_go_in_one_statement(
    db: Database, settings: Settings, client: httpx.AsyncClient
) -> None:
    shop = await make_shop(db, client)
    group = db.flush_group()
    group.lanes = 1
    holder, *buyers = await _customers(db, client, 6)
    await fill_cart(client, shop, headers=_h(holder), lines={shop.products[1]: 1})
    for n, b in enumerate(buyers):  # two buy the same product: held as one line
        await fill_cart(client, shop, headers=_h(b), lines={shop.products[0]: 1 + n % 2})
    before = group.stats.statements
    answers = await _grouped_behind_a_held_lane(db, settings, client, shop, holder, buyers)
    assert [r.status_code for r in answers] == [201] * 6, [r.text for r in answers]
    assert group.stats.statements == before + 1 and group.stats.kept_nothing == 0
    assert group.stats.units >= 5
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 1 + 2 + 1 + 2 + 1)
    assert await stock_of(db, shop.store_id, shop.products[1]) == (20, 1)
    snap = await snapshot(db)
    assert snap["orders"] == 6 and snap["order_items"] == 6 and snap["idempotency_keys"] == 6
    assert snap["cart_items"] == 0 and snap["stock_reservations"] == 6 and snap["outbox"] == 6
    numbers = {r.json()["number"] for r in answers}
    assert len(numbers) == 6
    await drain(db)
    audit = await client.get("/api/v1/admin/audit", headers=await make_admin(db, client))
    assert audit.json() == {"ok": True, "breaches": []}


@postgresql_only
async def test_waiting_reads_go_in_one_statement_each(
    db: Database, settings: Settings, client: httpx.AsyncClient
) -> None:
    """Checkouts whose cart reads wait behind one that is held (the carts table locked) read
    their carts together, then their addresses and sale lines, and each gets its own rows."""
    shop = await make_shop(db, client)
    group = db.flush_group()
    first, *others = await _customers(db, client, 6)
    for n, who in enumerate([first, *others]):
        await fill_cart(client, shop, headers=_h(who), lines={shop.products[n % 2]: 1 + n % 3})
    assert (await _order(client, shop, first)).status_code == 201  # alone: learns the types
    kinds = (
        repo._CART_FOR_CHECKOUT_TOGETHER,
        users_repo._ADDRESS_TOGETHER,
        stock._SALE_LINES_TOGETHER,
    )
    cart_line = group._line(kinds[0])
    async with _locked(settings, "LOCK TABLE carts IN ACCESS EXCLUSIVE MODE"):
        tasks = [asyncio.create_task(_order(client, shop, who)) for who in others]
        await _until(lambda: len(cart_line.waiting) == 4, "four cart reads wait for the fifth")
    answers = [await t for t in tasks]
    assert [r.status_code for r in answers] == [201] * 5, [r.text for r in answers]
    reads = [group.read_stats(r) for r in kinds]
    assert all(r.statements >= 1 and r.kept_nothing == 0 for r in reads), reads
    for n, r in enumerate(answers, start=1):
        (item,) = r.json()["items"]  # its own cart, address and prices
        assert (item["product_id"], item["quantity"]) == (shop.products[n % 2], 1 + n % 3)
        assert r.json()["address"]["line1"] == "Mannerheimintie 1"
    assert await stock_of(db, shop.store_id, shop.products[0]) == (20, 1 + 3 + 2)
    assert await stock_of(db, shop.store_id, shop.products[1]) == (20, 2 + 1 + 3)


@postgresql_only
async def test_a_refusal_in_the_group_sends_each_order_alone(
    db: Database, settings: Settings, client: httpx.AsyncClient
) -> None:
    """One cart changed while its checkout waited, and two baskets that fit the stock one at a
    time but not together: the group keeps nothing, then each order gets its own answer."""
    shop = await make_shop(db, client, on_hand=5)
    group = db.flush_group()
    group.lanes = 1
    holder, changer, big1, big2, fine = await _customers(db, client, 5)
    await fill_cart(client, shop, headers=_h(holder), lines={shop.products[1]: 1})
    await fill_cart(client, shop, headers=_h(changer), lines={shop.products[0]: 1})
    await fill_cart(client, shop, headers=_h(big1), lines={shop.products[0]: 3})
    await fill_cart(client, shop, headers=_h(big2), lines={shop.products[0]: 2})
    await fill_cart(client, shop, headers=_h(fine), lines={shop.products[1]: 2})
    # big1 and big2 fit (3 + 2 = 5); a third basket of 1 on products[0] makes the group short
    _, extra_headers, extra_address = await add_customer(db, client)
    extra = {**extra_headers, "address": extra_address}
    await fill_cart(client, shop, headers=extra_headers, lines={shop.products[0]: 1})

    async def change_a_cart() -> None:
        await fill_cart(client, shop, headers=_h(changer), lines={shop.products[0]: 2})

    before = (group.stats.statements, group.stats.kept_nothing)
    answers = await _grouped_behind_a_held_lane(
        db, settings, client, shop, holder, [changer, big1, big2, extra, fine], change_a_cart
    )
    by = dict(zip(["holder", "changer", "big1", "big2", "extra", "fine"], answers, strict=True))
    assert (group.stats.statements, group.stats.kept_nothing) == (before[0] + 1, before[1] + 1)
    assert by["holder"].status_code == 201 and by["fine"].status_code == 201
    assert by["changer"].status_code == 409
    assert by["changer"].json()["code"] == "cart_changed"
    product0 = [by["big1"], by["big2"], by["extra"]]
    assert sorted(r.status_code for r in product0) == [201, 201, 409]
    short = next(r for r in product0 if r.status_code == 409).json()
    assert short["code"] == "insufficient_stock"
    placed = sum(r.json()["item_count"] for r in product0 if r.status_code == 201)
    on_hand, reserved = await stock_of(db, shop.store_id, shop.products[0])
    assert (on_hand, reserved) == (5, placed) and placed <= 5
    snap = await snapshot(db)
    assert snap["orders"] == 4 and snap["idempotency_keys"] == 4
    cart = (await client.get("/api/v1/cart", headers=_h(changer))).json()
    assert [i["quantity"] for i in cart["items"]] == [2]  # the changed cart was not emptied


def test_single_row_inserts_find_their_grouped_form() -> None:
    one = (
        "INSERT INTO outbox (id, type, created_at) VALUES ($1::VARCHAR, $2::VARCHAR,"
        " $3::TIMESTAMP WITH TIME ZONE) ON CONFLICT (id) DO NOTHING"
    )
    found = unnest_insert(one, 3)
    assert isinstance(found, Together) and found.width == 3
    assert found.sql == (
        "INSERT INTO outbox (id, type, created_at) SELECT * FROM unnest($1::VARCHAR[],"
        " $2::VARCHAR[], $3::TIMESTAMP WITH TIME ZONE[]) ON CONFLICT (id) DO NOTHING"
    )
    # values that are not plain parameters in order have no grouped form
    assert unnest_insert("INSERT INTO t (a, b) VALUES ($1::VARCHAR, now())", 1) is None
    assert unnest_insert("INSERT INTO t (a, b) VALUES ($2::VARCHAR, $1::VARCHAR)", 2) is None
    assert unnest_insert("INSERT INTO t (a) VALUES ($1::VARCHAR), ($2::VARCHAR)", 2) is None
