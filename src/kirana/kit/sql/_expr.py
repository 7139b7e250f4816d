"""Expressions for lists bound as one parameter: ``any_of``, ``each_of``, ``one_of``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Boolean, String, bindparam, func, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

# A column or mapped attribute, as select()/where() accept them.
ColumnOperand = ColumnElement[Any] | QueryableAttribute[Any]


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
