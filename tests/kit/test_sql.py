"""kit.sql runs Core statements on the driver inside the session's transaction, types and all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError

from kirana.catalog.models import Stock
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.ids import new_id
from kirana.kit.outbox import OutboxEvent
from kirana.kit.sql import Driver, Query, any_of, driver, statement_listeners
from tests import factories

EVENTS = Query(
    select(
        OutboxEvent.id,
        OutboxEvent.type,
        OutboxEvent.payload,
        OutboxEvent.created_at,
        OutboxEvent.published_at,
        OutboxEvent.attempts,
    )
    .where(OutboxEvent.type == bindparam("type"))
    .order_by(OutboxEvent.id)
)
COUNT = Query(select(func.count()).select_from(OutboxEvent))
RESERVE = Query(
    update(Stock)
    .where(
        Stock.store_id == bindparam("store_id"),
        Stock.product_id == bindparam("product_id"),
        Stock.on_hand - Stock.reserved >= bindparam("qty"),
    )
    .values(reserved=Stock.reserved + bindparam("qty"))
)
STOCK = Query(
    select(Stock.reserved, Stock.updated_at).where(
        Stock.store_id == bindparam("store_id"), Stock.product_id == bindparam("product_id")
    )
)


async def test_insert_and_read_back_with_types_and_defaults(db: Database) -> None:
    at = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
    ids = [new_id() for _ in range(3)]
    async with db.transaction() as session:
        sql = await driver(session)
        sql.insert(
            OutboxEvent.__table__,  # type: ignore[arg-type]
            [
                {
                    "id": i,
                    "type": "t.one",
                    "payload": {"n": n, "nested": [1, "x"]},
                    "created_at": at,
                }
                for n, i in enumerate(ids)
            ],
        )
        assert await driver(session) is sql  # one per transaction
    async with db.transaction(write=False) as session:
        rows = await (await driver(session)).rows(EVENTS, type="t.one")
        assert await (await driver(session)).scalar(COUNT) == 3
    assert [r.id for r in rows] == sorted(ids)
    first = next(r for r in rows if r.id == ids[0])
    assert first.payload == {"n": 0, "nested": [1, "x"]}
    assert first.created_at == at and first.created_at.tzinfo is not None
    assert first.published_at is None and first.attempts == 0  # the column's default


async def test_writes_roll_back_with_the_session(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            (await driver(session)).insert(
                OutboxEvent.__table__,  # type: ignore[arg-type]
                [{"id": new_id(), "type": "t.gone", "payload": {}, "created_at": clock.now()}],
            )
            raise RuntimeError("abort")
    async with db.transaction(write=False) as session:
        assert await (await driver(session)).scalar(COUNT) == 0


async def test_orm_and_driver_share_one_transaction(db: Database) -> None:
    async with db.transaction() as session:
        session.add(
            OutboxEvent(id=new_id(), type="t.orm", payload={"a": 1}, created_at=clock.now())
        )
        await session.flush()
        sql = await driver(session)
        assert len(await sql.rows(EVENTS, type="t.orm")) == 1
        sql.insert(
            OutboxEvent.__table__,  # type: ignore[arg-type]
            [{"id": new_id(), "type": "t.orm", "payload": {}, "created_at": clock.now()}],
        )
        seen = (await session.execute(select(func.count()).select_from(OutboxEvent))).scalar()
        assert seen == 2


async def test_conditional_update_counts_rows_and_sets_onupdate(db: Database) -> None:
    store = await factories.make_store(db)
    product = await factories.make_product(
        db, await factories.make_category(db), store_id=store, on_hand=5
    )
    clock.advance(timedelta(days=1))
    try:
        async with db.transaction() as session:
            sql = await driver(session)
            assert await sql.run(RESERVE, store_id=store, product_id=product, qty=4) == 1
            assert await sql.run(RESERVE, store_id=store, product_id=product, qty=2) == 0
            row = await sql.row(STOCK, store_id=store, product_id=product)
        assert row is not None and row.reserved == 4
        # the column's onupdate, from kit.clock (a day ahead of the wall clock here)
        assert row.updated_at > datetime.now(UTC) + timedelta(hours=23)
    finally:
        clock.reset()


async def test_driver_errors_are_sqlalchemy_errors(db: Database) -> None:
    event_id = new_id()
    row = {"id": event_id, "type": "t.dup", "payload": {}, "created_at": clock.now()}
    async with db.transaction() as session:
        (await driver(session)).insert(OutboxEvent.__table__, [row])  # type: ignore[arg-type]
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            (await driver(session)).insert(OutboxEvent.__table__, [row])  # type: ignore[arg-type]
    if not db.is_sqlite:  # SQLite stores a NUL character; PostgreSQL refuses it (class 22)
        with pytest.raises(DataError):
            async with db.transaction() as session:
                await (await driver(session)).rows(EVENTS, type="bad\x00type")


async def test_any_of_binds_a_whole_list_as_one_parameter(db: Database) -> None:
    ids = [new_id() for _ in range(4)]
    async with db.transaction() as session:
        (await driver(session)).insert(
            OutboxEvent.__table__,  # type: ignore[arg-type]
            [{"id": i, "type": "t.any", "payload": {}, "created_at": clock.now()} for i in ids],
        )
    some = Query(
        select(OutboxEvent.id).where(any_of(OutboxEvent.id, "ids")).order_by(OutboxEvent.id)
    )
    async with db.transaction(write=False) as session:
        sql = await driver(session)
        assert [r.id for r in await sql.rows(some, ids=ids[1:3])] == sorted(ids[1:3])
        assert await sql.rows(some, ids=[]) == []
        assert [r.id for r in await sql.rows(some, ids=[*ids, "nope"])] == sorted(ids)


async def test_queued_writes_go_before_reads_orm_and_commit(db: Database) -> None:
    def row(kind: str) -> dict[str, object]:
        return {"id": new_id(), "type": kind, "payload": {}, "created_at": clock.now()}

    async with db.transaction() as session:
        sql = await driver(session)
        sql.insert(OutboxEvent.__table__, [row("t.q")])  # type: ignore[arg-type]
        assert sql.queued  # nothing sent yet
        assert await sql.scalar(COUNT) == 1  # a read sends the queue first
        sql.insert(OutboxEvent.__table__, [row("t.q"), row("t.q")])  # type: ignore[arg-type]
        orm = (await session.execute(select(func.count()).select_from(OutboxEvent))).scalar()
        assert orm == 3  # so does an ORM statement
        sql.insert(OutboxEvent.__table__, [row("t.q")])  # type: ignore[arg-type]
    async with db.transaction(write=False) as session:  # and the commit
        assert await (await driver(session)).scalar(COUNT) == 4


def _queue_two_events_and_a_hold(sql: Driver, store: str, product: str, qty: int) -> None:
    for kind in ("t.a", "t.b"):
        sql.insert(
            OutboxEvent.__table__,  # type: ignore[arg-type]
            [{"id": new_id(), "type": kind, "payload": {"k": kind}, "created_at": clock.now()}],
        )
    sql.later(
        RESERVE,
        store_id=store,
        product_id=product,
        qty=qty,  # more than on hand: touches no row
        expect=1,
        otherwise=lambda: LookupError("short"),
    )


@asynccontextmanager
async def _driver(db: Database, autocommit: bool) -> AsyncIterator[Driver]:
    """A request's session's driver, or (``autocommit``, PostgreSQL) a ``Database.unit()``:
    no transaction. SQLite has only the one kind."""
    if autocommit and not db.is_sqlite:
        async with db.unit() as sql:
            yield sql
    else:
        async with db.transaction() as session:
            yield await driver(session)


@pytest.mark.parametrize("autocommit", [False, True], ids=["transaction", "autocommit"])
async def test_a_queue_of_many_writes_is_one_statement_on_postgresql(
    db: Database, autocommit: bool
) -> None:
    """In a transaction a queue with an expectation goes inside a savepoint (so a miss takes
    back only its writes); outside one (PostgreSQL, autocommit) it is one statement alone."""
    store = await factories.make_store(db)
    product = await factories.make_product(
        db, await factories.make_category(db), store_id=store, on_hand=5
    )
    seen: list[str] = []
    statement_listeners.append(seen.append)
    try:
        async with _driver(db, autocommit) as sql:
            assert sql.autocommit == (autocommit and not db.is_sqlite)
            _queue_two_events_and_a_hold(sql, store, product, 2)
            await sql.flush()
    finally:
        statement_listeners.remove(seen.append)
    if db.is_sqlite:
        assert len(seen) == 5 and seen[0] == "SAVEPOINT kirana_flush"
    elif autocommit:
        assert len(seen) == 1 and "kirana_unmet" in seen[0]
    else:
        assert seen[0] == "SAVEPOINT kirana_flush" and len(seen) == 3
    async with db.transaction(write=False) as session:
        sql = await driver(session)
        assert len(await sql.rows(EVENTS, type="t.a")) == 1
        assert (await sql.row(STOCK, store_id=store, product_id=product)).reserved == 2


@pytest.mark.parametrize("autocommit", [False, True], ids=["transaction", "autocommit"])
async def test_an_unmet_expectation_raises_and_nothing_is_kept(
    db: Database, autocommit: bool
) -> None:
    store = await factories.make_store(db)
    product = await factories.make_product(
        db, await factories.make_category(db), store_id=store, on_hand=5
    )
    with pytest.raises(LookupError):
        async with _driver(db, autocommit) as sql:
            _queue_two_events_and_a_hold(sql, store, product, 6)
            await sql.flush()
    async with db.transaction(write=False) as session:
        sql = await driver(session)
        assert await sql.scalar(COUNT) == 0
        assert (await sql.row(STOCK, store_id=store, product_id=product)).reserved == 0


@pytest.mark.parametrize("autocommit", [False, True], ids=["transaction", "autocommit"])
async def test_a_refusal_caught_and_committed_keeps_none_of_its_flush(
    db: Database, autocommit: bool
) -> None:
    """The caller catches the refusal (checkout replays an answer) and its unit of work commits:
    the refused flush's writes are still gone, and what came before it stays."""
    store = await factories.make_store(db)
    product = await factories.make_product(
        db, await factories.make_category(db), store_id=store, on_hand=5
    )
    async with _driver(db, autocommit) as sql:
        sql.later(RESERVE, store_id=store, product_id=product, qty=1, expect=1)
        await sql.flush()
        _queue_two_events_and_a_hold(sql, store, product, 6)
        with pytest.raises(LookupError):
            await sql.flush()
        # the driver still works after the refusal (the transaction, if any, is not aborted)
        assert (await sql.row(STOCK, store_id=store, product_id=product)).reserved == 1
    async with db.transaction(write=False) as session:
        sql = await driver(session)
        assert await sql.scalar(COUNT) == 0
        assert (await sql.row(STOCK, store_id=store, product_id=product)).reserved == 1


def test_parameters_are_renumbered_outside_quoted_text() -> None:
    from kirana.kit.sql._batch import _shifted

    assert _shifted("a = $1 AND b IN ('x$1', 'it''s $2') AND c = $2", 3) == (
        "a = $4 AND b IN ('x$1', 'it''s $2') AND c = $5"
    )


async def test_queued_writes_are_not_lost_with_a_rolled_back_savepoint(db: Database) -> None:
    """Writes queued before a savepoint belong to the outer transaction: rolling the savepoint
    back must not take them along."""
    kept = {"id": new_id(), "type": "t.kept", "payload": {}, "created_at": clock.now()}
    async with db.transaction() as session:
        (await driver(session)).insert(OutboxEvent.__table__, [kept])  # type: ignore[arg-type]
        with pytest.raises(IntegrityError):
            async with session.begin_nested():
                session.add(OutboxEvent(**kept))  # the same id: refused
                await session.flush()
    async with db.transaction(write=False) as session:
        assert len(await (await driver(session)).rows(EVENTS, type="t.kept")) == 1


async def test_queued_writes_survive_a_savepoint_rolled_back_after_a_statement(
    db: Database,
) -> None:
    kept = {"id": new_id(), "type": "t.kept2", "payload": {}, "created_at": clock.now()}
    async with db.transaction() as session:
        (await driver(session)).insert(OutboxEvent.__table__, [kept])  # type: ignore[arg-type]
        with pytest.raises(IntegrityError):
            async with session.begin_nested():
                await session.execute(insert(OutboxEvent).values(**kept))
    async with db.transaction(write=False) as session:
        assert len(await (await driver(session)).rows(EVENTS, type="t.kept2")) == 1


def _event(kind: str) -> dict[str, object]:
    return {"id": new_id(), "type": kind, "payload": {}, "created_at": clock.now()}


async def test_a_unit_sends_its_queued_writes_at_the_end(db: Database) -> None:
    """``Database.unit()``: no ORM session; the queue goes when the block ends, and the pooled
    connection goes back to the pool."""
    async with db.unit() as sql:
        assert sql.autocommit == (not db.is_sqlite)
        sql.insert(OutboxEvent.__table__, [_event("t.x")])  # type: ignore[arg-type]
        assert await sql.scalar(COUNT) == 1  # a read sends the queue first...
        sql.insert(OutboxEvent.__table__, [_event("t.x")])  # type: ignore[arg-type]
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    async with db.transaction(write=False) as session:
        assert await (await driver(session)).scalar(COUNT) == 2  # ...and the end the rest


async def test_a_unit_that_raises_keeps_nothing_it_queued(db: Database) -> None:
    with pytest.raises(LookupError):
        async with db.unit() as sql:
            sql.insert(OutboxEvent.__table__, [_event("t.x")])  # type: ignore[arg-type]
            raise LookupError("refused")
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    async with db.transaction(write=False) as session:
        assert await (await driver(session)).scalar(COUNT) == 0
