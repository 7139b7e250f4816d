"""A small in-process TTL cache with a version stamp, for hot reads such as catalog pages.

Writers call ``bump()``; readers key by ``version`` so a change in this process is seen at
once. A change committed through :func:`bump_after_commit` is also announced to the other
processes (:mod:`kirana.kit.cache_bus`, with Redis), which forget it as soon as the message
comes; the TTL bounds how stale an entry may be if that message is lost.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from itertools import chain
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlalchemy.orm import Session as OrmSession

T = TypeVar("T")


class TTLCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 4096) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.version = 0
        self._entries: OrderedDict[Any, tuple[float, Any]] = OrderedDict()

    def get(self, key: Any) -> Any | None:
        entry = self._entries.get((self.version, key))
        if entry is None:
            return None
        expires, value = entry
        if expires < time.monotonic():
            self._entries.pop((self.version, key), None)
            return None
        return value

    def set(self, key: Any, value: Any, *, version: int | None = None) -> None:
        """Keep ``value`` for ``key``; not if the cache was bumped since ``version``, the one
        it had when the value was read (a read that raced a change would outlive it)."""
        if self.ttl <= 0 or (version is not None and version != self.version):
            return
        self._entries[(self.version, key)] = (time.monotonic() + self.ttl, value)
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def bump(self) -> None:
        self.version += 1
        self._entries.clear()


async def get_or_set(cache: TTLCache, key: Any, build: Callable[[], Awaitable[T]]) -> T:
    """``cache``'s value for ``key``, else ``build()`` it and keep it (no single flight: for
    cheap builds; see catalog.cache for the listing's)."""
    found: T | None = cache.get(key)
    if found is None:
        found = await build()
        cache.set(key, found)
    return found


_registry: dict[tuple[str, str], TTLCache] = {}


def cache_named(name: str, scope: str, ttl_seconds: float, max_entries: int = 4096) -> TTLCache:
    """The process's cache ``name`` for ``scope`` (a database URL: apps over different
    databases in one process, as in tests, never share entries); made anew if the TTL changed."""
    cache = _registry.get((name, scope))
    if cache is None or cache.ttl != ttl_seconds:
        cache = _registry[(name, scope)] = TTLCache(ttl_seconds, max_entries)
    return cache


def caches_named(name: str) -> list[TTLCache]:
    return [cache for (n, _), cache in _registry.items() if n == name]


_TO_BUMP = "kirana.caches_to_bump"


def bump_after_commit(session: AsyncSession, name: str) -> None:
    """What ``name``'s caches hold changed in ``session``'s transaction: forget it when that
    commits. Not earlier: a concurrent reader could re-cache the pre-commit rows."""
    session.info.setdefault(_TO_BUMP, set()).add(name)


def bump_named(names: Iterable[str]) -> None:
    """Forget what the caches called ``names`` hold, in this process."""
    for name in names:
        for cache in caches_named(name):
            cache.bump()


# Tells the other processes which caches to forget (kit.cache_bus, over Redis); None when this
# process is the only one (``kirana up``).
_announce: Callable[[frozenset[str]], None] | None = None


def announce_with(announce: Callable[[frozenset[str]], None] | None) -> None:
    global _announce
    _announce = announce


def announcer() -> Callable[[frozenset[str]], None] | None:
    return _announce


def cache_names() -> set[str]:
    return {name for name, _ in _registry}


# --- caches forgotten whenever their tables are written ------------------------------------

# An execution option for a write no cache reads (a rider's sampled position): it does not make
# the caches watching its table forget.
CACHE_NEUTRAL = "kirana_cache_neutral"
_watched: dict[str, set[str]] = {}  # table name -> the names of the caches that read it


def forget_on_writes(name: str, *tables: str) -> None:
    """Forget the caches called ``name`` after every transaction that writes one of ``tables``
    commits: rows flushed by the ORM and ORM-enabled ``insert``/``update``/``delete``
    statements run through a session, whichever service runs them, so a writer added later
    cannot forget to. Raw SQL text is not seen (the TTL bounds it)."""
    for table in tables:
        _watched.setdefault(table, set()).add(name)


def _note(session: OrmSession, table: str | None) -> None:
    names = _watched.get(table or "")
    if names:
        session.info.setdefault(_TO_BUMP, set()).update(names)


@event.listens_for(OrmSession, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get(CACHE_NEUTRAL):
        return
    table = getattr(state.statement, "table", None)
    _note(state.session, getattr(table, "name", None))


@event.listens_for(OrmSession, "before_flush")
def _note_flush(session: OrmSession, _context: UOWTransaction, _instances: object) -> None:
    if not _watched:
        return
    dirty = (obj for obj in session.dirty if session.is_modified(obj))
    for obj in chain(session.new, session.deleted, dirty):
        table = getattr(type(obj), "__tablename__", None)
        _note(session, table if isinstance(table, str) else None)


@event.listens_for(OrmSession, "after_commit")
def _bump_after_commit(session: OrmSession) -> None:
    names = frozenset(session.info.pop(_TO_BUMP, ()))
    if not names:
        return
    bump_named(names)
    if _announce is not None:
        _announce(names)


@event.listens_for(OrmSession, "after_rollback")
def _forget_on_rollback(session: OrmSession) -> None:
    session.info.pop(_TO_BUMP, None)
