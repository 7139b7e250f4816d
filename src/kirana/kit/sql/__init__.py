"""Hot-path SQL: Core statements compiled once per dialect and run on the driver connection.

SQLAlchemy's execute path costs about 250 µs of CPU per statement on our machines (cache key,
compiled-cache lookup, execution context, result wrapping) against about 70 µs for asyncpg
alone; a checkout runs a dozen statements, so that was most of its cost. ``Query`` keeps the
statement in Core — one text for both databases, with the models' types — and does
SQLAlchemy's per-execution work once per dialect: the SQL string, the order of the
parameters, their bind processors, Python-side column defaults and the result processors.

``driver(session)`` hands out the session's own connection, inside its transaction, so the
request (or worker task) still owns the unit of work and ORM code can run before and after.
Driver errors are raised as SQLAlchemy's (``IntegrityError``, ``DataError`` ...), so the HTTP
error handlers treat both paths alike.

Writes whose outcome nobody needs at once are queued (``insert()``, ``later()``) and sent
together at the next read, write that needs its row count, ORM statement or flush, or commit:
on PostgreSQL as one statement (each write a data-modifying CTE, ``RETURNING 1`` counted), so a
checkout's dozen writes cost one round trip; on SQLite one after another. Queued writes run on
one snapshot, so a write given to ``later()`` must not touch rows another queued write touches.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.util.concurrency import await_

from kirana.kit.sql._batch import UNMET_SQLSTATE
from kirana.kit.sql._compile import Query
from kirana.kit.sql._driver import Driver, statement_listeners
from kirana.kit.sql._expr import ColumnOperand, any_of, each_of, one_of
from kirana.kit.sql._group import FlushGroup, Together, TogetherRead

__all__ = [
    "UNMET_SQLSTATE",
    "ColumnOperand",
    "Conn",
    "Driver",
    "FlushGroup",
    "Query",
    "Together",
    "TogetherRead",
    "any_of",
    "driver",
    "each_of",
    "flush",
    "one_of",
    "statement_listeners",
]

_DRIVER_KEY = "kirana.sql.driver"


# What a repository function runs on: a request's ORM session, or a unit's driver alone
# (``Database.unit()``: a request that reads, then writes once, and needs no ORM).
Conn = AsyncSession | Driver


async def driver(session: Conn) -> Driver:
    """The session's connection as a ``Driver``, with the session's transaction begun (a
    ``Driver`` given, from ``Database.unit()``, is returned as it is)."""
    if isinstance(session, Driver):
        return session
    cached: tuple[Any, Driver] | None = session.info.get(_DRIVER_KEY)
    if cached is not None and cached[0] is session.sync_session.get_transaction():
        return cached[1]  # the same transaction: no round through SQLAlchemy's layers
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    adapted: Any = raw.dbapi_connection
    dialect = connection.dialect
    if dialect.name == "postgresql" and adapted._transaction is None:
        # SQLAlchemy's asyncpg adapter sends BEGIN lazily, with its first statement; ours go
        # around it, so start the transaction the session will commit or roll back.
        await adapted._start_transaction()
    found = Driver(raw.driver_connection, dialect)
    session.info[_DRIVER_KEY] = (session.sync_session.get_transaction(), found)
    return found


async def flush(session: Conn) -> None:
    """Send ``session``'s queued driver writes now (commit does it too)."""
    if isinstance(session, Driver):
        await session.flush()
        return
    cached: tuple[Any, Driver] | None = session.info.get(_DRIVER_KEY)
    if cached is not None and cached[1].queued:
        await cached[1].flush()


def _queued_of(session: OrmSession) -> Driver | None:
    cached: tuple[Any, Driver] | None = session.info.get(_DRIVER_KEY)
    return cached[1] if cached is not None and cached[1].queued else None


# Anything else the session does goes after the queued writes, so it sees them: its ORM
# statements, its ORM flushes and its commit. These run inside SQLAlchemy's greenlet, where
# await_() may wait on the driver.
@event.listens_for(OrmSession, "do_orm_execute")
def _flush_before_orm_statement(state: ORMExecuteState) -> None:
    queued = _queued_of(state.session)
    if queued is not None:
        await_(queued.flush())


@event.listens_for(OrmSession, "before_flush")
def _flush_before_orm_flush(session: OrmSession, *_: Any) -> None:
    queued = _queued_of(session)
    if queued is not None:
        await_(queued.flush())


@event.listens_for(OrmSession, "before_commit")
def _flush_before_commit(session: OrmSession) -> None:
    queued = _queued_of(session)
    if queued is not None:
        await_(queued.flush())


@event.listens_for(OrmSession, "after_rollback")
def _forget_on_rollback(session: OrmSession) -> None:
    cached: tuple[Any, Driver] | None = session.info.get(_DRIVER_KEY)
    if cached is not None:
        cached[1].forget()
