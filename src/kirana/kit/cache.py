"""A small in-process TTL cache with a version stamp, for hot reads such as catalog pages.

Time to live is measured on ``kit.clock.monotonic()``: the process's monotonic clock, or the
simulator's virtual one while it runs.

Writers call ``bump()``; readers key by ``version`` so a change in this process is seen at
once. A change committed through :func:`bump_after_commit` is also announced to the other
processes (:mod:`kirana.kit.cache_bus`, with Redis), which forget it as soon as the message
comes; the TTL bounds how stale an entry may be if that message is lost.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from itertools import chain
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlalchemy.orm import Session as OrmSession

from kirana.kit import clock

T = TypeVar("T")


class TTLCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 4096) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.version = 0
        self.forgets = 0  # keys forgotten one by one, ever (see ``stamp``)
        self._entries: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._generation: dict[Any, int] = {}  # times each key was forgotten one by one

    def get(self, key: Any) -> Any | None:
        entry = self._entries.get((self.version, key))
        if entry is None:
            return None
        expires, value = entry
        now = clock.monotonic()
        # Expired, or kept from before the clock was set back (a test's reset, the simulator's
        # end): either way older than the TTL may be.
        if not now <= expires <= now + self.ttl:
            self._entries.pop((self.version, key), None)
            return None
        return value

    def stamp(self, key: Any = None) -> tuple[int, int, int]:
        """Taken before reading what will be kept, handed to ``set``: the value is not kept if
        ``key`` (any key, when the key is not known yet) was forgotten in between."""
        if key is None:
            return (self.version, 0, self.forgets)
        return (self.version, 1, self._generation.get(key, 0))

    def set(
        self,
        key: Any,
        value: Any,
        *,
        version: int | None = None,
        stamp: tuple[int, int, int] | None = None,
    ) -> None:
        """Keep ``value`` for ``key``; not if the cache was bumped since ``version``, the one
        it had when the value was read, or changed since ``stamp`` (a read that raced a change
        would outlive it)."""
        if self.ttl <= 0 or (version is not None and version != self.version):
            return
        if stamp is not None and stamp != self.stamp(key if stamp[1] else None):
            return
        self._entries[(self.version, key)] = (clock.monotonic() + self.ttl, value)
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def forget(self, key: Any) -> None:
        self._entries.pop((self.version, key), None)
        self._generation[key] = self._generation.get(key, 0) + 1
        self.forgets += 1
        if len(self._generation) > 4 * self.max_entries:
            self.bump()  # every stamp taken before is refused anyway

    def bump(self) -> None:
        self.version += 1
        self._entries.clear()
        self._generation.clear()


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
_TO_FORGET = "kirana.cache_keys_to_forget"
Keys = dict[str, frozenset[Any]]  # cache name -> the keys of it to forget
Announce = Callable[[frozenset[str], Keys], None]


def bump_after_commit(session: AsyncSession | OrmSession, name: str) -> None:
    """What ``name``'s caches hold changed in ``session``'s transaction: forget it when that
    commits. Not earlier: a concurrent reader could re-cache the pre-commit rows."""
    session.info.setdefault(_TO_BUMP, set()).add(name)


def forget_after_commit(session: AsyncSession | OrmSession, name: str, keys: Iterable[Any]) -> None:
    """Only ``keys`` of ``name``'s caches changed in ``session``'s transaction: forget those
    when it commits."""
    session.info.setdefault(_TO_FORGET, {}).setdefault(name, set()).update(keys)


def bump_named(names: Iterable[str]) -> None:
    """Forget what the caches called ``names`` hold, in this process."""
    for name in names:
        for cache in caches_named(name):
            cache.bump()


def forget_keys(keys: Keys) -> None:
    """Forget ``keys`` of the caches named, in this process."""
    for name, some in keys.items():
        for cache in caches_named(name):
            for key in some:
                cache.forget(key)


# Tells the other processes which caches (or which keys of them) to forget (kit.cache_bus,
# over Redis); None when this process is the only one (``kirana up``).
_announce: Announce | None = None


def announce_with(announce: Announce | None) -> None:
    global _announce
    _announce = announce


def announcer() -> Announce | None:
    return _announce


def cache_names() -> set[str]:
    return {name for name, _ in _registry}


# --- caches forgotten whenever their tables are written ------------------------------------

# An execution option for a write no cache reads (a rider's sampled position): it does not make
# the caches watching its table forget.
CACHE_NEUTRAL = "kirana_cache_neutral"
# An execution option naming, for caches watching the statement's table, the only keys the
# statement changes ({cache name: keys}); caches it does not name forget everything.
CACHE_KEYS = "kirana_cache_keys"
# table name -> {name of a cache that reads it: the key a changed row is kept under, or None}
_watched: dict[str, dict[str, Callable[[Any], Any] | None]] = {}


def forget_on_writes(
    name: str, *tables: str, keys: dict[str, Callable[[Any], Any]] | None = None
) -> None:
    """Forget the caches called ``name`` after every transaction that writes one of ``tables``
    commits: rows flushed by the ORM and ORM-enabled ``insert``/``update``/``delete``
    statements run through a session, whichever service runs them, so a writer added later
    cannot forget to. ``keys`` gives, by table, the key under which a row changed through the
    ORM is cached: only that key is forgotten (a row added is in no cache yet). A statement
    says which keys it changes with ``CACHE_KEYS``; otherwise the whole cache is forgotten.
    Raw SQL text is not seen (the TTL bounds it)."""
    for table in tables:
        _watched.setdefault(table, {})[name] = (keys or {}).get(table)


@event.listens_for(OrmSession, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    options = state.execution_options
    if options.get(CACHE_NEUTRAL):
        return
    table = getattr(state.statement, "table", None)
    watching = _watched.get(getattr(table, "name", None) or "")
    if not watching:
        return
    keyed: dict[str, Iterable[Any]] = options.get(CACHE_KEYS) or {}
    for name in watching:
        if name in keyed:
            forget_after_commit(state.session, name, keyed[name])
        else:
            bump_after_commit(state.session, name)


@event.listens_for(OrmSession, "before_flush")
def _note_flush(session: OrmSession, _context: UOWTransaction, _instances: object) -> None:
    if not _watched:
        return
    dirty = (obj for obj in session.dirty if session.is_modified(obj))
    for obj in chain(session.deleted, dirty):
        table = getattr(type(obj), "__tablename__", None)
        for name, key_of in _watched.get(table if isinstance(table, str) else "", {}).items():
            key = key_of(obj) if key_of is not None else None
            if key is None:
                bump_after_commit(session, name)
            else:
                forget_after_commit(session, name, [key])


@event.listens_for(OrmSession, "after_commit")
def _bump_after_commit(session: OrmSession) -> None:
    names = frozenset(session.info.pop(_TO_BUMP, ()))
    forgotten: dict[str, set[Any]] = session.info.pop(_TO_FORGET, {})
    keys = {n: frozenset(k) for n, k in forgotten.items() if n not in names and k}
    if not names and not keys:
        return
    bump_named(names)
    forget_keys(keys)
    if _announce is not None:
        _announce(names, keys)


@event.listens_for(OrmSession, "after_rollback")
def _forget_on_rollback(session: OrmSession) -> None:
    session.info.pop(_TO_BUMP, None)
    session.info.pop(_TO_FORGET, None)
