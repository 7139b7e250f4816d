"""The catalog's in-process read cache: listing pages, the category tree and the store list.

Staleness bounds:

* A catalog or stock write made through ``kirana.catalog.service`` in *this* process bumps the
  cache when its transaction commits (an ``after_commit`` hook on the session), so from then
  on this process answers from the database: the writer reads its own writes at once. The bump
  is deliberately after commit: bumping earlier would let a concurrent reader re-cache the
  pre-commit rows.
* A write made by *another* process (another ``kirana serve`` replica, ``kirana worker``, the
  CLI), or a stock reservation (``catalog.stock.reserve``/``release``/``fulfil``, which the
  orders service calls and which does not bump), is seen at most ``settings.catalog_cache_seconds``
  later (default 2 s). The listing's ``in_stock``/``max_quantity`` may therefore lag by that much;
  the authoritative check is the reservation itself, which is atomic and never oversells.
* ``catalog_cache_seconds = 0`` turns caching off (tests do this).

One cache per database URL, so apps over different databases in one process (tests) never
share entries.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session as OrmSession

from kirana.config import Settings
from kirana.kit.cache import TTLCache

_CHANGED = "kirana.catalog_changed"
_caches: dict[str, TTLCache] = {}


def cache_for(settings: Settings) -> TTLCache:
    cache = _caches.get(settings.database_url)
    if cache is None or cache.ttl != settings.catalog_cache_seconds:
        cache = TTLCache(settings.catalog_cache_seconds, max_entries=8192)
        _caches[settings.database_url] = cache
    return cache


def bump_all() -> None:
    """Forget every cached catalog read in this process."""
    for cache in _caches.values():
        cache.bump()


def mark_changed(session: AsyncSession) -> None:
    """The catalog changed in ``session``'s transaction: bump the caches when it commits."""
    session.info[_CHANGED] = True


@event.listens_for(OrmSession, "after_commit")
def _bump_after_commit(session: OrmSession) -> None:
    if session.info.pop(_CHANGED, False):
        bump_all()


@event.listens_for(OrmSession, "after_rollback")
def _forget_on_rollback(session: OrmSession) -> None:
    session.info.pop(_CHANGED, None)


def get(settings: Settings, key: Any) -> Any | None:
    return cache_for(settings).get(key)


def put(settings: Settings, key: Any, value: Any) -> None:
    cache_for(settings).set(key, value)
