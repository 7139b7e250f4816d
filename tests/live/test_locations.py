"""The rider location index, both implementations: the nearest riders to a point, against a
brute-force answer; a fix kept only when plausible after the last, the same rule both ways."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kirana.catalog.geo import haversine_m
from kirana.logistics.locations import (
    Fix,
    MemoryLocationIndex,
    Motion,
    RedisLocationIndex,
    refusal,
)
from tests.live.conftest import REDIS_URL


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_nearest_riders_match_a_brute_force_search(kind: str) -> None:
    index = (
        MemoryLocationIndex()
        if kind == "memory"
        else RedisLocationIndex(REDIS_URL, prefix=f"kt:{uuid.uuid4().hex[:8]}:")
    )
    rng = random.Random(3)
    now = datetime.now(UTC)
    fixes = [
        Fix(f"r{n}", 60.17 + rng.uniform(-0.05, 0.05), 24.94 + rng.uniform(-0.1, 0.1), now)
        for n in range(400)
    ]
    try:
        for fix in fixes:
            await index.put(fix)
        moved = Fix("r0", 60.171, 24.941, now)  # moving replaces the old position
        await index.put(moved)
        fixes[0] = moved
        await index.remove("r1")
        fixes = [f for f in fixes if f.rider_id != "r1"]
        for lat, lng, radius in ((60.17, 24.94, 2000), (60.2, 24.85, 5000), (60.17, 24.94, 50)):
            got = await index.nearest(lat, lng, radius, 10)
            want = sorted(
                (f.rider_id, haversine_m(lat, lng, f.lat, f.lng))
                for f in fixes
                if haversine_m(lat, lng, f.lat, f.lng) <= radius
            )
            want.sort(key=lambda x: x[1])
            assert [r for r, _ in got] == [r for r, _ in want[:10]]
            for (_, d1), (_, d2) in zip(got, want, strict=False):
                assert abs(d1 - d2) < 1.0  # metres
        assert (await index.get("r0")) is not None and (await index.get("r1")) is None
        assert set(await index.many(["r0", "r1", "r2"])) == {"r0", "r2"}
    finally:
        if isinstance(index, RedisLocationIndex):
            await index.redis.delete(index.geo_key, index.fix_key)
        await index.close()


def _index(kind: str) -> MemoryLocationIndex | RedisLocationIndex:
    if kind == "memory":
        return MemoryLocationIndex()
    return RedisLocationIndex(REDIS_URL, prefix=f"kt:{uuid.uuid4().hex[:8]}:")


async def _dispose(index: MemoryLocationIndex | RedisLocationIndex) -> None:
    if isinstance(index, RedisLocationIndex):
        await index.redis.delete(index.geo_key, index.fix_key)
    await index.close()


MOTION = Motion(max_speed_mps=40.0, jitter_m=50.0)
T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_a_fix_is_kept_only_if_plausible_after_the_last_kept(kind: str) -> None:
    index = _index(kind)
    try:
        steps = [
            (Fix("r", 60.17, 24.94, T0), None),  # the first fix: nothing to compare with
            (Fix("r", 60.171, 24.94, T0), "stale"),  # not newer
            (Fix("r", 60.171, 24.94, T0 - timedelta(seconds=5)), "stale"),  # older
            (Fix("r", 60.27, 24.94, T0 + timedelta(seconds=10)), "jump"),  # 11 km in 10 s
            (Fix("r", 60.1703, 24.94, T0 + timedelta(seconds=1)), None),  # 33 m: GPS noise
            (Fix("r", 60.172, 24.94, T0 + timedelta(seconds=11)), None),  # 190 m in 10 s
        ]
        kept = None
        for fix, expected in steps:
            assert await index.put_if_plausible(fix, MOTION) == expected, fix
            if expected is None:
                kept = fix
            got = await index.get("r")
            assert got is not None and kept is not None
            assert (got.lat, got.lng, got.at) == (kept.lat, kept.lng, kept.at)
    finally:
        await _dispose(index)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dlat=st.floats(-0.05, 0.05),
    dlng=st.floats(-0.05, 0.05),
    seconds=st.floats(-30, 120),
)
async def test_the_redis_script_keeps_what_the_rule_keeps(
    dlat: float, dlng: float, seconds: float
) -> None:
    """The script run by Redis and ``refusal`` in Python are one rule: for any move, the same
    answer, and a refused fix leaves the previous one in place."""
    index = RedisLocationIndex(REDIS_URL, prefix=f"kt:{uuid.uuid4().hex[:8]}:")
    try:
        previous = Fix("r", 60.17, 24.94, T0)
        fix = Fix("r", 60.17 + dlat, 24.94 + dlng, T0 + timedelta(seconds=seconds))
        await index.put(previous)
        expected = refusal(previous, fix, MOTION)
        assert await index.put_if_plausible(fix, MOTION) == expected
        got = await index.get("r")
        assert got is not None and got.lat == (previous if expected else fix).lat
    finally:
        await _dispose(index)


async def test_the_redis_index_publishes_with_a_kept_fix_only() -> None:
    index = RedisLocationIndex(REDIS_URL, prefix=f"kt:{uuid.uuid4().hex[:8]}:")
    channel = f"{index.geo_key}:test-channel"
    pubsub = index.redis.pubsub()
    try:
        await pubsub.subscribe(channel)
        assert (await pubsub.get_message(timeout=2))["type"] == "subscribe"  # type: ignore[index]
        kept = Fix("r", 60.17, 24.94, T0)
        assert await index.put_if_plausible(kept, MOTION, [(channel, "first")]) is None
        assert await index.put_if_plausible(kept, MOTION, [(channel, "again")]) == "stale"
        later = Fix("r", 60.1701, 24.94, T0 + timedelta(seconds=2))
        assert await index.put_if_plausible(later, MOTION, [(channel, "second")]) is None
        got = []
        while (message := await pubsub.get_message(timeout=0.5)) is not None:
            got.append(message["data"])
        assert got == ["first", "second"]
        with pytest.raises(ValueError, match="publishes nothing"):
            await MemoryLocationIndex().put_if_plausible(kept, MOTION, [(channel, "x")])
    finally:
        await pubsub.aclose()
        await _dispose(index)


async def test_concurrent_reports_of_one_rider_never_keep_an_older_fix() -> None:
    """Two replicas taking one rider's reports at once: whatever order they reach Redis in,
    every kept fix (each published as it is kept, so in Redis's order) is newer than the one
    kept before it, and the index ends with the newest."""
    index = RedisLocationIndex(REDIS_URL, prefix=f"kt:{uuid.uuid4().hex[:8]}:")
    channel = f"{index.geo_key}:kept"
    pubsub = index.redis.pubsub()
    try:
        await pubsub.subscribe(channel)
        await pubsub.get_message(timeout=2)
        fixes = [Fix("r", 60.17, 24.94, T0 + timedelta(seconds=n)) for n in range(40)]
        random.Random(5).shuffle(fixes)
        answers = await asyncio.gather(
            *(index.put_if_plausible(f, MOTION, [(channel, f.at.isoformat())]) for f in fixes)
        )
        assert all(refused in (None, "stale") for refused in answers)
        kept = []
        while (message := await pubsub.get_message(timeout=0.5)) is not None:
            kept.append(datetime.fromisoformat(message["data"]))
        assert len(kept) == answers.count(None)
        assert kept == sorted(set(kept))
        got = await index.get("r")
        assert got is not None and got.at == max(f.at for f in fixes) == kept[-1]
    finally:
        await pubsub.aclose()
        await _dispose(index)
