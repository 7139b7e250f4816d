"""The rider location index: each rider's latest accepted fix, and the nearest riders to a point.

Telemetry (``kirana.live.telemetry``) writes every accepted report here; the database keeps
only a sample (the rider's row and the trip's breadcrumbs, every ``telemetry_sample_seconds``).
Dispatch and the tracking screen read the fresh position from here, falling back to the
database row when the index has none (a process that has just started, a rider never seen).

Two implementations behind one interface: in process for the embedded deployment, and Redis
(``GEOADD``/``GEOSEARCH`` plus a hash of fixes) when ``KIRANA_REDIS_URL`` is set, so every API
replica and worker sees one index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from kirana.catalog.geo import haversine_m


@dataclass(frozen=True, slots=True)
class Fix:
    rider_id: str
    lat: float
    lng: float
    at: datetime


class LocationIndex(Protocol):
    async def put(self, fix: Fix) -> None: ...

    async def get(self, rider_id: str) -> Fix | None: ...

    async def many(self, rider_ids: list[str]) -> dict[str, Fix]: ...

    async def nearest(
        self, lat: float, lng: float, radius_m: float, count: int
    ) -> list[tuple[str, float]]:
        """Up to ``count`` riders within ``radius_m`` of the point, nearest first, with their
        distance in metres."""

    async def remove(self, rider_id: str) -> None: ...

    async def close(self) -> None: ...


class MemoryLocationIndex:
    """A dictionary of fixes and a grid of cells of ``CELL`` degrees: the nearest riders are
    looked for ring by ring around the point's cell, so a query reads the riders of a few
    cells, not every rider."""

    CELL = 0.01  # ~1.1 km of latitude

    def __init__(self) -> None:
        self._fixes: dict[str, Fix] = {}
        self._cells: dict[tuple[int, int], set[str]] = {}

    def _cell(self, lat: float, lng: float) -> tuple[int, int]:
        return (math.floor(lat / self.CELL), math.floor(lng / self.CELL))

    async def put(self, fix: Fix) -> None:
        old = self._fixes.get(fix.rider_id)
        if old is not None:
            self._cells.get(self._cell(old.lat, old.lng), set()).discard(fix.rider_id)
        self._fixes[fix.rider_id] = fix
        self._cells.setdefault(self._cell(fix.lat, fix.lng), set()).add(fix.rider_id)

    async def get(self, rider_id: str) -> Fix | None:
        return self._fixes.get(rider_id)

    async def many(self, rider_ids: list[str]) -> dict[str, Fix]:
        return {r: self._fixes[r] for r in rider_ids if r in self._fixes}

    async def nearest(
        self, lat: float, lng: float, radius_m: float, count: int
    ) -> list[tuple[str, float]]:
        # Every rider beyond ring r is more than r cells' width away (the narrower width, in
        # longitude, is used): stop once the count-th nearest found is closer than that.
        cell_m = self.CELL * 111_000 * max(math.cos(math.radians(lat)), 0.01)
        rings = int(radius_m / cell_m) + 2
        ci, cj = self._cell(lat, lng)
        found: list[tuple[str, float]] = []
        for r in range(rings + 1):
            for i in range(ci - r, ci + r + 1):
                for j in range(cj - r, cj + r + 1):
                    if max(abs(i - ci), abs(j - cj)) != r:
                        continue
                    for rider_id in self._cells.get((i, j), ()):
                        f = self._fixes[rider_id]
                        d = haversine_m(lat, lng, f.lat, f.lng)
                        if d <= radius_m:
                            found.append((rider_id, d))
            if len(found) >= count:
                found.sort(key=lambda x: x[1])
                if found[count - 1][1] <= r * cell_m:
                    break
        return sorted(found, key=lambda x: x[1])[:count]

    async def remove(self, rider_id: str) -> None:
        old = self._fixes.pop(rider_id, None)
        if old is not None:
            self._cells.get(self._cell(old.lat, old.lng), set()).discard(rider_id)

    async def close(self) -> None:
        return None


class RedisLocationIndex:
    """One geo set (for ``GEOSEARCH``) and one hash of ``lat,lng,epoch`` per rider id."""

    def __init__(self, url: str, prefix: str = "kirana:riders:") -> None:
        self.redis: Redis = Redis.from_url(url, socket_timeout=2, decode_responses=True)
        self.geo_key = f"{prefix}geo"
        self.fix_key = f"{prefix}fix"

    async def put(self, fix: Fix) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            self.put_into(pipe, fix)
            await pipe.execute()

    def put_into(self, pipe: Pipeline, fix: Fix) -> None:
        """The commands of ``put``, added to ``pipe`` (telemetry sends the position's
        publications in the same round trip)."""
        pipe.geoadd(self.geo_key, (fix.lng, fix.lat, fix.rider_id))
        pipe.hset(self.fix_key, fix.rider_id, f"{fix.lat},{fix.lng},{fix.at.timestamp()}")

    @staticmethod
    def _parse(rider_id: str, raw: str | bytes | None) -> Fix | None:
        if not raw:
            return None
        text = raw.decode() if isinstance(raw, bytes) else raw
        lat, lng, epoch = text.split(",")
        return Fix(rider_id, float(lat), float(lng), datetime.fromtimestamp(float(epoch), UTC))

    async def get(self, rider_id: str) -> Fix | None:
        return self._parse(rider_id, await self.redis.hget(self.fix_key, rider_id))

    async def many(self, rider_ids: list[str]) -> dict[str, Fix]:
        if not rider_ids:
            return {}
        values = await self.redis.hmget(self.fix_key, rider_ids)
        fixes = (self._parse(r, v) for r, v in zip(rider_ids, values, strict=True))
        return {f.rider_id: f for f in fixes if f is not None}

    async def nearest(
        self, lat: float, lng: float, radius_m: float, count: int
    ) -> list[tuple[str, float]]:
        rows = await self.redis.geosearch(
            self.geo_key,
            longitude=lng,
            latitude=lat,
            radius=radius_m,
            unit="m",
            sort="ASC",
            count=count,
            withdist=True,
        )
        found: list[tuple[str, float]] = []
        for row in rows:
            member, dist = row[0], row[1]
            found.append((str(member), float(dist)))  # type: ignore[arg-type]
        return found

    async def remove(self, rider_id: str) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zrem(self.geo_key, rider_id)
            pipe.hdel(self.fix_key, rider_id)
            await pipe.execute()

    async def close(self) -> None:
        await self.redis.aclose()


def make_index(redis_url: str | None, prefix: str = "kirana:riders:") -> LocationIndex:
    return RedisLocationIndex(redis_url, prefix) if redis_url else MemoryLocationIndex()


# The process's index, set at start-up (``kirana up``, ``kirana serve``, ``kirana worker``);
# in process until then, so code run outside an app (the CLI, tests without one) still works.
_current: LocationIndex = MemoryLocationIndex()


def use(index: LocationIndex) -> None:
    global _current
    _current = index


def current() -> LocationIndex:
    return _current
