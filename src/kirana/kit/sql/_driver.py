"""``Driver``: compiled statements run on the driver connection, writes queued and flushed."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from kirana.kit.sql._batch import UNMET_SQLSTATE, _batch_sql, _Queued, _translated
from kirana.kit.sql._compile import Query, _args, _Compiled, _insert_plan
from kirana.kit.sql._group import FlushGroup, Together, TogetherRead, _SendAlone, unnest_insert

# Called with each statement's SQL before it runs (tests count queries with it).
statement_listeners: list[Callable[[str], None]] = []


class Driver:
    """The driver connection under a session's transaction (asyncpg or aiosqlite)."""

    def __init__(self, raw: Any, dialect: Dialect) -> None:
        self.raw = raw
        self.dialect = dialect
        self.is_postgresql = dialect.name == "postgresql"
        self.queued: list[_Queued] = []
        # Set by ``Database.unit()`` on PostgreSQL: where ``flush(grouped=True)`` sends.
        self.group: FlushGroup | None = None

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

    async def rows(
        self,
        query: Query,
        *,
        together: TogetherRead | None = None,
        together_rows: list[tuple[Any, ...]] | None = None,
        **params: Any,
    ) -> list[Any]:
        """The query's rows. ``together``: on PostgreSQL outside a transaction, made in one
        statement with the same read of other units waiting (``kit.sql._group``), from
        ``together_rows`` (the parameters as that form takes them); the rows are the same."""
        c = query.compiled(self.dialect)
        args = _args(c, params)
        if (
            together is not None
            and together_rows is not None
            and self.group is not None
            and c.results is not None  # (its first run, alone, learns the result types)
            and not self.queued
            and self.autocommit
        ):
            try:
                records = await self.group.read(
                    self, together, together_rows, lambda: self._fetch(c, args)
                )
            except _SendAlone:
                records = await self._fetch(c, args)
            return self._rows(c, records)
        return self._rows(c, await self._fetch(c, args))

    async def row(
        self,
        query: Query,
        *,
        together: TogetherRead | None = None,
        together_rows: list[tuple[Any, ...]] | None = None,
        **params: Any,
    ) -> Any | None:
        found = await self.rows(query, together=together, together_rows=together_rows, **params)
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
        together: Together | None = None,
        rows: list[tuple[Any, ...]] | None = None,
        **params: Any,
    ) -> None:
        """Queue a write to go with the next flush (``first``: before those queued already). If
        ``expect`` is given and it touches another number of rows, the flush keeps nothing
        (on PostgreSQL outside a transaction; else the caller's transaction rolls back) and
        raises ``otherwise()`` (awaited if a coroutine) of the first write queued that missed.
        It must not touch rows another queued write touches (PostgreSQL runs the queue as one
        statement, on one snapshot).

        ``together`` and ``rows``: how it is sent with other units' writes of its kind, in one
        statement (``flush(grouped=True)``); a single-row INSERT finds its own.
        """
        c = query.compiled(self.dialect)
        args = _args(c, params)
        if together is None and self.is_postgresql:
            together, rows = _insert_form(c), [tuple(args)]
        queued = _Queued(c, args, expect, otherwise, together, rows)
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
        together = rows_of = None
        if self.is_postgresql:
            if not plan.compiled.together_known:  # the single-row plan's, for every row count
                one = _insert_plan(table, tuple(rows[0]), 1, self.dialect).compiled
                plan.compiled.together, plan.compiled.together_known = _insert_form(one), True
            together = plan.compiled.together
            if together is not None:
                w = together.width
                rows_of = [tuple(args[i : i + w]) for i in range(0, len(args), w)]
        self.queued.append(_Queued(plan.compiled, args, None, None, together, rows_of))

    async def flush(self, *, grouped: bool = False) -> None:
        """Send the queued writes: one round trip on PostgreSQL. ``grouped``: in one statement
        with other units' writes sent at the same time, if every write has a grouped form and
        no transaction is open (``kit.sql._group``); the outcome is the same as alone."""
        queued, self.queued = self.queued, []
        if not queued:
            return
        if (
            grouped
            and self.group is not None
            and self.autocommit
            and all(q.together is not None for q in queued)
        ):
            try:
                await self.group.flush(self, queued, Driver._send_queue)
                return
            except _SendAlone:
                pass
        await self._send_queue(queued)

    async def send(self, sql: str, args: list[Any]) -> list[Any]:
        """Run ``sql`` (PostgreSQL) and return its first row."""
        records = await self.send_read(sql, args)
        return list(records[0]) if records else []

    async def send_read(self, sql: str, args: list[Any]) -> list[Any]:
        """Run a read (PostgreSQL) and return its records."""
        for listener in statement_listeners:
            listener(sql)
        with _translated(sql):
            return list(await self.raw.fetch(sql, *args))

    async def _send_queue(self, queued: list[_Queued]) -> None:
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
            try:
                found = await self.send(sql, args)
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
            (q, count)
            for q, count in zip(queued, counts, strict=True)
            if q.expect not in (None, count)
        ]
        if savepoint:
            await self.command(
                "ROLLBACK TO SAVEPOINT kirana_flush" if missed else "RELEASE SAVEPOINT kirana_flush"
            )
        if missed:  # the refusal of the first write that missed
            q, count = missed[0]
            if q.otherwise is None:
                raise RuntimeError(f"expected {q.expect} rows, touched {count}: {q.compiled.sql}")
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


def _insert_form(c: _Compiled) -> Together | None:
    if not c.together_known:
        c.together = unnest_insert(c.sql, len(c.params)) if c.sql.startswith("INSERT") else None
        c.together_known = True
    return c.together  # type: ignore[no-any-return]
