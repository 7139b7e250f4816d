"""Database access: async engines for SQLite (embedded) and PostgreSQL, sessions, column types.

SQLite note: a transaction that reads and later writes can fail with SQLITE_BUSY under
concurrency (WAL cannot upgrade a stale read snapshot). So write sessions start with
``BEGIN IMMEDIATE`` and wait on the busy timeout instead, and read sessions use a plain
``BEGIN``. PostgreSQL needs none of this.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import DateTime, MetaData, Table, all_, any_, bindparam, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

from kirana.kit.clock import ensure_aware
from kirana.kit.errors import KiranaError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both databases (SQLite forgets zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else ensure_aware(value)


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# JSON columns (order snapshots, stored answers, event payloads) are written on every checkout:
# orjson does it several times faster than the standard library, which SQLAlchemy uses if not
# told otherwise.
_JSON = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def make_engine(url: str, *, pool_size: int = 20, echo: bool = False) -> AsyncEngine:
    if _is_sqlite(url):
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, **_JSON)
        _configure_sqlite(engine)
        return engine
    kwargs: dict[str, Any] = {
        **_JSON,
        "pool_size": pool_size,
        "max_overflow": 0,
        "pool_pre_ping": False,
    }
    if pool_size == 0:
        kwargs = {**_JSON, "poolclass": NullPool}
    return create_async_engine(url, echo=echo, **kwargs)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("kirana_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class Database:
    """One engine and the two kinds of session over it: read and write.

    Whoever opens a session owns its transaction: a request (``deps.Session``) or a worker
    task (``transaction()``). Services take that session, flush when they need the database to
    see their changes, and never commit, roll back or open a session of their own."""

    def __init__(self, url: str, *, pool_size: int = 20, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = _is_sqlite(url)
        self.engine = make_engine(url, pool_size=pool_size, echo=echo)
        self._read = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write = async_sessionmaker(
            self.engine.execution_options(kirana_write=True),
            expire_on_commit=False,
            autoflush=False,
        )

    def session(self, *, write: bool = True) -> AsyncSession:
        return (self._write if write else self._read)()

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """A unit of work: commit at the end, roll back on any error (a ``KiranaError`` that
        says ``keep_changes`` commits what was done before it, e.g. a counted failed attempt)."""
        async with self.session(write=write) as session:
            try:
                yield session
                await session.commit()  # a session that ran nothing holds no connection: a no-op
            except KiranaError as exc:
                await (session.commit() if exc.keep_changes else session.rollback())
                raise
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()


def table_of(model: type[Base]) -> Table:
    """A model's table, for the Core statements of hot paths (statements on a table skip the
    ORM's bulk machinery; the models type ``__table__`` only as a ``FromClause``)."""
    return cast(Table, model.__table__)


def is_postgresql(session: AsyncSession) -> bool:
    """Whether the session runs on PostgreSQL (for the few statements the dialects spell
    differently, such as ``ON CONFLICT``)."""
    return session.get_bind().dialect.name == "postgresql"


def among(
    session: AsyncSession, column: Any, values: Collection[Any], *, negate: bool = False
) -> Any:
    """``column IN values`` (``NOT IN`` with ``negate``) for a list that varies in length, as
    the relay's batches do. On PostgreSQL it is ``column = ANY(:array)`` (``<> ALL``): one
    parameter, so the statement is the same whatever the length (prepared and planned once
    per connection, not parsed again for every length, and no parameter per value rendered
    in Python for each run). SQLite has no arrays: there it is ``IN``."""
    if not is_postgresql(session):
        return column.not_in(list(values)) if negate else column.in_(list(values))
    array = bindparam(None, list(values), type_=ARRAY(column.type))
    return column != all_(array) if negate else column == any_(array)


async def changed(
    session: AsyncSession, statement: Executable, params: dict[str, Any] | None = None
) -> int:
    """Run a write and return how many rows it touched (a conditional write's answer)."""
    result = await session.execute(statement, params)
    return cast(CursorResult[Any], result).rowcount


def dialect_insert(session: AsyncSession, table: Table) -> Any:
    """``INSERT`` into ``table`` in the session's dialect, for ``ON CONFLICT`` clauses."""
    return (pg_insert if is_postgresql(session) else sqlite_insert)(table)


async def insert_new(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]], key: list[str]
) -> int:
    """Insert each of ``rows`` unless one with the same ``key`` columns exists (a unique index):
    ``INSERT ... ON CONFLICT (key) DO NOTHING``. Returns how many rows were new, so a
    redelivered event that adds nothing can tell. The rows go as one executemany of a statement
    compiled once (SQLAlchemy's "insertmanyvalues" batches them into multi-row INSERTs), not as
    a multi-row ``VALUES`` built and compiled anew for every batch size."""
    if not rows:
        return 0
    statement = (
        dialect_insert(session, table)
        .on_conflict_do_nothing(index_elements=key)
        .returning(*(table.c[name] for name in key))
    )
    return len((await session.execute(statement, rows)).all())
