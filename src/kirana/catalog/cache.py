"""The catalog's in-process read cache: listing pages, the category tree and the store list.

Staleness bounds:

* A catalog or stock write made through ``kirana.catalog.service`` in *this* process bumps the
  cache when its transaction commits (an ``after_commit`` hook on the session), so from then
  on this process answers from the database: the writer reads its own writes at once. The bump
  is deliberately after commit: bumping earlier would let a concurrent reader re-cache the
  pre-commit rows.
* Such a write made by *another* process (another ``kirana serve`` replica, ``kirana worker``)
  is announced over Redis when ``KIRANA_REDIS_URL`` is set (``kit.cache_bus``), and this
  process forgets its cache when the message comes. Without Redis, a write made elsewhere
  (the CLI, or a lost message) and a stock reservation (``catalog.stock.reserve``/``release``/
  ``fulfil``, which the orders service calls and which does not bump) are seen at most
  ``settings.catalog_cache_seconds`` later (default 2 s). The listing's
  ``in_stock``/``max_quantity`` may therefore lag by that much; the authoritative check is the
  reservation itself, which is atomic and never oversells.
* ``catalog_cache_seconds = 0`` turns caching off (tests do this).

Cached answers are rebuilt by one request at a time (``get_or_build``): past half the TTL the
first request to see the entry rebuilds it with its own session, while the requests that come
meanwhile are still served the old answer, so under load neither a herd of identical queries
nor a wait hits the database. The rebuild runs inside the request that does it: a task that
outlived the request would use its session after the request had closed it. Nothing older than
``catalog_cache_seconds`` is served.

One cache per database URL, so apps over different databases in one process (tests) never
share entries.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.cache import TTLCache, bump_after_commit, cache_named, caches_named

T = TypeVar("T")
_building: dict[tuple[int, int, Any], asyncio.Future[Any]] = {}


def cache_for(settings: Settings) -> TTLCache:
    return cache_named(
        "catalog", settings.database_url, settings.catalog_cache_seconds, max_entries=8192
    )


def bump_all() -> None:
    """Forget every cached catalog read in this process."""
    for cache in caches_named("catalog"):
        cache.bump()


def mark_changed(session: AsyncSession) -> None:
    """The catalog changed in ``session``'s transaction: bump the caches when it commits."""
    bump_after_commit(session, "catalog")


def get(settings: Settings, key: Any) -> Any | None:
    return cache_for(settings).get(key)


def put(settings: Settings, key: Any, value: Any, *, version: int | None = None) -> None:
    """Keep ``value``, unless the cache was bumped since ``version`` (when it was read)."""
    cache_for(settings).set(key, value, version=version)


async def get_or_build(settings: Settings, key: Any, build: Callable[[], Awaitable[T]]) -> T:
    """The cached value of ``key``, else ``build()`` it once however many ask at the same time.

    An entry past half its TTL is rebuilt by the caller that finds it so; callers that come while
    that rebuild runs are served the entry as it is. Nothing older than the TTL is ever served.
    """
    cache = cache_for(settings)
    entry: tuple[float, T] | None = cache.get(key)
    if entry is not None:
        fresh_until, value = entry
        if clock.monotonic() >= fresh_until and (id(cache), cache.version, key) not in _building:
            return await _build_once(cache, key, build)
        # Yield once even on a hit. A hit never waits on I/O, and handlers that never yield
        # were measured to stretch the tail under 64 connections (p99 ~2-3x) on a busy machine.
        await asyncio.sleep(0)
        return value
    return await _build_once(cache, key, build)


async def _build_once(cache: TTLCache, key: Any, build: Callable[[], Awaitable[T]]) -> T:
    # The version is part of the key: a build started before a write is never shared after it.
    flight = (id(cache), cache.version, key)
    pending = _building.get(flight)
    if pending is not None:
        try:
            result: T = await asyncio.shield(pending)
            return result
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not pending.cancelled() or (task is not None and task.cancelling()):
                raise
            # The builder was cancelled, not us: build it ourselves.
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    _building[flight] = future
    try:
        value = await build()
    except asyncio.CancelledError:
        future.cancel()
        raise
    except BaseException as exc:
        future.set_exception(exc)  # the waiters get the same answer, e.g. "store not found"
        future.exception()  # retrieved, so asyncio does not warn when nobody waited
        raise
    else:
        cache.set(key, (clock.monotonic() + cache.ttl / 2, value), version=flight[1])
        future.set_result(value)
        return value
    finally:
        _building.pop(flight, None)
