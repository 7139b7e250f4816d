"""The transactional outbox and the relay that delivers it to in-process handlers.

``emit()`` writes an event in the caller's transaction, so it exists if and only if the change
does (on PostgreSQL it also NOTIFYs, so relays in other processes wake at its commit). The
relay claims unpublished events in batches (``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
so several workers share the load), gives each consumer its share of the batch in one
transaction of its own (consumers side by side on PostgreSQL, in turn on SQLite's one
writer), and marks the batch in one statement. A handler's effects and its
``(consumer, event_id)`` row in ``handled_events`` commit together, so a redelivered event is
skipped. Events that share a key (their order) reach each consumer in the order they were
written: a consumer never runs ahead of an earlier event of that key it has not handled.
Handlers must still be written idempotently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kirana.kit import clock, telemetry
from kirana.kit.clock import ensure_aware
from kirana.kit.db import Base, Database, UTCDateTime, among, is_postgresql, table_of
from kirana.kit.ids import new_id
from kirana.kit.loops import in_batches

log = logging.getLogger("kirana.outbox")

BATCH = 200  # events claimed by one relay round
# How soon an event that waits for an earlier one of its key (held by another relay) is tried:
# about one batch's time, so an order split between two relays waits little.
DEFER = timedelta(seconds=0.2)
# On PostgreSQL a transaction that emits also NOTIFYs this channel (delivered at its commit);
# relays LISTEN, so another process's events wake them at once rather than at the next poll.
CHANNEL = "kirana_outbox"
# A woken relay waits this long for more events to commit before it claims: one round for a
# burst of checkouts rather than one per checkout.
GATHER_SECONDS = 0.02


class OutboxEvent(Base):
    __tablename__ = "outbox"
    # The relay reads unpublished events in id order; the index holds only those.
    __table_args__ = (
        Index(
            "ix_outbox_unpublished",
            "id",
            sqlite_where=text("published_at IS NULL"),
            postgresql_where=text("published_at IS NULL"),
        ),
        # A consumer reading the event stream looks up the earlier events of a batch's keys.
        Index("ix_outbox_key", "key", "id"),
        # The relay looks up a batch's keys among the unpublished events.
        Index(
            "ix_outbox_unpublished_key",
            "key",
            "id",
            sqlite_where=text("published_at IS NULL"),
            postgresql_where=text("published_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    type: Mapped[str] = mapped_column(String(60), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    # Events with the same key (an order's id) are delivered in order; none: no order kept.
    key: Mapped[str | None] = mapped_column(String(64))
    # The X-Request-ID of the request that emitted it: the logs of its handling name it.
    request_id: Mapped[str | None] = mapped_column(String(64))


class HandledEvent(Base):
    __tablename__ = "handled_events"
    __table_args__ = (PrimaryKeyConstraint("consumer", "event_id"),)

    consumer: Mapped[str] = mapped_column(String(80), nullable=False)
    event_id: Mapped[str] = mapped_column(String(26), nullable=False)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str
    payload: dict[str, Any]
    created_at: datetime
    key: str | None = None
    request_id: str | None = None


Handler = Callable[[AsyncSession, Event], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, list[Event]], Awaitable[None]]
_subscribers: dict[str, list[tuple[str, Handler]]] = defaultdict(list)
# Consumers that take their share of a batch in one call (``subscribe_batch``).
_batched: dict[str, BatchHandler] = {}
# Called after an event's handlers ran (realtime fan-out, tests). Not transactional.
_listeners: list[Callable[[Event], Awaitable[None]]] = []
_wakeup: asyncio.Event | None = None


def subscribe(event_type: str, consumer: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``event_type`` under a stable consumer name."""

    def register(handler: Handler) -> Handler:
        if all(name != consumer for name, _ in _subscribers[event_type]):
            _subscribers[event_type].append((consumer, handler))
        return handler

    return register


def subscribe_batch(event_type: str, consumer: str) -> Callable[[BatchHandler], BatchHandler]:
    """Register a handler that takes the consumer's share of a batch in one call (its events
    in order), for work that adds up across events: counters written once per share, their
    rows locked in one order, rather than once per event in whatever order events come. If the
    call fails, each event of the share is run alone (with a savepoint) to find the one that
    fails; the handler must accept any subset of events, one at a time included."""

    def register(handler: BatchHandler) -> BatchHandler:
        async def one(session: AsyncSession, event: Event) -> None:
            await handler(session, [event])

        _batched[consumer] = handler
        subscribe(event_type, consumer)(one)
        return handler

    return register


def new_wakeup() -> asyncio.Event:
    """A fresh event that ``emit()`` in this process sets: the relay waits on it between polls
    (one per relay loop, made in that loop's event loop)."""
    global _wakeup
    _wakeup = asyncio.Event()
    return _wakeup


def wake() -> None:
    """Have the relay of this process look for due events now."""
    if _wakeup is not None:
        _wakeup.set()


def add_listener(listener: Callable[[Event], Awaitable[None]]) -> None:
    _listeners.append(listener)


async def emit(
    session: AsyncSession, event_type: str, payload: dict[str, Any], *, key: str | None = None
) -> str:
    """Record an event in the caller's transaction; it is relayed after commit. ``key`` (by
    default the payload's ``order_id``) keeps the events of one order in order."""
    [event_id] = await emit_many(session, [(event_type, payload, key)])
    return event_id


async def emit_many(
    session: AsyncSession, events: Sequence[tuple[str, dict[str, Any], str | None]]
) -> list[str]:
    """``emit`` for many events (type, payload, key) in one statement, in the order given."""
    if not events:
        return []
    if session.new or session.dirty or session.deleted:
        await session.flush()  # callers have relied on emit() flushing their pending changes
    now = clock.now()
    request_id = telemetry.request_id()
    ids = [new_id() for _ in events]
    rows = [
        {
            "id": event_id,
            "type": event_type,
            "payload": payload,
            "created_at": now,
            "key": key if key is not None else payload.get("order_id"),
            "request_id": request_id,
        }
        for event_id, (event_type, payload, key) in zip(ids, events, strict=True)
    ]
    await session.execute(insert(table_of(OutboxEvent)), rows)
    transaction = session.get_transaction()
    if is_postgresql(session) and session.info.get(CHANNEL) is not transaction:
        await session.execute(text(f"NOTIFY {CHANNEL}"))  # once per transaction
        session.info[CHANNEL] = transaction
    wake()
    return ids


@asynccontextmanager
async def listening(db: Database, wakeup: asyncio.Event) -> AsyncIterator[None]:
    """While inside, other processes' commits of events set ``wakeup`` (PostgreSQL's LISTEN on
    a connection of its own). Without it (SQLite, or the LISTEN failed) relays poll."""
    if db.is_sqlite:
        yield
        return

    def woken(*_: object) -> None:
        wakeup.set()

    connection = None
    try:
        connection = await db.engine.connect()
        driver: Any = (await connection.get_raw_connection()).driver_connection
        if driver is None:
            raise RuntimeError("the pool gave no driver connection")
        await driver.add_listener(CHANNEL, woken)
    except Exception as exc:
        log.warning("cannot LISTEN for new events (%s); polling for them", exc)
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await driver.remove_listener(CHANNEL, woken)
        with contextlib.suppress(Exception):
            await connection.close()


@dataclass(slots=True)
class _Delivery:
    """What one consumer made of its share of a batch."""

    failed: dict[str, str] = field(default_factory=dict)  # event id -> error
    deferred: set[str] = field(default_factory=set)  # waits for an earlier event of its key


def _due(now: datetime) -> Any:
    return (OutboxEvent.published_at.is_(None)) & (
        (OutboxEvent.next_attempt_at.is_(None)) | (OutboxEvent.next_attempt_at <= now)
    )


async def _claim(session: AsyncSession, batch: int) -> list[tuple[Event, int]]:
    """The oldest due events, locked against other relays (``SKIP LOCKED`` on PostgreSQL;
    SQLite has one writer and ignores the clause)."""
    rows = await session.execute(
        select(
            OutboxEvent.id,
            OutboxEvent.type,
            OutboxEvent.payload,
            OutboxEvent.created_at,
            OutboxEvent.key,
            OutboxEvent.attempts,
            OutboxEvent.request_id,
        )
        .where(_due(clock.now()))
        .order_by(OutboxEvent.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    return [
        (Event(r.id, r.type, dict(r.payload), r.created_at, r.key, r.request_id), r.attempts)
        for r in rows
    ]


async def _waiting_keys(session: AsyncSession, events: list[Event]) -> dict[str, dict[str, str]]:
    """Per consumer, each key whose earlier event (outside this batch: held by another relay or
    waiting for a retry) that consumer has not handled yet, with that event's id. A consumer
    sees an order's events in the order they were written, so it must not run ahead of them."""
    keys = {e.key for e in events if e.key}
    if not keys:
        return {}
    ids = [e.id for e in events]
    earlier = (
        await session.execute(
            select(OutboxEvent.id, OutboxEvent.type, OutboxEvent.key)
            .where(OutboxEvent.published_at.is_(None))
            .where(among(session, OutboxEvent.key, keys))
            .where(OutboxEvent.id < max(ids))
            .where(among(session, OutboxEvent.id, ids, negate=True))
        )
    ).all()
    if not earlier:
        return {}
    handled = {
        (row.consumer, row.event_id)
        for row in await session.execute(
            select(HandledEvent.consumer, HandledEvent.event_id).where(
                among(session, HandledEvent.event_id, [r.id for r in earlier])
            )
        )
    }
    waiting: dict[str, dict[str, str]] = defaultdict(dict)
    for row in earlier:
        for consumer, _ in _subscribers.get(row.type, []):
            if (consumer, row.id) not in handled:
                first = waiting[consumer].get(row.key)
                waiting[consumer][row.key] = min(first, row.id) if first else row.id
    return waiting


class _RetryWithSavepoints(Exception):
    """A handler failed in a share run without savepoints: run the share again with them.
    ``event_id`` is the event that failed, or None when a batch handler failed on the share."""

    def __init__(self, event_id: str | None, error: str) -> None:
        super().__init__(error)
        self.event_id, self.error = event_id, error


async def _consume(
    db: Database, consumer: str, handler: Handler, events: list[Event], waiting: dict[str, str]
) -> _Delivery:
    """One consumer's events of a batch, in order, in one transaction of its own: each event's
    effects and its ``handled_events`` mark commit together. The share runs first without a
    savepoint per event (most shares fail nowhere); if a handler fails, the share is rolled back
    whole and run again with one, the failed event left out (it is retried after its backoff)
    and the consumer's later events of its key waiting for it. Handlers touch only the
    database, so the events run again had left nothing behind."""
    try:
        return await _consume_share(
            db, consumer, handler, events, waiting, failed={}, savepoints=False
        )
    except _RetryWithSavepoints as first:
        failed = {first.event_id: first.error} if first.event_id else {}
        return await _consume_share(
            db, consumer, handler, events, waiting, failed=failed, savepoints=True
        )


async def _consume_share(
    db: Database,
    consumer: str,
    handler: Handler,
    events: list[Event],
    waiting: dict[str, str],
    *,
    failed: dict[str, str],
    savepoints: bool,
) -> _Delivery:
    """The share without savepoints (a batch handler's in one call); with a savepoint per
    event, one at a time, once a handler failed."""
    batch_handler = None if savepoints else _batched.get(consumer)
    batch: list[Event] = []
    out = _Delivery()
    waiting = dict(waiting)
    seen: set[str] = set()
    handled: list[dict[str, Any]] = []
    try:
        async with db.transaction() as session:
            seen = set(
                (
                    await session.execute(
                        select(HandledEvent.event_id)
                        .where(HandledEvent.consumer == consumer)
                        .where(among(session, HandledEvent.event_id, [e.id for e in events]))
                    )
                ).scalars()
            )
            for event in events:
                if event.id in seen:
                    continue  # handled before a relay died: redelivered, skipped
                if event.key and event.key in waiting and waiting[event.key] < event.id:
                    out.deferred.add(event.id)
                    continue
                if event.id in failed:  # failed in the run without savepoints
                    out.failed[event.id] = failed[event.id]
                    if event.key:  # the key's later events wait for this one
                        waiting[event.key] = min(waiting.get(event.key, event.id), event.id)
                    continue
                if batch_handler is not None:
                    batch.append(event)
                    continue
                try:
                    with telemetry.handling(event):
                        if savepoints:
                            async with session.begin_nested():
                                await handler(session, event)
                        else:
                            await handler(session, event)
                except Exception as exc:  # retried later; the consumer's other keys go on
                    log.exception("handler %s failed on %s %s", consumer, event.type, event.id)
                    error = f"{consumer}: {type(exc).__name__}: {exc}"
                    if not savepoints:
                        raise _RetryWithSavepoints(event.id, error) from exc
                    out.failed[event.id] = error
                    if event.key:  # the key's later events wait for this one
                        waiting[event.key] = min(waiting.get(event.key, event.id), event.id)
                    continue
                handled.append(
                    {"consumer": consumer, "event_id": event.id, "handled_at": clock.now()}
                )
            if batch_handler is not None and batch:
                try:
                    with telemetry.handling(batch[0]):
                        await batch_handler(session, batch)
                except Exception as exc:
                    log.exception("batch handler %s failed on %d events", consumer, len(batch))
                    raise _RetryWithSavepoints(None, f"{type(exc).__name__}: {exc}") from exc
                now = clock.now()
                handled += [
                    {"consumer": consumer, "event_id": e.id, "handled_at": now} for e in batch
                ]
            if handled:  # one multi-row INSERT
                await session.execute(insert(table_of(HandledEvent)), handled)
    except _RetryWithSavepoints:
        raise
    except Exception as exc:  # the transaction itself failed: nothing of it was kept
        log.exception("consumer %s failed on a batch of %d", consumer, len(events))
        for event in events:
            if event.id not in seen and event.id not in out.deferred:
                out.failed[event.id] = f"{consumer}: {type(exc).__name__}: {exc}"
    return out


async def _deliver(
    db: Database, events: list[Event], waiting: dict[str, dict[str, str]]
) -> _Delivery:
    """Every consumer's share of the batch, the consumers side by side on PostgreSQL. SQLite
    has one writer: side by side, each consumer's ``BEGIN IMMEDIATE`` would wait out the
    others in the busy handler's sleeps (most of a relayed batch's time), so there they take
    their turns."""
    shares: dict[str, tuple[Handler, list[Event]]] = {}
    for event in events:
        for consumer, handler in _subscribers.get(event.type, []):
            shares.setdefault(consumer, (handler, []))[1].append(event)
    runs = (
        _consume(db, consumer, handler, share, waiting.get(consumer, {}))
        for consumer, (handler, share) in shares.items()
    )
    results = [await run for run in runs] if db.is_sqlite else await asyncio.gather(*runs)
    total = _Delivery()
    for result in results:
        for event_id, error in result.failed.items():
            total.failed[event_id] = "; ".join(filter(None, [total.failed.get(event_id), error]))
        total.deferred |= result.deferred
    total.deferred -= total.failed.keys()
    return total


async def _settle(
    session: AsyncSession, claimed: list[tuple[Event, int]], delivery: _Delivery
) -> list[Event]:
    """Mark the batch in three statements at most: published, failed (with backoff), deferred."""
    now = clock.now()
    done = [e for e, _ in claimed if e.id not in delivery.failed and e.id not in delivery.deferred]
    if done:
        outbox = table_of(OutboxEvent)  # Core: the ORM would add RETURNING to sync a session
        await session.execute(
            update(outbox)
            .where(among(session, outbox.c.id, [e.id for e in done]))
            .values(published_at=now)
        )
    retries = [
        {
            "id": e.id,
            "attempts": attempts + 1,
            "last_error": delivery.failed[e.id][:2000],
            "next_attempt_at": now + timedelta(seconds=min(2 ** (attempts + 1), 300)),
        }
        for e, attempts in claimed
        if e.id in delivery.failed
    ]
    if retries:  # an ORM bulk UPDATE by primary key: one executemany
        await session.execute(update(OutboxEvent), retries)
    if delivery.deferred:
        outbox = table_of(OutboxEvent)
        await session.execute(
            update(outbox)
            .where(among(session, outbox.c.id, delivery.deferred))
            .values(next_attempt_at=now + DEFER)
        )
    return done


async def _relay_batch(db: Database, batch: int) -> tuple[int, int]:
    """Claim, deliver and settle one batch; returns (claimed, published)."""
    if db.is_sqlite:
        # One writer at a time: holding the claim open would lock the consumers out.
        async with db.transaction(write=False) as session:
            claimed = await _claim(session, batch)
            waiting = await _waiting_keys(session, [e for e, _ in claimed])
        if not claimed:
            return 0, 0
        delivery = await _deliver(db, [e for e, _ in claimed], waiting)
        async with db.transaction() as session:
            done = await _settle(session, claimed, delivery)
    else:
        # The claim's row locks are held until the batch is settled: another relay skips these
        # events, and a relay that dies releases them for redelivery.
        async with db.transaction() as session:
            claimed = await _claim(session, batch)
            if not claimed:
                return 0, 0
            waiting = await _waiting_keys(session, [e for e, _ in claimed])
            delivery = await _deliver(db, [e for e, _ in claimed], waiting)
            done = await _settle(session, claimed, delivery)
    for event in done:
        for listener in _listeners:
            try:
                await listener(event)
            except Exception:
                log.exception("listener failed on %s", event.type)
    return len(claimed), len(done)


async def relay_once(db: Database, batch: int = BATCH) -> int:
    """Deliver up to ``batch`` due events to their handlers; returns how many were published."""
    return (await _relay_batch(db, batch))[1]


async def backlog(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many events wait to be relayed, and when the oldest of them was written."""
    row = (
        await session.execute(
            select(func.count(), func.min(OutboxEvent.created_at)).where(
                OutboxEvent.published_at.is_(None)
            )
        )
    ).one()
    oldest = row[1]
    return int(row[0]), (ensure_aware(oldest) if oldest is not None else None)


async def drain(db: Database, max_rounds: int = 50) -> int:
    """Relay until nothing is due (tests, CLI). Events emitted by handlers are relayed too."""
    total = 0
    for _ in range(max_rounds):
        n = await relay_once(db)
        total += n
        if n == 0:
            break
    return total


async def run_relay(
    db: Database,
    poll_seconds: float = 0.25,
    batch: int = BATCH,
    stopping: asyncio.Event | None = None,
) -> None:
    """The relay loop of the embedded deployment and of ``kirana worker``: a full batch is
    followed at once by the next; otherwise it waits for an emit in this process or the poll.
    It returns between batches once ``stopping`` is set."""

    async def round_() -> int:
        return (await _relay_batch(db, batch))[0]

    wakeup = new_wakeup()
    async with listening(db, wakeup):
        await in_batches(
            round_,
            batch=batch,
            wakeup=wakeup,
            poll_seconds=poll_seconds,
            gather_seconds=GATHER_SECONDS,
            stopping=stopping,
            log=log,
            what="outbox relay",
        )
