"""The outbox relays each event once per consumer, retries failures, and loses nothing on rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kirana.kit import outbox
from kirana.kit.db import Database
from kirana.kit.outbox import Event, HandledEvent, OutboxEvent, drain, emit, subscribe


@pytest.fixture
def seen() -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []
    failing = {"left": 1}

    @subscribe("test.thing_happened", consumer="test.recorder")
    async def record(session, event: Event) -> None:  # type: ignore[no-untyped-def]
        calls.append(("recorder", event.payload["n"]))

    @subscribe("test.thing_happened", consumer="test.flaky")
    async def flaky(session, event: Event) -> None:  # type: ignore[no-untyped-def]
        if failing["left"]:
            failing["left"] -= 1
            raise RuntimeError("transient")
        calls.append(("flaky", event.payload["n"]))

    yield calls
    outbox._subscribers.pop("test.thing_happened", None)


async def test_each_consumer_once_and_failures_retried(db: Database, seen: list) -> None:
    async with db.transaction() as session:
        await emit(session, "test.thing_happened", {"n": "1"})
    await outbox.relay_once(db)
    assert seen == [("recorder", "1")]  # flaky failed once
    async with db.transaction(write=False) as session:
        row = (await session.execute(select(OutboxEvent))).scalar_one()
    assert row.published_at is None and row.attempts == 1 and "transient" in (row.last_error or "")
    # Due again later: only the failed consumer runs; the recorder is not called twice.
    from datetime import timedelta

    from kirana.kit import clock

    clock.advance(timedelta(seconds=5))
    await drain(db)
    assert seen == [("recorder", "1"), ("flaky", "1")]
    async with db.transaction(write=False) as session:
        handled = (await session.execute(select(HandledEvent.consumer))).scalars().all()
        row = (await session.execute(select(OutboxEvent))).scalar_one()
    assert sorted(handled) == ["test.flaky", "test.recorder"]
    assert row.published_at is not None
    assert await drain(db) == 0


async def test_rolled_back_change_emits_nothing(db: Database, seen: list) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await emit(session, "test.thing_happened", {"n": "2"})
            raise RuntimeError("the change failed")
    assert await drain(db) == 0
    assert seen == []


async def test_consumers_of_a_batch_take_turns_on_sqlite_only(db: Database) -> None:
    """SQLite has one writer: consumers side by side would only wait out each other's lock
    in the busy handler's sleeps, so there they run in turn; PostgreSQL runs them together."""
    import asyncio

    steps: list[str] = []
    entered: set[str] = set()
    both_in = asyncio.Event()

    def consumer(name: str):  # type: ignore[no-untyped-def]
        @subscribe("test.turns", consumer=f"test.{name}")
        async def handle(session, event: Event) -> None:  # type: ignore[no-untyped-def]
            steps.append(f"{name} in")
            entered.add(name)
            if len(entered) == 2:
                both_in.set()
            if db.is_sqlite:
                await asyncio.sleep(0.01)
            else:  # each waits for the other: only consumers side by side can both finish
                await asyncio.wait_for(both_in.wait(), 30)
            steps.append(f"{name} out")

    consumer("a")
    consumer("b")
    try:
        async with db.transaction() as session:
            await emit(session, "test.turns", {})
        assert await outbox.relay_once(db) == 1
    finally:
        outbox._subscribers.pop("test.turns", None)
    if db.is_sqlite:
        assert steps == ["a in", "a out", "b in", "b out"]
    else:
        assert sorted(steps[:2]) == ["a in", "b in"]  # both open before either ends
