"""Cursor pagination: opaque cursors that carry the last row's sort key."""

from __future__ import annotations

import base64
from collections.abc import Callable
from operator import attrgetter
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel

from kirana.kit.errors import BadRequest

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(key)).decode().rstrip("=")


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    """The sort key in ``cursor``; a malformed cursor is the client's mistake (400)."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise BadRequest("The cursor is not one this API gave out", code="invalid_cursor") from exc
    if not isinstance(key, list) or len(key) != size:
        raise BadRequest("The cursor is not one this API gave out", code="invalid_cursor")
    return key


R = TypeVar("R")


def id_page(
    rows: list[R], limit: int, read: Any, key: Callable[[R], str] = attrgetter("id")
) -> Page[Any]:
    """A page of rows fetched newest id first with one extra (``limit + 1``) to tell whether
    more follow; the cursor carries the last row's id (``key``: where a row keeps it, for rows
    that are tuples). ``read`` turns a row into its item."""
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[read(r) for r in rows],
        next_cursor=encode_cursor([key(rows[-1])]) if more and rows else None,
    )
