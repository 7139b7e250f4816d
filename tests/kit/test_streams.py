"""The Redis-stream broker: two workers share the stream and each consumer's effects happen
exactly once and in each order's order; a worker killed mid-batch leaves its entries to the
other; a Redis restarted empty loses nothing, the outbox sends again what was not handled."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from redis.asyncio import Redis

from kirana.kit import outbox
from kirana.kit.db import Database
from kirana.kit.outbox import emit
from kirana.kit.streams import StreamRelay
from tests.kit.faults import count, effect_counts, emit_steps, kill_mid_batch
from tests.kit.relay_worker import FAULT_TYPE, register
from tests.kit.test_relay import (  # noqa: F401  (fixtures)
    _effects,
    _emit_steps,
    _in_order_once,
    consumers,
    effects,
)
from tests.live.test_redis_restart import OwnRedis, own_redis  # noqa: F401  (a fixture)

REDIS_URL = "redis://127.0.0.1:6379/0"
ROOT = Path(__file__).resolve().parents[2]
CI = os.environ.get("CI") == "true"


async def _redis_or_skip(url: str = REDIS_URL) -> None:
    client = Redis.from_url(url)
    try:
        await client.ping()
    except Exception:
        if CI:
            pytest.fail(f"Redis is required under CI=true but unreachable at {url}")
        pytest.skip(f"Redis not reachable at {url}: the stream broker's tests need it")
    finally:
        await client.aclose()


@pytest.fixture
async def stream() -> AsyncIterator[str]:
    await _redis_or_skip()
    name = f"kt:{uuid.uuid4().hex[:10]}:events"
    yield name
    client = Redis.from_url(REDIS_URL)
    await client.delete(name)
    await client.aclose()


def _relay(db: Database, stream: str, url: str = REDIS_URL, **kw: float) -> StreamRelay:
    options = {"claim_idle_seconds": 0.5, "retry_seconds": 0.05, "block_seconds": 0.1}
    options.update(kw)
    return StreamRelay(db, url, stream=stream, batch=15, poll_seconds=0.05, **options)  # type: ignore[arg-type]


async def _until(check: Callable[[], Awaitable[bool]], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the stream's consumers did not finish")


async def test_two_workers_share_the_stream_each_effect_once_in_order(
    db: Database,
    effects: None,  # noqa: F811
    consumers: dict[str, int],  # noqa: F811
    stream: str,
) -> None:
    await _emit_steps(db, orders=20, steps=5)
    other = Database(db.url, pool_size=10)
    stopping = asyncio.Event()
    workers = [_relay(db, stream), _relay(other, stream)]
    tasks = [asyncio.create_task(w.run(stopping)) for w in workers]

    try:
        await _until(lambda: _all(db, 100))
    finally:
        stopping.set()
        await asyncio.gather(*tasks)
        await other.dispose()
    for name in ("steady", "flaky", "stuck"):
        _in_order_once(await _effects(db, name), orders=20, steps=5)


async def test_nothing_is_sent_for_events_no_one_wants(db: Database, stream: str) -> None:
    async with db.transaction() as session:
        for n in range(30):
            await emit(session, "test.nobody_listens", {"n": n})
    relay = _relay(db, stream)
    try:
        assert await relay.publish_once() == 15
        assert await relay.publish_once() == 15
        assert await relay.redis.exists(stream) == 0
    finally:
        await relay.close()
    assert await count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0


async def test_a_worker_killed_mid_batch_leaves_its_entries_to_the_other(
    db: Database, stream: str, tmp_path: Path
) -> None:
    orders, steps = 10, 20
    await emit_steps(db, orders, steps)
    assert await kill_mid_batch(db, tmp_path / "started.log", REDIS_URL, stream) < orders * steps

    register(None, delay=0)  # the same consumers here: the survivor
    stopping = asyncio.Event()
    survivor = _relay(db, stream)
    task = asyncio.create_task(survivor.run(stopping))

    async def finished() -> bool:
        return await count(db, "SELECT count(*) FROM relay_effects") >= 2 * orders * steps

    try:
        await _until(finished)
        await asyncio.sleep(1.0)  # anything handled twice would show by now
    finally:
        stopping.set()
        await task
        outbox._subscribers.pop(FAULT_TYPE, None)
    counts = await effect_counts(db)
    assert len(counts) == 2 * orders * steps  # every effect of both consumers...
    assert set(counts) == {1}  # ...exactly once


async def test_a_redis_restarted_empty_loses_no_event(
    db: Database,
    effects: None,  # noqa: F811
    consumers: dict[str, int],  # noqa: F811
    tmp_path: Path,
) -> None:
    redis = OwnRedis(tmp_path, persistent=False)  # the worst case: it comes back empty
    redis.start()
    stopping = asyncio.Event()
    relay = _relay(db, "kirana:events", redis.url)
    task = asyncio.create_task(relay.run(stopping))
    try:
        await _emit_steps(db, orders=10, steps=3)
        await _until(lambda: _has(db, "steady", 30))
        redis.stop()  # down while more events are written...
        await _emit_steps_from(db, orders=10, first=3, steps=3)
        await asyncio.sleep(1.0)
        redis.start()  # ...and back with nothing: no stream, no groups, no pending entries
        await _until(lambda: _all(db, 60))
    finally:
        stopping.set()
        await task
        redis.stop()
    assert relay.recoveries >= 1
    for name in ("steady", "flaky", "stuck"):
        _in_order_once(await _effects(db, name), orders=10, steps=6)


async def _has(db: Database, consumer: str, n: int) -> bool:
    return len(await _effects(db, consumer)) >= n


async def _all(db: Database, n: int) -> bool:
    return all([await _has(db, name, n) for name in ("steady", "flaky", "stuck")])


async def _emit_steps_from(db: Database, orders: int, first: int, steps: int) -> None:
    async with db.transaction() as session:
        for step in range(first, first + steps):
            for o in range(orders):
                await emit(session, "test.step_taken", {"order_id": f"order-{o}", "n": step})
