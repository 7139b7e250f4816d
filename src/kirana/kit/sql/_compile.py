"""A statement compiled once per dialect (``Query``), its positional arguments, and the plans
of multi-row inserts."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table, bindparam, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Executable
from sqlalchemy.sql.type_api import TypeEngine


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
    # Its grouped form (``kit.sql._group``), once looked for: a Together or None.
    together: Any = None
    together_known: bool = False


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
