"""Group flush (PostgreSQL): concurrent units' queued writes (and reads) sent as one statement.

Concurrent checkouts make the same three reads and the same dozen kinds of write: insert an
order, its lines, a payment intent, an event; hold stock; empty a cart.
Under load, PostgreSQL's cost per order is mostly per statement rather than per row — executor
start-up for every write node, locking every table and index, the round trip, the commit — so
each write kind of N concurrent units is sent as one ``unnest()`` of arrays, in one statement.

Leaders and lanes: a unit that flushes while fewer than ``lanes`` statements are in flight
leads — it lets the units that are ready in the same turn of the event loop reach their flush,
then sends every unit waiting; one that arrives while the lanes are busy waits, and the next
leader takes it along. At low load nothing waits; under load a statement carries every unit that
arrived while the last one ran. A leader leads until its own writes are sent, then hands its
lane to the first unit still waiting. One lane per worker process is the default: with two,
more units went alone and orders/s fell (64 clients, two workers: 7 units per statement and 3%
alone with one lane; 4.5 and 9% alone with two; 16.2-16.6% of ``pgbench -N`` against 20.1-20.4%).

Reads group the same way (``TogetherRead``): one statement answers the same read for every
unit waiting, each row led by its unit's number, and each unit gets the rows its own read would
have returned; if the statement fails, each unit makes its read alone.

All or none, per unit: the grouped statement checks every expectation (each kind's rows counted
against the sum the units expect) and keeps nothing if one is not met, or on any error. Then
each unit sends its own queue alone, as it would have without the group, and gets its own
answer: its writes, or the refusal naming what it missed. A unit alone is never worse off than
without the group; a grouped statement that kept nothing costs one statement more.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kirana.kit.sql._batch import _cte_statement, _Queued

if TYPE_CHECKING:
    from kirana.kit.sql._driver import Driver

Rows = list[tuple[Any, ...]]


@dataclass(frozen=True, slots=True, eq=False)
class Together:
    """How one kind of queued write is sent for many units at once (PostgreSQL): ``sql`` takes
    one array per column of the rows as ``$1`` .. ``$width``. ``count``: the rows it must touch
    for the rows given, if its writes have expectations (default: the sum of theirs)."""

    sql: str
    width: int
    count: Callable[[Rows], int] | None = None


# A single-row INSERT whose values are all parameters: ``VALUES ($1::T, $2::U ...)``.
_ONE_ROW = re.compile(r"VALUES \((\$\d+::[A-Z][A-Z ]*(?:, \$\d+::[A-Z][A-Z ]*)*)\)")


def unnest_insert(sql: str, width: int) -> Together | None:
    """The grouped form of a single-row ``INSERT ... VALUES`` (any ``ON CONFLICT`` kept), or
    None if its values are not ``width`` plain parameters in order."""
    found = _ONE_ROW.search(sql)
    if found is None:
        return None
    params = found.group(1).split(", ")
    if [p.split("::")[0] for p in params] != [f"${i + 1}" for i in range(width)]:
        return None
    arrays = ", ".join(f"{p}[]" for p in params)
    return Together(
        sql[: found.start()] + f"SELECT * FROM unnest({arrays})" + sql[found.end() :], width
    )


_statements: dict[tuple[tuple[int, bool], ...], str] = {}


def _grouped_sql(kinds: Sequence[tuple[Together, bool]]) -> str:
    """One statement for ``kinds`` (each with whether it is counted): a data-modifying CTE per
    kind, each counted one checked against its expected count, given as a parameter after the
    arrays (``_cte_statement``)."""
    shape = tuple((id(t), counted) for t, counted in kinds)
    found = _statements.get(shape)
    if found is None:
        offset = sum(t.width for t, _ in kinds)
        n_counted = sum(1 for _, counted in kinds if counted)
        expected = [f"${offset + n + 1}::int" for n in range(n_counted)]
        found = _statements[shape] = _cte_statement(
            [(t.sql, t.width, counted) for t, counted in kinds], expected
        )
    return found


@dataclass(frozen=True, slots=True, eq=False)
class TogetherRead:
    """How one read is made for many units at once (PostgreSQL): ``sql`` takes one array per
    column of the units' rows, after ``$1``, the number of the unit each row comes from; it
    returns that number first, then the single read's columns, each unit's rows in its order."""

    sql: str
    width: int


_ALONE = object()  # a unit's answer: send your own queue
_LEAD = object()  # a waiting unit's answer: lead now
_WRITES = "writes"


@dataclass(eq=False, slots=True)
class _Unit:
    rows: Any  # writes: its queue; reads: its parameter rows
    alone: Callable[[], Awaitable[Any]]  # what the unit does by itself, on its own connection
    answer: asyncio.Future[Any]
    taken: bool = False  # into a statement, by its leader
    sent: bool = False
    leading: bool = False


@dataclass
class GroupStats:
    """What the group has done in this process (tests and the benchmark read it)."""

    statements: int = 0  # grouped statements sent (two units or more)
    units: int = 0  # units they carried
    kept_nothing: int = 0  # grouped statements that failed, their units then sent alone
    alone: int = 0  # units sent alone (nothing else was waiting)


@dataclass(eq=False)
class _Line:
    """The units waiting for one kind of statement, and its leaders."""

    stats: GroupStats = field(default_factory=GroupStats)
    waiting: deque[_Unit] = field(default_factory=deque)
    leaders: int = 0


_Together = Callable[["Driver", list[_Unit]], Awaitable[list[Any]]]


@dataclass(eq=False)
class FlushGroup:
    """The units flushing (and reading) on one event loop: one per ``Database`` and worker
    process, with a line of its own for the writes and for each kind of read."""

    limit: int = 64  # units in one statement
    lanes: int = 1  # statements of one kind in flight at once
    _lines: dict[object, _Line] = field(default_factory=dict)

    def _line(self, kind: object) -> _Line:
        found = self._lines.get(kind)
        if found is None:
            found = self._lines[kind] = _Line()
        return found

    @property
    def stats(self) -> GroupStats:
        """The writes' statistics."""
        return self._line(_WRITES).stats

    def read_stats(self, together: TogetherRead) -> GroupStats:
        return self._line(together).stats

    @property
    def waiting(self) -> int:
        """Units waiting to write."""
        return len(self._line(_WRITES).waiting)

    async def flush(
        self,
        driver: Driver,
        queued: list[_Queued],
        alone: Callable[[Driver, list[_Queued]], Awaitable[None]],
    ) -> None:
        """Send ``queued`` (every write with a grouped form) with whatever else is waiting;
        ``alone`` sends one unit's queue by itself (and raises its refusal)."""
        await self._join(
            _WRITES, driver, queued, lambda: alone(driver, queued), self._writes_together
        )

    async def read(
        self,
        driver: Driver,
        together: TogetherRead,
        rows: list[tuple[Any, ...]],
        alone: Callable[[], Awaitable[list[Any]]],
    ) -> list[Any]:
        """The records of one read, made with the same read of every unit waiting (each record
        without the unit's number); ``alone`` makes it by itself."""

        async def grouped(leader: Driver, batch: list[_Unit]) -> list[Any]:
            args: list[list[Any]] = [[] for _ in range(together.width + 1)]
            for n, unit in enumerate(batch):
                for row in unit.rows:
                    args[0].append(n)
                    for column, value in zip(args[1:], row, strict=True):
                        column.append(value)
            found: list[list[Any]] = [[] for _ in batch]
            for record in await leader.send_read(together.sql, args):
                found[record[0]].append(record[1:])
            return found

        found: list[Any] = await self._join(together, driver, rows, alone, grouped)
        return found

    async def _join(
        self,
        kind: object,
        driver: Driver,
        rows: Any,
        alone: Callable[[], Awaitable[Any]],
        together: _Together,
    ) -> Any:
        """Lead or wait (see the module's docstring), as a task of its own that a cancelled
        caller waits for: a leader sends other units' statements, and a unit's may be in
        flight on its connection, which must not go back to the pool (or leave a lane taken)
        halfway."""
        task = asyncio.ensure_future(
            self._lead_or_wait(self._line(kind), driver, rows, alone, together)
        )
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            while not task.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.shield(task)
            raise

    async def _lead_or_wait(
        self,
        line: _Line,
        driver: Driver,
        rows: Any,
        alone: Callable[[], Awaitable[Any]],
        together: _Together,
    ) -> Any:
        unit = _Unit(rows, alone, asyncio.get_running_loop().create_future())
        line.waiting.append(unit)
        if line.leaders < self.lanes:
            line.leaders += 1
            unit.leading = True
        elif await unit.answer is not _LEAD:  # another leader sent it, or hands over its lane
            return unit.answer.result()
        try:
            if len(line.waiting) == 1:  # let the units ready in this turn of the loop join
                await asyncio.sleep(0)
            while not unit.taken:  # (another leader may have taken it before this one ran)
                n = min(self.limit, len(line.waiting))
                batch = [line.waiting.popleft() for _ in range(n)]
                for taken in batch:
                    taken.taken = True
                await self._send(line.stats, driver, batch, together)
        finally:
            # hand the lane to the first unit still waiting that does not lead already
            heir = next((u for u in line.waiting if not u.leading), None)
            if heir is None:
                line.leaders -= 1
            else:
                heir.leading = True
                heir.answer.set_result(_LEAD)
                heir.answer = asyncio.get_running_loop().create_future()
        if not unit.sent:  # in flight in another leader's statement
            await unit.answer
        return unit.answer.result()

    async def _send(
        self, stats: GroupStats, driver: Driver, batch: list[_Unit], together: _Together
    ) -> None:
        try:
            if len(batch) == 1:
                stats.alone += 1
            else:
                stats.statements += 1
                stats.units += len(batch)
                try:
                    answers = await together(driver, batch)
                except asyncio.CancelledError:
                    raise
                except Exception:  # kept nothing: each unit goes alone
                    stats.kept_nothing += 1
                else:
                    for unit, answer in zip(batch, answers, strict=True):
                        _settle(unit, answer)
                    return
            results = await asyncio.gather(
                *(unit.alone() for unit in batch), return_exceptions=True
            )
            for unit, result in zip(batch, results, strict=True):
                if isinstance(result, BaseException) and not isinstance(result, Exception):
                    raise result
                _settle(unit, result)
        finally:
            for unit in batch:  # cancelled midway: each unit sends its own (its key makes a
                if not unit.sent:  # second send of writes that were kept a replay)
                    _settle(unit, _ALONE)

    async def _writes_together(self, driver: Driver, batch: list[_Unit]) -> list[Any]:
        kinds: dict[Together, tuple[Rows, list[int | None]]] = {}
        for unit in batch:
            for q in unit.rows:
                assert q.together is not None and q.rows is not None
                rows, expects = kinds.setdefault(q.together, ([], []))
                rows.extend(q.rows)
                expects.append(q.expect)
        shape = [(t, any(e is not None for e in expects)) for t, (_, expects) in kinds.items()]
        sql = _grouped_sql(shape)
        args: list[Any] = []
        expected: list[int] = []
        for t, (rows, expects) in kinds.items():
            columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[]] * t.width
            args.extend(columns)
            if any(e is not None for e in expects):
                expected.append(
                    t.count(rows) if t.count is not None else sum(e or 0 for e in expects)
                )
        await driver.send(sql, [*args, *expected])
        return [None] * len(batch)


def _settle(unit: _Unit, result: Any) -> None:
    unit.sent = True
    if isinstance(result, Exception):
        unit.answer.set_exception(result)
    elif result is _ALONE:
        unit.answer.set_exception(_SendAlone())
    else:
        unit.answer.set_result(result)


class _SendAlone(Exception):
    """The group could not say what became of this unit's statement: it sends it itself."""
