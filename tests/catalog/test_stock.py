"""Reservations: all lines or none, checked again as the rows are held, never below zero."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from kirana.catalog import stock
from kirana.catalog.models import Stock, StockReservation
from kirana.kit.db import Database
from tests.factories import make_category, make_product, make_store


async def held(db: Database, store: str, *products: str) -> list[tuple[int, int]]:
    async with db.transaction(write=False) as session:
        rows = {
            r.product_id: (r.on_hand, r.reserved)
            for r in (await session.execute(select(Stock).where(Stock.store_id == store))).scalars()
        }
        open_rows = (
            await session.execute(select(func.count()).select_from(StockReservation))
        ).scalar_one()
    return [rows[p] for p in products] + [(open_rows, -1)]


async def test_every_line_or_none(db: Database) -> None:
    store = await make_store(db)
    cat = await make_category(db)
    a = await make_product(db, cat, store_id=store, on_hand=5, name="Apples")
    b = await make_product(db, cat, store_id=store, on_hand=2, name="Bread")
    async with db.transaction() as session:
        await stock.reserve(session, store, "order-1", {a: 3, b: 2})
    assert await held(db, store, a, b) == [(5, 3), (2, 2), (2, -1)]
    with pytest.raises(stock.OutOfStock) as refused:
        async with db.transaction() as session:
            await stock.reserve(session, store, "order-2", {a: 2, b: 1})
    assert [(s.name, s.requested, s.available) for s in refused.value.short] == [("Bread", 1, 0)]
    assert await held(db, store, a, b) == [(5, 3), (2, 2), (2, -1)]  # Apples not held either


async def test_a_line_taken_after_it_was_read_is_refused_with_what_is_left(db: Database) -> None:
    """The caller read the stock, another buyer took it, then the hold runs: the UPDATE, not
    the earlier read, decides, and the refusal says what is left now."""
    store = await make_store(db)
    cat = await make_category(db)
    a = await make_product(db, cat, store_id=store, on_hand=5, name="Apples")
    b = await make_product(db, cat, store_id=store, on_hand=4, name="Bread")
    async with db.transaction(write=False) as session:
        seen = await stock.sale_lines(session, store, [a, b])
    async with db.transaction() as session:  # the other buyer
        await stock.reserve(session, store, "order-other", {b: 3})
    with pytest.raises(stock.OutOfStock) as refused:
        async with db.transaction() as session:
            await stock.reserve(session, store, "order-late", {a: 1, b: 2}, seen=seen)
    assert [(s.name, s.requested, s.available) for s in refused.value.short] == [("Bread", 2, 1)]
    assert await held(db, store, a, b) == [(5, 0), (4, 3), (1, -1)]


async def test_the_hold_itself_never_oversells(db: Database) -> None:
    """Even told that more is there than is (a stale read), the UPDATE holds nothing."""
    store = await make_store(db)
    a = await make_product(db, await make_category(db), store_id=store, on_hand=1, name="A")
    async with db.transaction(write=False) as session:
        seen = await stock.sale_lines(session, store, [a])
    lie = {a: replace(seen[a], available=100)}
    with pytest.raises(stock.OutOfStock) as refused:
        async with db.transaction() as session:
            await stock.reserve(session, store, "order-x", {a: 2}, seen=lie)
    assert refused.value.short[0].available == 1
    assert await held(db, store, a) == [(1, 0), (0, -1)]


async def test_fulfil_takes_every_line_off_the_shelf_and_release_gives_it_back(
    db: Database,
) -> None:
    """A reservation's lines close in one go (one statement for all of them): fulfilled ones
    leave the shelf, released ones are only no longer held; running either again does nothing."""
    store = await make_store(db)
    cat = await make_category(db)
    a = await make_product(db, cat, store_id=store, on_hand=5, name="Apples")
    b = await make_product(db, cat, store_id=store, on_hand=4, name="Bread")
    async with db.transaction() as session:
        await stock.reserve(session, store, "order-kept", {a: 3, b: 1})
        await stock.reserve(session, store, "order-gone", {a: 1, b: 2})
    assert await held(db, store, a, b) == [(5, 4), (4, 3), (4, -1)]
    async with db.transaction() as session:
        assert await stock.fulfil(session, "order-kept") == 2
        assert await stock.release(session, "order-gone") == 2
    assert await held(db, store, a, b) == [(2, 0), (3, 0), (4, -1)]
    async with db.transaction() as session:
        assert await stock.fulfil(session, "order-kept") == 0
        assert await stock.release(session, "order-gone") == 0
    assert await held(db, store, a, b) == [(2, 0), (3, 0), (4, -1)]
    async with db.transaction(write=False) as session:
        assert (await stock.audit(session)) == []
