"""The rider location index: each rider's latest accepted fix, and the nearest riders to a point.

Telemetry (``kirana.live.telemetry``) writes every accepted report here; the database keeps
only a sample (the rider's row and the trip's breadcrumbs, every ``telemetry_sample_seconds``).
Dispatch and the tracking screen read the fresh position from here, falling back to the
database row when the index has none (a process that has just started, a rider never seen).

Two implementations behind one interface: in process for the embedded deployment, and Redis
(``GEOADD``/``GEOSEARCH`` plus a hash of fixes) when ``KIRANA_REDIS_URL`` is set, so every API
replica and worker sees one index.

A report is kept only if it is plausible after the rider's last kept fix (:func:`refusal`:
newer, and no faster than a vehicle goes). ``put_if_plausible`` checks and writes in one step:
on Redis a script does both on the server, in one round trip, atomically, so two replicas
taking one rider's reports at once cannot keep an older fix over a newer one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from redis.asyncio import Redis

from kirana.kit.geo import EARTH_RADIUS_M, haversine_m

Refusal = Literal["stale", "jump"]


@dataclass(frozen=True, slots=True)
class Fix:
    rider_id: str
    lat: float
    lng: float
    at: datetime


@dataclass(frozen=True, slots=True)
class Motion:
    """How a rider can move: no faster than ``max_speed_mps``, once farther than ``jitter_m``
    (a shorter move is GPS noise, whatever the time between the two fixes)."""

    max_speed_mps: float
    jitter_m: float = 50.0


def refusal(previous: Fix | None, fix: Fix, motion: Motion) -> Refusal | None:
    """Why ``fix`` cannot follow ``previous`` (the rider's last kept fix): ``stale`` when it
    is not newer, ``jump`` when the rider would have gone faster than it can; None if it can.
    The Redis index's script (``_PUT_IF_PLAUSIBLE``) is the same rule, run by Redis."""
    if previous is None:
        return None
    seconds = fix.at.timestamp() - previous.at.timestamp()
    if seconds <= 0:
        return "stale"
    distance = haversine_m(previous.lat, previous.lng, fix.lat, fix.lng)
    if distance > motion.jitter_m and distance / seconds > motion.max_speed_mps:
        return "jump"
    return None


class LocationIndex(Protocol):
    async def put(self, fix: Fix) -> None: ...

    async def put_if_plausible(
        self, fix: Fix, motion: Motion, publish: Sequence[tuple[str, str]] = ()
    ) -> Refusal | None:
        """Keep ``fix`` unless :func:`refusal` says why not (returned, nothing kept). With a
        fix kept, ``publish`` (Redis channel, text) pairs are published in the same step; an
        index that is not on Redis refuses them (``ValueError``)."""

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

    async def put_if_plausible(
        self, fix: Fix, motion: Motion, publish: Sequence[tuple[str, str]] = ()
    ) -> Refusal | None:
        if publish:
            raise ValueError("the in-process index publishes nothing: publish on the broker")
        refused = refusal(self._fixes.get(fix.rider_id), fix, motion)
        if refused is None:
            await self.put(fix)
        return refused

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


# KEYS: the geo set, the hash of fixes. ARGV: rider id, lat, lng, epoch, max speed (m/s),
# jitter (m), then (channel, text) pairs to publish once the fix is kept. ``refusal``'s rule
# on the previous fix, then the writes of ``put`` and the publications; nothing written when
# refused. The fix is stored as the caller formatted it, so both ways store the same text.
_PUT_IF_PLAUSIBLE = f"""
local previous = redis.call('HGET', KEYS[2], ARGV[1])
local lat, lng, at = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if previous then
  local plat, plng, pat = string.match(previous, '^([^,]+),([^,]+),([^,]+)$')
  plat, plng, pat = tonumber(plat), tonumber(plng), tonumber(pat)
  local seconds = at - pat
  if seconds <= 0 then return 'stale' end
  local r = math.pi / 180
  local a = math.sin((lat - plat) * r / 2) ^ 2
    + math.cos(plat * r) * math.cos(lat * r) * math.sin((lng - plng) * r / 2) ^ 2
  local distance = 2 * {EARTH_RADIUS_M!r} * math.asin(math.min(1, math.sqrt(a)))
  if distance > tonumber(ARGV[6]) and distance / seconds > tonumber(ARGV[5]) then
    return 'jump'
  end
end
redis.call('GEOADD', KEYS[1], lng, lat, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. ',' .. ARGV[3] .. ',' .. ARGV[4])
for i = 7, #ARGV, 2 do redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end
return false
"""


class RedisLocationIndex:
    """One geo set (for ``GEOSEARCH``) and one hash of ``lat,lng,epoch`` per rider id."""

    def __init__(self, url: str, prefix: str = "kirana:riders:") -> None:
        self.redis: Redis = Redis.from_url(url, socket_timeout=2, decode_responses=True)
        self.geo_key = f"{prefix}geo"
        self.fix_key = f"{prefix}fix"
        # EVALSHA, loading the script again after a Redis restart (redis-py's Script).
        self._put_if_plausible = self.redis.register_script(_PUT_IF_PLAUSIBLE)

    async def put(self, fix: Fix) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.geoadd(self.geo_key, (fix.lng, fix.lat, fix.rider_id))
            pipe.hset(self.fix_key, fix.rider_id, _stored(fix))
            await pipe.execute()

    async def put_if_plausible(
        self, fix: Fix, motion: Motion, publish: Sequence[tuple[str, str]] = ()
    ) -> Refusal | None:
        lat, lng, at = _stored(fix).split(",")
        args: list[str | float] = [fix.rider_id, lat, lng, at]
        args += [motion.max_speed_mps, motion.jitter_m]
        args += [part for pair in publish for part in pair]
        refused = await self._put_if_plausible(keys=[self.geo_key, self.fix_key], args=args)
        return "jump" if refused == "jump" else "stale" if refused == "stale" else None

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


def _stored(fix: Fix) -> str:
    return f"{fix.lat},{fix.lng},{fix.at.timestamp()}"


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
