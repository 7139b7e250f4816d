"""A stale catalog entry is rebuilt inside the request that finds it, never by a task that
outlives it (that task would use the request's session after the request closed it)."""

from __future__ import annotations

import asyncio
import time

import pytest

from kirana.catalog import cache
from kirana.config import Settings


@pytest.fixture
def settings(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(
        env="test",
        database_url=f"sqlite+aiosqlite:///{tmp_path}/cache.db",
        catalog_cache_seconds=60,
    )


async def test_a_stale_entry_is_rebuilt_by_the_caller_while_others_get_it_as_it_is(
    settings: Settings,
) -> None:
    builds: list[str] = []
    release = asyncio.Event()

    async def build(label: str) -> str:
        await release.wait()
        builds.append(label)
        return label

    release.set()
    assert await cache.get_or_build(settings, "k", lambda: build("first")) == "first"
    # Past half the TTL: the entry is stale (still within the TTL, so still served).
    cache.cache_for(settings).set("k", (time.monotonic() - 1, "first"))
    release.clear()
    refresher = asyncio.create_task(cache.get_or_build(settings, "k", lambda: build("second")))
    await asyncio.sleep(0.01)
    # Another request meanwhile is served the entry as it is, without waiting or building.
    assert await cache.get_or_build(settings, "k", lambda: build("third")) == "first"
    assert not refresher.done()  # the refreshing request waits for its own rebuild
    release.set()
    assert await refresher == "second"
    assert builds == ["first", "second"]
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
    assert await cache.get_or_build(settings, "k", lambda: build("fourth")) == "second"
