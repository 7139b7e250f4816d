"""The transactional outbox and the event bus that relays it to in-process handlers.

``emit()`` writes an event in the caller's transaction, so it exists if and only if the change
does. The relay reads unpublished events after commit and calls every subscribed handler, each
in its own transaction, recording ``(consumer, event_id)`` in ``handled_events`` in that same
transaction: a handler's effects and its "done" mark commit together, so a crash between the two
is impossible and a redelivered event is skipped. Handlers must still be written idempotently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kirana.kit import clock
from kirana.kit.db import Base, Database, UTCDateTime
from kirana.kit.ids import new_id
from kirana.kit.sql import Conn, driver

log = logging.getLogger("kirana.outbox")


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
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    type: Mapped[str] = mapped_column(String(60), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


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


Handler = Callable[[AsyncSession, Event], Awaitable[None]]
_subscribers: dict[str, list[tuple[str, Handler]]] = defaultdict(list)
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


def add_listener(listener: Callable[[Event], Awaitable[None]]) -> None:
    _listeners.append(listener)


async def emit(session: Conn, event_type: str, payload: dict[str, Any]) -> str:
    """Record an event in the caller's transaction; it is relayed after commit."""
    if isinstance(session, AsyncSession) and (session.new or session.dirty or session.deleted):
        await session.flush()  # callers have relied on emit() flushing their pending changes
    event_id = new_id()
    row = {"id": event_id, "type": event_type, "payload": payload, "created_at": clock.now()}
    (await driver(session)).insert(OutboxEvent.__table__, [row])  # type: ignore[arg-type]
    if _wakeup is not None:
        _wakeup.set()
    return event_id


async def _handle(db: Database, event: Event, consumer: str, handler: Handler) -> None:
    async with db.transaction() as session:
        try:
            async with session.begin_nested():
                await session.execute(
                    insert(HandledEvent).values(
                        consumer=consumer, event_id=event.id, handled_at=clock.now()
                    )
                )
        except IntegrityError:
            return  # already handled by this consumer
        await handler(session, event)


async def relay_once(db: Database, batch: int = 100) -> int:
    """Deliver up to ``batch`` due events to their handlers; returns how many were published."""
    now = clock.now()
    async with db.transaction(write=False) as session:
        rows = (
            (
                await session.execute(
                    select(OutboxEvent)
                    .where(OutboxEvent.published_at.is_(None))
                    .where(
                        (OutboxEvent.next_attempt_at.is_(None))
                        | (OutboxEvent.next_attempt_at <= now)
                    )
                    .order_by(OutboxEvent.id)
                    .limit(batch)
                )
            )
            .scalars()
            .all()
        )
    published = 0
    for row in rows:
        event = Event(row.id, row.type, dict(row.payload), row.created_at)
        error: str | None = None
        for consumer, handler in list(_subscribers.get(event.type, [])):
            try:
                await _handle(db, event, consumer, handler)
            except Exception as exc:  # a failing handler is retried later, others go on
                log.exception("handler %s failed on %s %s", consumer, event.type, event.id)
                error = f"{consumer}: {type(exc).__name__}: {exc}"
        async with db.transaction() as session:
            if error is None:
                await session.execute(
                    update(OutboxEvent)
                    .where(OutboxEvent.id == event.id)
                    .values(published_at=clock.now())
                )
                published += 1
            else:
                attempts = row.attempts + 1
                await session.execute(
                    update(OutboxEvent)
                    .where(OutboxEvent.id == event.id)
                    .values(
                        attempts=attempts,
                        last_error=error[:2000],
                        next_attempt_at=clock.now() + timedelta(seconds=min(2**attempts, 300)),
                    )
                )
        if error is None:
            for listener in _listeners:
                try:
                    await listener(event)
                except Exception:
                    log.exception("listener failed on %s", event.type)
    return published


async def drain(db: Database, max_rounds: int = 50) -> int:
    """Relay until nothing is due (tests, CLI). Events emitted by handlers are relayed too."""
    total = 0
    for _ in range(max_rounds):
        n = await relay_once(db)
        total += n
        if n == 0:
            break
    return total


async def run_relay(db: Database, poll_seconds: float = 0.5) -> None:
    """The relay loop of the embedded deployment and of ``kirana worker``."""
    global _wakeup
    _wakeup = asyncio.Event()
    while True:
        try:
            await relay_once(db)
        except Exception:
            log.exception("outbox relay round failed")
        _wakeup.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_wakeup.wait(), timeout=poll_seconds)
