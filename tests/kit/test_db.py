"""The unit of work (``Database.transaction``) and kit.db's helpers for Core statements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from kirana.catalog.models import Stock
from kirana.kit import clock
from kirana.kit.db import Database, changed, table_of
from kirana.kit.errors import Conflict
from kirana.kit.ids import new_id
from kirana.kit.outbox import OutboxEvent
from tests import factories

COUNT = select(func.count()).select_from(OutboxEvent)
RESERVE = (
    update(table_of(Stock))
    .where(
        Stock.store_id == bindparam("at_store"),
        Stock.product_id == bindparam("at_product"),
        Stock.on_hand - Stock.reserved >= bindparam("qty"),
    )
    .values(reserved=Stock.reserved + bindparam("qty"))
)


def _event(kind: str) -> dict[str, object]:
    return {"id": new_id(), "type": kind, "payload": {"n": [1, "x"]}, "created_at": clock.now()}


async def test_core_and_orm_share_the_sessions_transaction(db: Database) -> None:
    at = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
    async with db.transaction() as session:
        session.add(OutboxEvent(id=new_id(), type="t.orm", payload={}, created_at=at))
        await session.flush()
        await session.execute(insert(table_of(OutboxEvent)), [_event("t.core"), _event("t.core")])
        assert await session.scalar(COUNT) == 3
    async with db.transaction(write=False) as session:
        rows = (await session.execute(select(OutboxEvent).order_by(OutboxEvent.id))).scalars()
        found = list(rows)
    assert sorted(e.type for e in found) == ["t.core", "t.core", "t.orm"]
    orm = next(e for e in found if e.type == "t.orm")
    assert orm.created_at == at and orm.attempts == 0  # zone kept; the column's default


class _Counted(Conflict):
    keep_changes = True


@pytest.mark.parametrize(
    ("error", "kept"),
    [(RuntimeError("abort"), 0), (Conflict("refused"), 0), (_Counted("the attempt counts"), 1)],
)
async def test_an_error_rolls_back_what_the_unit_wrote_unless_it_keeps_changes(
    db: Database, error: Exception, kept: int
) -> None:
    with pytest.raises(type(error)):
        async with db.transaction() as session:
            await session.execute(insert(table_of(OutboxEvent)), _event("t.maybe"))
            raise error
    async with db.transaction(write=False) as session:
        assert await session.scalar(COUNT) == kept


async def test_changed_counts_a_conditional_writes_rows_and_onupdate_applies(
    db: Database,
) -> None:
    store = await factories.make_store(db)
    product = await factories.make_product(
        db, await factories.make_category(db), store_id=store, on_hand=5
    )
    clock.advance(timedelta(days=1))
    try:
        params = {"at_store": store, "at_product": product}
        async with db.transaction() as session:
            assert await changed(session, RESERVE, {**params, "qty": 4}) == 1
            assert await changed(session, RESERVE, {**params, "qty": 2}) == 0
            row = (
                await session.execute(
                    select(Stock.reserved, Stock.updated_at).where(
                        Stock.store_id == store, Stock.product_id == product
                    )
                )
            ).one()
        assert row.reserved == 4
        # the column's onupdate, from kit.clock (a day ahead of the wall clock here)
        assert row.updated_at > datetime.now(UTC) + timedelta(hours=23)
    finally:
        clock.reset()


async def test_database_errors_are_sqlalchemys(db: Database) -> None:
    row = _event("t.dup")
    async with db.transaction() as session:
        await session.execute(insert(table_of(OutboxEvent)), row)
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await session.execute(insert(table_of(OutboxEvent)), row)
