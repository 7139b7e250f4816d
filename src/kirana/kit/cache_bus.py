"""Cache changes told to every process over Redis pub/sub, so an admin's edit takes effect on
every replica at once, not a TTL later.

After a transaction that changed what named caches hold commits, this process forgets those
caches (``kit.cache``) and publishes their names on one channel; every other process forgets
them when the message arrives. Whenever the subscription is (re)made, every cache is
forgotten, since messages published while it was down are lost; a process that cannot reach
Redis still forgets within each cache's TTL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from kirana.kit import cache
from kirana.kit.ids import new_id

log = logging.getLogger("kirana.cache")


class CacheBus:
    def __init__(self, url: str, channel: str) -> None:
        self.url = url
        self.channel = channel
        self.sender = new_id()  # this process, so it skips its own messages
        self.subscribed = asyncio.Event()
        self._outgoing: asyncio.Queue[tuple[frozenset[str], cache.Keys]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, *, wait: float = 5.0) -> None:
        """Subscribe and start publishing; waits up to ``wait`` s for the subscription (a
        process whose Redis is down still starts, and subscribes when it comes back)."""
        self._tasks = [
            asyncio.create_task(self._listen()),
            asyncio.create_task(self._publish()),
        ]
        cache.announce_with(self.announce)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.subscribed.wait(), timeout=wait)

    def announce(self, names: frozenset[str], keys: cache.Keys | None = None) -> None:
        """Called after a commit (synchronously): the publisher task sends it."""
        self._outgoing.put_nowait((names, keys or {}))

    async def _publish(self) -> None:
        client: Redis = Redis.from_url(self.url, socket_timeout=5)
        try:
            while True:
                names: set[str] = set()
                keys: dict[str, set[str]] = {}
                batch = [await self._outgoing.get()]
                while not self._outgoing.empty():
                    batch.append(self._outgoing.get_nowait())
                for some_names, some_keys in batch:
                    names |= some_names
                    for name, forgotten in some_keys.items():
                        keys.setdefault(name, set()).update(str(k) for k in forgotten)
                message = orjson.dumps(
                    {
                        "from": self.sender,
                        "names": sorted(names),
                        "keys": {n: sorted(k) for n, k in keys.items() if n not in names},
                    }
                )
                try:
                    await client.publish(self.channel, message)
                except (RedisError, OSError) as exc:
                    log.warning("could not announce cache changes %s (%s)", sorted(names), exc)
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()

    async def _listen(self) -> None:
        delay = 0.2
        while True:
            client: Redis = Redis.from_url(self.url, socket_timeout=None)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                cache.bump_named(cache.cache_names())  # whatever was missed meanwhile
                self.subscribed.set()
                delay = 0.2
                while True:
                    item = await pubsub.get_message(timeout=30.0)
                    if item is None or item.get("type") != "message":
                        continue
                    body = orjson.loads(item["data"])
                    if body.get("from") != self.sender:
                        cache.bump_named(str(n) for n in body.get("names", ()))
                        cache.forget_keys(
                            {
                                str(n): frozenset(str(k) for k in ks)
                                for n, ks in (body.get("keys") or {}).items()
                            }
                        )
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, orjson.JSONDecodeError) as exc:
                log.warning("cache bus lost Redis (%s); reconnecting", exc)
                self.subscribed.clear()
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
                    await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def close(self) -> None:
        if cache.announcer() == self.announce:
            cache.announce_with(None)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
