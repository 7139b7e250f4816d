"""Pub/sub for the live channels: in process (``kirana up``) or Redis (every replica).

A message is published to a channel (``order:<id>``, ``store:<id>``, ``city``, ``rider:<user
id>``) once, encoded once, and handed to every local subscriber's bounded queue. Messages
published with ``keep=True`` (status changes, assignments) are also kept in the channel's
bounded history, which a reconnecting client resumes from; high-rate ones (rider positions)
are not: the next one replaces them.

``MemoryBroker`` is one process's dictionary of subscribers and histories. ``RedisBroker``
``PUBLISH``es to ``<prefix>ch:<channel>`` and keeps the history in a capped list
``<prefix>h:<channel>``; each process holds one pattern subscription and fans out to its own
sockets. When that subscription is lost (Redis restarted), every local subscriber is told
(:attr:`Subscription.lost`), so their clients reconnect and resume from the history rather than
silently miss what was published meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from kirana.kit import clock
from kirana.kit.ids import new_id

log = logging.getLogger("kirana.live")


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    type: str
    text: str  # the JSON frame as sent: {"type", "data", "at", "id"}

    @staticmethod
    def make(type_: str, data: dict[str, Any], *, id: str | None = None) -> Message:
        message_id = id or new_id()
        frame = {"type": type_, "data": data, "at": clock.now().isoformat(), "id": message_id}
        return Message(message_id, type_, orjson.dumps(frame).decode())

    @staticmethod
    def parse(text: str | bytes) -> Message:
        frame = orjson.loads(text)
        return Message(
            str(frame["id"]), str(frame["type"]), text if isinstance(text, str) else text.decode()
        )


class Subscription:
    """One socket's inbox: a bounded queue. A full queue is not waited on: the subscription is
    marked ``overflowed`` and its socket closes (the client resumes from the history)."""

    def __init__(self, channels: list[str], max_queue: int) -> None:
        self.channels = channels
        self.queue: asyncio.Queue[Message] = asyncio.Queue(max_queue)
        self.overflowed = asyncio.Event()
        self.lost = asyncio.Event()  # the broker lost messages meant for it (Redis went away)

    def deliver(self, message: Message) -> None:
        if self.overflowed.is_set():
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed.set()


class Broker(Protocol):
    async def publish(self, channel: str, message: Message, *, keep: bool) -> None: ...

    async def attach(self, sub: Subscription) -> None:
        """Start delivering ``sub``'s channels to it."""

    def detach(self, sub: Subscription) -> None: ...

    async def history(self, channel: str) -> list[Message]:
        """The channel's kept messages, oldest first."""

    def subscribers(self) -> int: ...

    async def close(self) -> None: ...


class _LocalFanout:
    """The subscribers of this process, by channel."""

    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = defaultdict(set)
        self._count = 0

    def add(self, sub: Subscription) -> None:
        for channel in sub.channels:
            self._subs[channel].add(sub)
        self._count += 1

    def discard(self, sub: Subscription) -> None:
        removed = False
        for channel in sub.channels:
            subs = self._subs.get(channel)
            if subs is not None and sub in subs:
                subs.discard(sub)
                removed = True
                if not subs:
                    del self._subs[channel]
        if removed:
            self._count -= 1

    def deliver(self, channel: str, message: Message) -> None:
        for sub in tuple(self._subs.get(channel, ())):
            sub.deliver(message)

    def everyone(self) -> set[Subscription]:
        return {s for subs in self._subs.values() for s in subs}

    def subscribers(self) -> int:
        return self._count


class MemoryBroker:
    def __init__(self, history: int = 100) -> None:
        self._local = _LocalFanout()
        self._history: dict[str, deque[Message]] = {}
        self._size = history

    async def publish(self, channel: str, message: Message, *, keep: bool) -> None:
        if keep:
            kept = self._history.setdefault(channel, deque(maxlen=self._size))
            if any(m.id == message.id for m in kept):
                return  # an event relayed twice (at least once): once is enough
            kept.append(message)
        self._local.deliver(channel, message)

    async def attach(self, sub: Subscription) -> None:
        self._local.add(sub)

    def detach(self, sub: Subscription) -> None:
        self._local.discard(sub)

    async def history(self, channel: str) -> list[Message]:
        return list(self._history.get(channel, ()))

    def subscribers(self) -> int:
        return self._local.subscribers()

    async def close(self) -> None:
        for sub in self._local.everyone():
            sub.lost.set()


class RedisBroker:
    """Publishes through Redis; subscribes (one pattern, lazily) only in processes with sockets."""

    def __init__(self, url: str, *, history: int = 100, prefix: str = "kirana:live:") -> None:
        self.redis: Redis = Redis.from_url(url, socket_timeout=5)
        self._url = url
        self._prefix = prefix
        self._size = history
        self._local = _LocalFanout()
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def publish(self, channel: str, message: Message, *, keep: bool) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            if keep:
                history = f"{self._prefix}h:{channel}"
                pipe.rpush(history, message.text)
                pipe.ltrim(history, -self._size, -1)
                pipe.expire(history, 86_400)
            pipe.publish(self.channel_key(channel), message.text)
            await pipe.execute()

    def channel_key(self, channel: str) -> str:
        """The Redis channel ``channel``'s messages are published on."""
        return f"{self._prefix}ch:{channel}"

    async def attach(self, sub: Subscription) -> None:
        if self._listener is None or self._listener.done():
            self._subscribed.clear()
            self._listener = asyncio.create_task(self._listen())
        # A socket must not read the history before the subscription exists, or a message
        # published in between would be in neither.
        await asyncio.wait_for(self._subscribed.wait(), timeout=10)
        self._local.add(sub)

    def detach(self, sub: Subscription) -> None:
        self._local.discard(sub)

    async def history(self, channel: str) -> list[Message]:
        rows = await self.redis.lrange(f"{self._prefix}h:{channel}", 0, -1)
        return [Message.parse(r) for r in rows]

    def subscribers(self) -> int:
        return self._local.subscribers()

    async def _listen(self) -> None:
        """One pattern subscription for the process; when it breaks, every local subscriber is
        told (their clients resume from the history) and it is made again."""
        strip = len(f"{self._prefix}ch:")
        delay = 0.2
        while True:
            client: Redis = Redis.from_url(self._url, socket_timeout=None)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(f"{self._prefix}ch:*")
                self._subscribed.set()
                delay = 0.2
                while True:
                    item = await pubsub.get_message(timeout=30.0)
                    if item is None or item.get("type") != "pmessage":
                        continue
                    channel = item["channel"].decode()[strip:]
                    self._local.deliver(channel, Message.parse(item["data"]))
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("live pub/sub lost Redis (%s); reconnecting", exc)
                self._subscribed.clear()
                for sub in self._local.everyone():
                    sub.lost.set()
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
                    await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def close(self) -> None:
        for sub in self._local.everyone():
            sub.lost.set()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        await self.redis.aclose()


def make_broker(redis_url: str | None, *, history: int, prefix: str) -> Broker:
    return (
        RedisBroker(redis_url, history=history, prefix=prefix)
        if redis_url
        else MemoryBroker(history)
    )


# The process's broker: set at start-up by the app and by ``kirana worker``, read by the outbox
# consumer that feeds the channels (handlers get no app).
_current: Broker | None = None


def use(broker: Broker | None) -> None:
    global _current
    _current = broker


def current() -> Broker | None:
    return _current
