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

import inspect
import re
import sqlite3
from collections import namedtuple
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    String,
    Table,
    bindparam,
    event,
    func,
    insert,
    literal,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import ORMExecuteState, QueryableAttribute
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util.concurrency import await_

# A column or mapped attribute, as select()/where() accept them.
ColumnOperand = ColumnElement[Any] | QueryableAttribute[Any]

_DRIVER_KEY = "kirana.sql.driver"
# Called with each statement's SQL before it runs (tests count queries with it).
statement_listeners: list[Callable[[str], None]] = []


class _StringList(TypeDecorator[list[str]]):
    """A list of strings bound as one parameter: an array on PostgreSQL, JSON text on SQLite."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(String()))
        return dialect.type_descriptor(JSON())


class any_of(ColumnElement[bool]):
    """``column`` is one of the list bound to ``name``: one parameter whatever the list's length
    (``= ANY($1)`` on PostgreSQL, ``IN (SELECT value FROM json_each(?))`` on SQLite), so the
    statement compiles once and the driver's prepared-statement cache keeps it."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a comparison: no "= 1" after it where booleans are ints
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("param", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnOperand, name: str) -> None:
        self.column: ColumnElement[Any] = _column(column)
        self.param: BindParameter[list[str]] = bindparam(name, type_=_StringList())


@compiles(any_of)
def _any_of_sqlite(element: any_of, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} IN (SELECT value FROM json_each({compiler.process(element.param, **kw)}))"


@compiles(any_of, "postgresql")
def _any_of_postgresql(element: any_of, compiler: SQLCompiler, **kw: Any) -> str:
    return (
        f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.param, **kw)})"
    )


def each_of(name: str, dialect: str) -> Any:
    """The list bound to ``name`` as a table ``want`` with one column, ``value``: ``unnest($1)``
    on PostgreSQL, ``json_each(?)`` on SQLite. Joining the tables to it looks each id up, and
    the plan does not depend on the list (PostgreSQL keeps one generic plan for it)."""
    param = bindparam(name, type_=_StringList())
    if dialect == "postgresql":
        return func.unnest(param).table_valued("value").render_derived(name="want")
    return func.json_each(param).table_valued("value").alias("want")


def _column(column: ColumnOperand) -> ColumnElement[Any]:
    return column.expression if isinstance(column, QueryableAttribute) else column


def one_of(column: ColumnOperand, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN (...)`` for a fixed list of values, as ordinary parameters (no expansion)."""
    return column.in_([literal(v, type_=column.type) for v in values])


def _default_of(column: Any, *, update: bool) -> Callable[[], Any]:
    default = column.onupdate if update else column.default
    if default is None or not (default.is_scalar or default.is_callable):
        raise TypeError(f"{column} has no Python-side {'onupdate' if update else 'default'}")
    if default.is_scalar:
        value = default.arg
        return lambda: value
    fn = default.arg
    return lambda: fn(None)


@dataclass(slots=True)
class _Compiled:
    sql: str
    # One entry per positional parameter: (name, fixed value or None, is-fixed, bind processor).
    params: tuple[tuple[str, Any, bool, Callable[[Any], Any] | None], ...]
    defaults: tuple[tuple[str, Callable[[], Any]], ...]
    result_types: tuple[TypeEngine[Any], ...]
    row: type | None
    # Made at the first run, when PostgreSQL has said what type each column has.
    results: tuple[Callable[[Any], Any] | None, ...] | None = None


def _compile(statement: Any, dialect: Dialect) -> _Compiled:
    compiled: Any = statement.compile(dialect=dialect)
    if compiled.positiontup is None:
        raise TypeError(f"{dialect.name}: a positional paramstyle is expected")
    if any(b.expanding or b.literal_execute for b in compiled.binds.values()):
        raise TypeError(
            "IN lists are not supported: any_of() for one given at run time, one_of() for a fixed one"
        )
    if any(not isinstance(column, Column) for column in compiled.insert_prefetch):
        raise TypeError("multi-row inserts must give every column; use Driver.insert()")
    defaults = [
        (column.key, _default_of(column, update=False)) for column in compiled.insert_prefetch
    ] + [(column.key, _default_of(column, update=True)) for column in compiled.update_prefetch]
    computed = {name for name, _ in defaults}
    by_name = compiled.binds  # keyed by the names positiontup uses (and anonymous keys)
    processors = compiled._bind_processors
    params = []
    for name in compiled.positiontup:
        bind = by_name.get(name)
        fixed = (
            name not in computed
            and bind is not None
            and not bind.required
            and bind.callable is None
        )
        params.append((name, bind.value if fixed else None, fixed, processors.get(name)))
    types = tuple(entry.type for entry in compiled._result_columns)
    names = [entry.keyname for entry in compiled._result_columns]
    row = namedtuple("Row", names, rename=True) if names else None
    return _Compiled(compiled.string, tuple(params), tuple(defaults), types, row)


class Query:
    """A Core statement with named ``bindparam()`` parameters, compiled once per dialect.

    ``Query(stmt)`` serves both databases; ``Query(sqlite=a, postgresql=b)`` gives each its
    own construct where the dialects' SQL differs (``ON CONFLICT`` with their ``insert()``).
    """

    __slots__ = ("_by_dialect", "_statements")

    def __init__(
        self,
        statement: Executable | None = None,
        *,
        sqlite: Executable | None = None,
        postgresql: Executable | None = None,
    ) -> None:
        self._statements = {
            "sqlite": statement if sqlite is None else sqlite,
            "postgresql": statement if postgresql is None else postgresql,
        }
        self._by_dialect: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            statement = self._statements.get(dialect.name)
            if statement is None:
                raise TypeError(f"no statement for {dialect.name}")
            found = self._by_dialect[dialect.name] = _compile(statement, dialect)
        return found


def _args(c: _Compiled, given: Mapping[str, Any]) -> list[Any]:
    values = dict(given)
    for name, make in c.defaults:
        if name not in values:
            values[name] = make()
    args = []
    for name, fixed_value, fixed, process in c.params:
        value = fixed_value if fixed else values[name]
        args.append(process(value) if process is not None else value)
    return args


def _translate(exc: Exception, sql: str) -> Exception:
    """A driver error as the SQLAlchemy error the rest of the code (and HTTP layer) expects."""
    state = str(getattr(exc, "sqlstate", "") or "")
    if isinstance(exc, sqlite3.IntegrityError) or state.startswith("23"):
        return IntegrityError(sql, None, exc)
    if state.startswith("22"):
        return DataError(sql, None, exc)
    if isinstance(exc, sqlite3.OperationalError) or state[:2] in ("40", "55", "57", "08"):
        return OperationalError(sql, None, exc)
    return DBAPIError(sql, None, exc)


@contextmanager
def _translated(sql: str) -> Iterator[None]:
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise _translate(exc, sql) from exc
    except Exception as exc:
        if hasattr(exc, "sqlstate"):  # asyncpg's errors carry the SQLSTATE
            raise _translate(exc, sql) from exc
        raise


@dataclass(slots=True)
class _Queued:
    compiled: _Compiled
    args: list[Any]
    expect: int | None
    otherwise: Callable[[], Exception | Awaitable[Exception]] | None


_DOLLAR = re.compile(r"\$(\d+)")
_batches: dict[tuple[object, ...], str] = {}


def _shifted(sql: str, offset: int) -> str:
    """``sql`` with its ``$n`` parameters renumbered from ``offset``; quoted text untouched."""
    parts = sql.split("'")
    for i in range(0, len(parts), 2):  # outside quotes ('' inside a literal splits evenly)
        parts[i] = _DOLLAR.sub(lambda m: f"${int(m.group(1)) + offset}", parts[i])
    return "'".join(parts)


# Raised inside an all-or-none batch whose expectations are not met (migration 0007 creates
# it): the statement fails, so it keeps nothing, and the error's DETAIL lists every count.
UNMET_SQLSTATE = "KR409"


def _batch_sql(queued: Sequence[_Queued], *, checked: bool) -> str:
    """Every queued write as a data-modifying CTE of one statement that counts the rows of those
    with an expectation (PostgreSQL runs every data-modifying CTE, counted or not; counting one
    costs a subplan, so the others are not).

    ``checked``: the statement itself checks every expectation and fails if one is not met
    (``kirana_unmet``), so that on its own — outside a transaction — it keeps all or nothing.
    """
    shape = (checked, *((id(q.compiled), q.expect) for q in queued))
    found = _batches.get(shape)
    if found is None:
        ctes, offset = [], 0
        for i, q in enumerate(queued):
            returning = " RETURNING 1" if q.expect is not None else ""
            ctes.append(f"w{i} AS ({_shifted(q.compiled.sql, offset)}{returning})")
            offset += len(q.compiled.params)
        counted = [i for i, q in enumerate(queued) if q.expect is not None]
        counts = ", ".join(f"(SELECT count(*) FROM w{i}) AS c{i}" for i in counted)
        found = f"WITH {', '.join(ctes)} SELECT {counts}"
        if checked and counted:
            every = ", ".join(f"c{i}" for i in counted)
            expected = " AND ".join(f"c{i} = {queued[i].expect}" for i in counted)
            found = (
                f"WITH {', '.join(ctes)}, n AS MATERIALIZED (SELECT {counts}) SELECT {every} FROM n"
                f" WHERE CASE WHEN {expected} THEN true ELSE kirana_unmet(ARRAY[{every}]) END"
            )
        _batches[shape] = found
    return found


class Driver:
    """The driver connection under a session's transaction (asyncpg or aiosqlite)."""

    def __init__(self, raw: Any, dialect: Dialect) -> None:
        self.raw = raw
        self.dialect = dialect
        self.is_postgresql = dialect.name == "postgresql"
        self.queued: list[_Queued] = []

    @property
    def autocommit(self) -> bool:
        """Each statement commits on its own (PostgreSQL, ``Database.unit()``, until something
        begins a transaction); a flush is then one all-or-none statement."""
        return self.is_postgresql and not self.raw.is_in_transaction()

    async def _fetch(self, c: _Compiled, args: list[Any]) -> list[Any]:
        if self.queued:
            await self.flush()
        for listener in statement_listeners:
            listener(c.sql)
        with _translated(c.sql):
            if not self.is_postgresql:
                if c.results is None:
                    c.results = self._processors(c, None)
                return list(await self.raw.execute_fetchall(c.sql, args))
            if c.results is None:
                prepared = await self.raw.prepare(c.sql)
                oids = [a.type.oid for a in prepared.get_attributes()]
                c.results = self._processors(c, oids)
                return list(await prepared.fetch(*args))
            return list(await self.raw.fetch(c.sql, *args))

    def _processors(
        self, c: _Compiled, oids: list[int] | None
    ) -> tuple[Callable[[Any], Any] | None, ...]:
        return tuple(
            t._cached_result_processor(self.dialect, oids[i] if oids else None)
            for i, t in enumerate(c.result_types)
        )

    def _rows(self, c: _Compiled, records: Iterable[Any]) -> list[Any]:
        if c.row is None:
            return []
        make = c.row._make  # type: ignore[attr-defined]
        procs = c.results or ()
        if not any(procs):
            return [make(r) for r in records]
        return [make([p(v) if p else v for p, v in zip(procs, r, strict=True)]) for r in records]

    async def rows(self, query: Query, **params: Any) -> list[Any]:
        c = query.compiled(self.dialect)
        return self._rows(c, await self._fetch(c, _args(c, params)))

    async def row(self, query: Query, **params: Any) -> Any | None:
        found = await self.rows(query, **params)
        return found[0] if found else None

    async def scalar(self, query: Query, **params: Any) -> Any:
        found = await self.row(query, **params)
        return None if found is None else found[0]

    async def run(self, query: Query, **params: Any) -> int:
        """Run a write now (after the queued ones); returns the number of rows it touched."""
        if self.queued:
            await self.flush()
        c = query.compiled(self.dialect)
        return await self._execute(c, _args(c, params))

    async def _execute(self, c: _Compiled, args: list[Any]) -> int:
        for listener in statement_listeners:
            listener(c.sql)
        with _translated(c.sql):
            if self.is_postgresql:
                status = await self.raw.execute(c.sql, *args)
                tail = status.rsplit(" ", 1)[-1]
                return int(tail) if tail.isdigit() else 0
            cursor = await self.raw.execute(c.sql, args)
            count = int(cursor.rowcount)
            await cursor.close()
            if count < 0:  # sqlite3 counts only statements that start with INSERT/UPDATE/...
                count = int((await self.raw.execute_fetchall("SELECT changes()"))[0][0])
            return count

    def later(
        self,
        query: Query,
        *,
        expect: int | None = None,
        otherwise: Callable[[], Exception | Awaitable[Exception]] | None = None,
        first: bool = False,
        **params: Any,
    ) -> None:
        """Queue a write to go with the next flush (``first``: before those queued already). If
        ``expect`` is given and it touches another number of rows, the flush keeps nothing
        (on PostgreSQL outside a transaction; else the caller's transaction rolls back) and
        raises ``otherwise()`` (awaited if a coroutine) of the first write queued that missed.
        It must not touch rows another queued write touches (PostgreSQL runs the queue as one
        statement, on one snapshot)."""
        c = query.compiled(self.dialect)
        queued = _Queued(c, _args(c, params), expect, otherwise)
        if first:
            self.queued.insert(0, queued)
        else:
            self.queued.append(queued)

    def insert(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Queue the insert of ``rows`` (same keys each; Python-side defaults filled in) as one
        statement. New rows are independent of other queued writes; it goes with the next flush."""
        if not rows:
            return
        plan = _insert_plan(table, tuple(rows[0]), len(rows), self.dialect)
        args = []
        for i, key, make, value, process in plan.slots:
            if make is not None:
                value = make()
            elif key is not None:
                value = rows[i][key]
            args.append(value if process is None else process(value))
        self.queued.append(_Queued(plan.compiled, args, None, None))

    async def flush(self) -> None:
        """Send the queued writes: one round trip on PostgreSQL."""
        queued, self.queued = self.queued, []
        if not queued:
            return
        expects = any(q.expect is not None for q in queued)
        checked = expects and self.autocommit
        # In a transaction, a missed expectation takes back this flush's writes only, even if
        # the caller catches the refusal and commits.
        savepoint = expects and not checked
        if savepoint:
            await self.command("SAVEPOINT kirana_flush")
        if self.is_postgresql and (len(queued) > 1 or checked):
            sql = _batch_sql(queued, checked=checked)
            args = [a for q in queued for a in q.args]
            for listener in statement_listeners:
                listener(sql)
            try:
                with _translated(sql):
                    found = list(await self.raw.fetchrow(sql, *args))
            except DBAPIError as exc:
                detail = getattr(exc.orig, "detail", None)
                if getattr(exc.orig, "sqlstate", None) != UNMET_SQLSTATE or not detail:
                    raise
                found = [int(c) for c in detail.split(",")]  # the statement kept nothing
            # rows are counted only for the writes with an expectation
            counted = iter(found)
            counts = [None if q.expect is None else next(counted) for q in queued]
        else:
            counts = [await self._execute(q.compiled, q.args) for q in queued]
        missed = [
            q for q, count in zip(queued, counts, strict=True) if q.expect not in (None, count)
        ]
        if savepoint:
            await self.command(
                "ROLLBACK TO SAVEPOINT kirana_flush" if missed else "RELEASE SAVEPOINT kirana_flush"
            )
        for q, count in zip(queued, counts, strict=True):
            if q.expect is not None and count != q.expect:
                if q.otherwise is None:
                    raise RuntimeError(
                        f"expected {q.expect} rows, touched {count}: {q.compiled.sql}"
                    )
                error = q.otherwise()  # it may read: the queue is empty again by now
                raise await error if inspect.isawaitable(error) else error

    async def command(self, sql: str) -> None:
        """Run a statement without parameters or result (SAVEPOINT, BEGIN ...)."""
        for listener in statement_listeners:
            listener(sql)
        with _translated(sql):
            if self.is_postgresql:
                await self.raw.execute(sql)
            else:
                await (await self.raw.execute(sql)).close()

    def forget(self) -> None:
        self.queued.clear()


@dataclass(frozen=True, slots=True)
class _InsertPlan:
    """A multi-row insert of one shape, compiled, and where each positional parameter comes
    from: (row, key, default maker, fixed value, bind processor) — so that queuing rows is one
    pass over them, with no named parameters in between."""

    compiled: _Compiled
    slots: tuple[_Slot, ...]


_Slot = tuple[int, str | None, Callable[[], Any] | None, Any, Callable[[Any], Any] | None]


_insert_plans: dict[tuple[str, tuple[str, ...], int, str], _InsertPlan] = {}


def _insert_plan(table: Table, given: tuple[str, ...], n: int, dialect: Dialect) -> _InsertPlan:
    shape = (table.name, given, n, dialect.name)
    found = _insert_plans.get(shape)
    if found is None:
        # columns with a Python default the caller left out, made for every row
        missing = [c for c in table.columns if c.key not in given and c.default is not None]
        fill = {c.key: _default_of(c, update=False) for c in missing}
        columns = [table.c[k] for k in given] + missing
        query = Query(
            insert(table).values(
                [
                    {c.key: bindparam(f"r{i}_{c.key}", type_=c.type) for c in columns}
                    for i in range(n)
                ]
            )
        )
        compiled = query.compiled(dialect)
        assert not compiled.defaults  # every Python default is given above
        source = {f"r{i}_{c.key}": (i, c.key) for c in columns for i in range(n)}
        slots: list[_Slot] = []
        for name, fixed_value, fixed, process in compiled.params:
            if fixed:
                slots.append((0, None, None, fixed_value, process))
            else:
                i, key = source[name]
                slots.append((i, key, fill.get(key), None, process))
        found = _insert_plans[shape] = _InsertPlan(compiled, tuple(slots))
    return found


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
