"""The relay in batches: each consumer's effects exactly once, an order's events in order,
consumers independent of each other, and nothing spent on events no one subscribes to."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from kirana.kit import clock, outbox
from kirana.kit.db import Database
from kirana.kit.outbox import Event, OutboxEvent, drain, emit, relay_once, subscribe
from tests.kit.relays import race_two_relays

TYPE = "test.step_taken"
_seq = itertools.count()  # the order in which handlers ran; rolled-back runs leave no row


@pytest.fixture
async def effects(db: Database) -> None:
    """A table the test consumers write to in their own transaction: what commits counts."""
    async with db.transaction() as session:
        await session.execute(
            text(
                "CREATE TABLE relay_effects"
                " (consumer TEXT, event_id TEXT, order_key TEXT, n INT, seq INT)"
            )
        )


async def _effect(session, consumer: str, event: Event) -> None:  # type: ignore[no-untyped-def]
    await session.execute(
        text("INSERT INTO relay_effects VALUES (:c, :e, :k, :n, :s)"),
        {"c": consumer, "e": event.id, "k": event.key, "n": event.payload["n"], "s": next(_seq)},
    )


async def _effects(db: Database, consumer: str) -> list[tuple[str, int]]:
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            text("SELECT order_key, n FROM relay_effects WHERE consumer = :c ORDER BY seq"),
            {"c": consumer},
        )
        return [(r[0], r[1]) for r in rows]


async def _emit_steps(db: Database, orders: int, steps: int) -> None:
    async with db.transaction() as session:
        for step in range(steps):
            for o in range(orders):
                await emit(session, TYPE, {"order_id": f"order-{o}", "n": step})


@pytest.fixture
def consumers() -> Iterator[dict[str, int]]:
    """Three consumers: a steady one, one that fails every other call, one that fails order-1's
    first step once."""
    calls = {"steady": 0, "flaky": 0, "stuck": 0}

    @subscribe(TYPE, consumer="test.steady")
    async def steady(session, event: Event) -> None:  # type: ignore[no-untyped-def]
        calls["steady"] += 1
        await _effect(session, "steady", event)

    @subscribe(TYPE, consumer="test.flaky")
    async def flaky(session, event: Event) -> None:  # type: ignore[no-untyped-def]
        calls["flaky"] += 1
        await _effect(session, "flaky", event)  # written, then rolled back with the failure
        if calls["flaky"] % 2:
            raise RuntimeError("every other call fails")

    @subscribe(TYPE, consumer="test.stuck")
    async def stuck(session, event: Event) -> None:  # type: ignore[no-untyped-def]
        calls["stuck"] += 1
        if event.key == "order-1" and event.payload["n"] == 0 and calls["stuck"] < 10:
            raise RuntimeError("order-1 step 0 is not ready")
        await _effect(session, "stuck", event)

    yield calls
    outbox._subscribers.pop(TYPE, None)


def _in_order_once(effects: list[tuple[str, int]], orders: int, steps: int) -> None:
    per_order: dict[str, list[int]] = {}
    for key, n in effects:
        per_order.setdefault(key, []).append(n)
    assert per_order == {f"order-{o}": list(range(steps)) for o in range(orders)}


async def _drain_with_retries(db: Database, rounds: int = 40) -> None:
    for _ in range(rounds):
        await drain(db)
        async with db.transaction(write=False) as session:
            left = await session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(OutboxEvent.published_at.is_(None))
            )
        if not left:
            return
        clock.advance(timedelta(seconds=301))  # past every backoff
    raise AssertionError("events left unpublished")


async def test_each_effect_once_and_in_order_despite_failures(
    db: Database, effects: None, consumers: dict[str, int]
) -> None:
    await _emit_steps(db, orders=5, steps=4)
    await relay_once(db)
    # The steady consumer is not held back by the others' failures.
    _in_order_once(await _effects(db, "steady"), orders=5, steps=4)
    # The stuck consumer did every order but order-1, whose later steps wait for step 0.
    done = await _effects(db, "stuck")
    assert [n for key, n in done if key == "order-1"] == []
    assert sorted(done) == sorted((f"order-{o}", n) for o in (0, 2, 3, 4) for n in range(4))
    await _drain_with_retries(db)
    for name in ("steady", "flaky", "stuck"):
        _in_order_once(await _effects(db, name), orders=5, steps=4)
    assert consumers["steady"] == 20  # never redone


async def test_two_relays_racing_handle_each_event_once(
    db: Database, effects: None, consumers: dict[str, int]
) -> None:
    await _emit_steps(db, orders=20, steps=5)
    await race_two_relays(db, batch=15, rounds=40, advance=timedelta(seconds=301))
    for name in ("steady", "flaky", "stuck"):
        _in_order_once(await _effects(db, name), orders=20, steps=5)


async def test_events_nobody_wants_cost_no_statement_each(db: Database, count_queries) -> None:  # type: ignore[no-untyped-def]
    async with db.transaction() as session:
        for n in range(50):
            await emit(session, "test.nobody_listens", {"order_id": f"o{n}", "n": n})
    count_queries.statements.clear()
    assert await relay_once(db) == 50
    assert count_queries.count <= 3  # claim, the batch's earlier events, one update
    async with db.transaction(write=False) as session:
        left = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))
        )
    assert left == 0


async def test_a_batch_consumer_takes_its_share_in_one_call_and_finds_a_failing_event(
    db: Database, effects: None
) -> None:
    calls: list[int] = []

    @outbox.subscribe_batch(TYPE, consumer="test.batched")
    async def batched(session, events: list[Event]) -> None:  # type: ignore[no-untyped-def]
        calls.append(len(events))
        for event in events:
            await _effect(session, "batched", event)
            if event.key == "order-2" and event.payload["n"] == 0 and len(calls) < 8:
                raise RuntimeError("order-2 step 0 is not ready")

    try:
        await _emit_steps(db, orders=4, steps=3)
        await relay_once(db)
        # One call for the share, which failed; then one event at a time: order-2's first
        # step fails and its later steps wait; every other order is done, in order, once.
        assert calls[0] == 12 and set(calls[1:]) == {1}
        done = await _effects(db, "batched")
        assert sorted(done) == sorted((f"order-{o}", n) for o in (0, 1, 3) for n in range(3))
        await _drain_with_retries(db)
        _in_order_once(await _effects(db, "batched"), orders=4, steps=3)
        assert calls[-1] == 3  # order-2's steps, retried together
    finally:
        outbox._subscribers.pop(TYPE, None)
        outbox._batched.pop("test.batched", None)


async def test_another_processs_commit_wakes_the_relay_at_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the emitting transaction NOTIFYs at commit and the relay LISTENs, so it
    needs no poll to find an event another process wrote; SQLite's relay finds it at its poll."""
    handled = asyncio.Event()

    @subscribe("test.woken", consumer="test.woken")
    async def woken(session, event: Event) -> None:  # type: ignore[no-untyped-def]
        handled.set()

    poll = 0.3 if db.is_sqlite else 60.0
    stopping = asyncio.Event()
    relay = asyncio.create_task(outbox.run_relay(db, poll_seconds=poll, stopping=stopping))
    other = Database(db.url, pool_size=2)  # another process: its emits cannot wake() ours
    monkeypatch.setattr(outbox, "wake", lambda: None)
    try:
        await asyncio.sleep(0.5)  # the relay's first round, then it waits
        started = asyncio.get_running_loop().time()
        async with other.transaction() as session:
            await emit(session, "test.woken", {"order_id": "o1"})
            await emit(session, "test.woken", {"order_id": "o2"})  # one NOTIFY for both
        await asyncio.wait_for(handled.wait(), timeout=5)
        assert asyncio.get_running_loop().time() - started < 2.0
    finally:
        stopping.set()  # the relay returns at once, not at its next poll
        await asyncio.wait_for(relay, timeout=2)
        await other.dispose()
        outbox._subscribers.pop("test.woken", None)
