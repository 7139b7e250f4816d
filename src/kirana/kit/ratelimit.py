"""Fixed-window rate limits: in-process for the embedded deployment, Redis when configured.

A window of ``window`` seconds allows ``limit`` hits per key; the answer says how long until
the window ends, for the ``Retry-After`` header.
"""

from __future__ import annotations

import time
from typing import Protocol

from redis.asyncio import Redis


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window: int) -> tuple[bool, int]:
        """Count one hit; (allowed, seconds until the window resets)."""

    async def close(self) -> None: ...


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}

    async def hit(self, key: str, limit: int, window: int) -> tuple[bool, int]:
        now = int(time.monotonic())
        start = now - now % window
        started, count = self._windows.get(key, (start, 0))
        if started != start:
            started, count = start, 0
        count += 1
        self._windows[key] = (started, count)
        if len(self._windows) > 100_000:  # bounded memory: drop finished windows
            self._windows = {k: v for k, v in self._windows.items() if v[0] == start}
        return count <= limit, started + window - now

    async def close(self) -> None:
        return None


class RedisRateLimiter:
    def __init__(self, url: str, prefix: str = "kirana:rl:") -> None:
        self.redis: Redis = Redis.from_url(url, socket_timeout=2)
        self.prefix = prefix

    async def hit(self, key: str, limit: int, window: int) -> tuple[bool, int]:
        now = int(time.time())
        start = now - now % window
        full = f"{self.prefix}{key}:{start}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(full)
            pipe.expire(full, window + 1)
            count, _ = await pipe.execute()
        return int(count) <= limit, start + window - now

    async def close(self) -> None:
        await self.redis.aclose()


def make_rate_limiter(redis_url: str | None, prefix: str = "kirana:rl:") -> RateLimiter:
    return RedisRateLimiter(redis_url, prefix) if redis_url else MemoryRateLimiter()
