"""Driver errors as SQLAlchemy's, and queued writes sent as one statement on PostgreSQL."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from kirana.kit.sql._compile import _Compiled


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
    # How it goes in one statement with other units' writes of its kind (``kit.sql._group``),
    # and its rows for that form; None if it cannot.
    together: Any = None
    rows: list[tuple[Any, ...]] | None = None


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


def _cte_statement(writes: Sequence[tuple[str, int, bool]], expected: Sequence[str] | None) -> str:
    """Writes — each its SQL, its number of parameters and whether its rows are counted — as the
    data-modifying CTEs of one statement that returns the row counts of the counted ones
    (PostgreSQL runs every data-modifying CTE, counted or not; counting one costs a subplan).

    ``expected``, an SQL expression per counted write: the statement itself checks each count
    and fails if one is off (``kirana_unmet``), so that on its own — outside a transaction — it
    keeps all or nothing.
    """
    ctes, offset = [], 0
    for i, (sql, width, counted) in enumerate(writes):
        returning = " RETURNING 1" if counted else ""
        ctes.append(f"w{i} AS ({_shifted(sql, offset)}{returning})")
        offset += width
    counted_at = [i for i, (_, _, counted) in enumerate(writes) if counted]
    counts = ", ".join(f"(SELECT count(*) FROM w{i}) AS c{i}" for i in counted_at)
    if not expected:
        return f"WITH {', '.join(ctes)} SELECT {counts}"
    every = ", ".join(f"c{i}" for i in counted_at)
    checks = " AND ".join(f"c{i} = {e}" for i, e in zip(counted_at, expected, strict=True))
    return (
        f"WITH {', '.join(ctes)}, n AS MATERIALIZED (SELECT {counts}) SELECT {every} FROM n"
        f" WHERE CASE WHEN {checks} THEN true ELSE kirana_unmet(ARRAY[{every}]) END"
    )


def _batch_sql(queued: Sequence[_Queued], *, checked: bool) -> str:
    """Every queued write as one statement (``_cte_statement``); ``checked``: it checks every
    expectation itself."""
    shape = (checked, *((id(q.compiled), q.expect) for q in queued))
    found = _batches.get(shape)
    if found is None:
        writes = [(q.compiled.sql, len(q.compiled.params), q.expect is not None) for q in queued]
        expected = [str(q.expect) for q in queued if q.expect is not None] if checked else None
        found = _batches[shape] = _cte_statement(writes, expected)
    return found
