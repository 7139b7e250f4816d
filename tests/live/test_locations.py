"""The rider location index, both implementations: the nearest riders to a point, against a
brute-force answer."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

import pytest

from kirana.catalog.geo import haversine_m
from kirana.logistics.locations import Fix, MemoryLocationIndex, RedisLocationIndex
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
