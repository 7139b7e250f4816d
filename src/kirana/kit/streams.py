"""Events through a Redis stream (``KIRANA_EVENT_BROKER=redis``, docs/events.md): the outbox
feeds the stream, and each consumer reads it as a consumer group.

The publisher claims due outbox events (``FOR UPDATE SKIP LOCKED``: several workers share
them), adds the ones some consumer wants to the stream, and marks the batch published in the
same transaction. One that dies between the two publishes the batch again: at least once.

Each consumer name is a consumer group; every worker runs one reader in each. A reader takes
new entries, runs the consumer's share in one transaction with its ``handled_events`` rows
(the database relay's own code, so an event delivered twice is skipped), and acknowledges what
committed. A failed event, or one that waits for an earlier event of its key, stays pending
and is tried again after its backoff; a worker that dies leaves its pending entries to the
others, which claim them once idle for ``claim_idle_seconds``. An order's events reach a
consumer in the order they were written, whichever worker holds them: a consumer never handles
an event while an earlier event of its key that it wants is unhandled in the outbox.

A stream lost with its Redis (a restart without persistence) shows as a missing group: the
reader makes the groups again and marks unpublished every event of the last ``replay_hours``
that a consumer has not handled, and the publisher sends them again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock, ids
from kirana.kit.db import Database, among, changed, table_of
from kirana.kit.loops import in_batches, pause
from kirana.kit.outbox import (
    BATCH,
    DEFER,
    GATHER_SECONDS,
    Event,
    HandledEvent,
    Handler,
    OutboxEvent,
    _claim,
    _consume,
    _subscribers,
    listening,
    new_wakeup,
    wake,
)

log = logging.getLogger("kirana.streams")


def consumers() -> dict[str, tuple[Handler, frozenset[str]]]:
    """Every consumer name with its handler and the event types it subscribes to."""
    out: dict[str, tuple[Handler, frozenset[str]]] = {}
    for event_type, subscribed in _subscribers.items():
        for name, handler in subscribed:
            known = out.get(name)
            out[name] = (handler, (known[1] if known else frozenset()) | {event_type})
    return out


def _fields(event: Event) -> dict[str, str]:
    return {
        "id": event.id,
        "type": event.type,
        "key": event.key or "",
        "payload": orjson.dumps(event.payload).decode(),
        "at": event.created_at.isoformat(),
        "rid": event.request_id or "",
    }


def _event(fields: dict[str, str]) -> Event:
    return Event(
        fields["id"],
        fields["type"],
        orjson.loads(fields["payload"]),
        datetime.fromisoformat(fields["at"]),
        fields["key"] or None,
        fields["rid"] or None,
    )


async def _waiting(
    session: AsyncSession, consumer: str, types: frozenset[str], events: list[Event]
) -> dict[str, str]:
    """Each key of ``events`` with an earlier event of a type the consumer wants that it has
    not handled (held by another worker, or not yet published), with that event's id."""
    keys = {e.key for e in events if e.key}
    if not keys:
        return {}
    batch = [e.id for e in events]
    rows = await session.execute(
        select(OutboxEvent.id, OutboxEvent.key)
        .where(among(session, OutboxEvent.key, keys))
        .where(OutboxEvent.type.in_(types))
        .where(OutboxEvent.id < max(batch))
        .where(among(session, OutboxEvent.id, batch, negate=True))
        .where(
            ~exists().where(
                (HandledEvent.consumer == consumer) & (HandledEvent.event_id == OutboxEvent.id)
            )
        )
    )
    waiting: dict[str, str] = {}
    for row in rows:
        waiting[row.key] = min(waiting.get(row.key, row.id), row.id)
    return waiting


@dataclass(slots=True)
class _Pending:
    """An entry this reader holds unacknowledged: failed, or waiting for an earlier event."""

    entry: str
    event: Event
    attempts: int = 0
    due: float = 0.0
    copies: list[str] = field(default_factory=list)  # other entries of the same event

    def all(self) -> list[str]:
        return [self.entry, *self.copies]


class StreamRelay:
    def __init__(
        self,
        db: Database,
        redis_url: str,
        *,
        stream: str = "kirana:events",
        batch: int = BATCH,
        maxlen: int = 1_000_000,
        claim_idle_seconds: float = 30.0,
        retry_seconds: float = 1.0,
        replay_hours: float = 24.0,
        block_seconds: float = 1.0,
        poll_seconds: float = 0.25,
        name: str | None = None,
    ) -> None:
        self.db = db
        self.redis: Redis = Redis.from_url(
            redis_url, decode_responses=True, socket_timeout=block_seconds + 10
        )
        self.stream, self.batch, self.maxlen = stream, batch, maxlen
        self.claim_idle, self.retry_base = claim_idle_seconds, retry_seconds
        self.replay_hours, self.block, self.poll = replay_hours, block_seconds, poll_seconds
        self.name = name or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.pending: dict[str, dict[str, _Pending]] = {}  # consumer -> event id -> pending
        self.recoveries = 0
        # The consumers subscribed when the relay was made (each service's handlers subscribe
        # when imported): a group and a reader each.
        self.groups = consumers()
        self._recovering = asyncio.Lock()

    async def close(self) -> None:
        await self.redis.aclose()

    async def ensure_groups(self, start: str = "$") -> None:
        """A group for every consumer: a consumer new to a stream that exists starts at its
        end (events written before it existed are not its own), one made after a loss at
        its start (the replay)."""
        for consumer in self.groups:
            try:
                await self.redis.xgroup_create(self.stream, consumer, id=start, mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    # The publisher: outbox -> stream.

    async def publish_once(self) -> int:
        """Move up to ``batch`` due events to the stream; returns how many were claimed."""
        async with self.db.transaction() as session:
            claimed = await _claim(session, self.batch)
            if not claimed:
                return 0
            wanted = [e for e, _ in claimed if _subscribers.get(e.type)]
            if wanted:  # nothing is sent for events no consumer subscribes to
                async with self.redis.pipeline(transaction=False) as pipe:
                    for event in wanted:
                        pipe.xadd(self.stream, _fields(event), maxlen=self.maxlen)  # type: ignore[arg-type]
                    await pipe.execute()
            outbox = table_of(OutboxEvent)  # Core: no RETURNING to sync a session
            await session.execute(
                update(outbox)
                .where(among(session, outbox.c.id, [e.id for e, _ in claimed]))
                .values(published_at=clock.now())
            )
        return len(claimed)

    # The readers: stream -> each consumer group.

    async def consume_once(self, consumer: str, *, block_seconds: float | None = None) -> int:
        """One read of ``consumer``'s group: new entries and pending ones now due, handled;
        returns how many of the consumer's events were tried."""
        handler, types = self.groups[consumer]
        held = self.pending.setdefault(consumer, {})
        block = None if block_seconds is None else max(1, int(block_seconds * 1000))
        try:
            answer: Any = await self.redis.xreadgroup(
                consumer, self.name, {self.stream: ">"}, count=self.batch, block=block
            )
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            await self.recover()
            return 0
        entries = [(entry, fields) for _, items in answer or [] for entry, fields in items]
        return await self._handle(consumer, handler, types, held, entries)

    async def claim_idle_entries(self, consumer: str) -> int:
        """Take over the entries of ``consumer``'s group idle for ``claim_idle`` (their reader
        died, or is stuck) and handle them."""
        handler, types = self.groups[consumer]
        held = self.pending.setdefault(consumer, {})
        try:
            answer: list[Any] = await self.redis.xautoclaim(
                self.stream,
                consumer,
                self.name,
                min_idle_time=int(self.claim_idle * 1000),
                start_id="0-0",
                count=self.batch,
            )
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            await self.recover()
            return 0
        entries = list(answer[1])
        # Entries trimmed from the stream while pending come back without fields: drop them.
        if gone := [entry for entry, fields in answer[1] if not fields]:
            await self.redis.xack(self.stream, consumer, *gone)
        return await self._handle(consumer, handler, types, held, entries)

    async def _handle(
        self,
        consumer: str,
        handler: Handler,
        types: frozenset[str],
        held: dict[str, _Pending],
        entries: list[tuple[str, Any]],
    ) -> int:
        now = time.monotonic()
        unwanted: list[str] = []
        for entry, fields in entries:
            if not fields:
                continue
            event = _event(fields)
            if event.type not in types:
                unwanted.append(entry)
            elif (known := held.get(event.id)) is None:
                held[event.id] = _Pending(entry, event)
            elif entry != known.entry and entry not in known.copies:
                known.copies.append(entry)  # published twice (a replay): handled once
        work = sorted((p for p in held.values() if p.due <= now), key=lambda p: p.event.id)
        if unwanted:
            await self.redis.xack(self.stream, consumer, *unwanted)
        if not work:
            return 0
        events = [p.event for p in work]
        async with self.db.transaction(write=False) as session:
            waiting = await _waiting(session, consumer, types, events)
        delivery = await _consume(self.db, consumer, handler, events, waiting)
        done = [
            p
            for p in work
            if p.event.id not in delivery.failed and p.event.id not in delivery.deferred
        ]
        if done:
            await self.redis.xack(self.stream, consumer, *(e for p in done for e in p.all()))
        for p in done:
            held.pop(p.event.id, None)
        for p in work:
            if p.event.id in delivery.failed:
                p.attempts += 1
                p.due = now + min(self.retry_base * 2 ** (p.attempts - 1), self.claim_idle)
            elif p.event.id in delivery.deferred:
                p.due = now + DEFER.total_seconds()
        if delivery.failed:  # what admins see on the event: its last error and its tries
            async with self.db.transaction() as session:
                for event_id, error in delivery.failed.items():
                    await session.execute(
                        update(OutboxEvent)
                        .where(OutboxEvent.id == event_id)
                        .values(attempts=OutboxEvent.attempts + 1, last_error=error[:2000])
                    )
        return len(work)

    async def recover(self) -> int:
        """The groups are gone (Redis lost the stream): make them again and mark unpublished
        what each consumer has not handled in the last ``replay_hours``. Readers that find the
        groups gone at once recover once: the first makes the groups, the others see them."""
        async with self._recovering:
            try:
                if {g["name"] for g in await self.redis.xinfo_groups(self.stream)} >= set(
                    self.groups
                ):
                    return 0  # another reader (or worker) has recovered already
            except ResponseError:
                pass  # no stream at all
            return await self._replay()

    async def _replay(self) -> int:
        await self.ensure_groups("0")
        since = ids.floor(time.time() - self.replay_hours * 3600)
        replayed = 0
        async with self.db.transaction() as session:
            for consumer, (_, types) in self.groups.items():
                replayed += await changed(
                    session,
                    update(OutboxEvent)
                    .where(OutboxEvent.id >= since)
                    .where(OutboxEvent.published_at.is_not(None))
                    .where(OutboxEvent.type.in_(types))
                    .where(
                        ~exists().where(
                            (HandledEvent.consumer == consumer)
                            & (HandledEvent.event_id == OutboxEvent.id)
                        )
                    )
                    .values(published_at=None, next_attempt_at=None),
                )
        for held in self.pending.values():
            held.clear()  # their entries went with the stream; the replay brings them back
        self.recoveries += 1
        log.warning("event stream %s was lost; %d events sent again", self.stream, replayed)
        wake()
        return replayed

    # The loops of ``kirana worker``.

    async def run(self, stopping: asyncio.Event) -> None:
        """The publisher and a reader per consumer until ``stopping`` is set."""
        while not stopping.is_set():
            try:
                if await self.redis.exists(self.stream):
                    await self.ensure_groups()
                else:  # a first start, or Redis lost the stream while no worker ran
                    await self.recover()
                break
            except (RedisError, OSError) as exc:
                log.warning("event stream unavailable (%s); retrying", exc)
                await pause(stopping, 1.0)
        loops = [self._publisher(stopping)] + [self._reader(c, stopping) for c in self.groups]
        try:
            await asyncio.gather(*loops)
        finally:
            await self.close()

    async def _publisher(self, stopping: asyncio.Event) -> None:
        async def round_() -> int:
            try:
                return await self.publish_once()
            except (RedisError, OSError) as exc:  # Redis away: try again in a second
                log.warning("could not publish events (%s); retrying", exc)
                await pause(stopping, 1.0)
                return 0

        wakeup = new_wakeup()
        async with listening(self.db, wakeup):
            await in_batches(
                round_,
                batch=self.batch,
                wakeup=wakeup,
                poll_seconds=self.poll,
                gather_seconds=GATHER_SECONDS,
                stopping=stopping,
                log=log,
                what="event publisher",
            )

    async def _reader(self, consumer: str, stopping: asyncio.Event) -> None:
        next_claim = 0.0
        while not stopping.is_set():
            try:
                now = time.monotonic()
                if now >= next_claim:
                    await self.claim_idle_entries(consumer)
                    next_claim = now + self.claim_idle / 2
                held = self.pending.get(consumer, {})
                due = min((p.due for p in held.values()), default=now + self.block)
                await self.consume_once(
                    consumer, block_seconds=min(self.block, max(0.001, due - now))
                )
            except (RedisError, OSError) as exc:
                log.warning("event stream read for %s failed (%s); retrying", consumer, exc)
                await pause(stopping, 1.0)
            except Exception:
                log.exception("consumer %s failed on a read", consumer)
                await pause(stopping, 1.0)
