"""A relay killed with SIGKILL in the middle of a batch loses nothing and doubles nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, text

from kirana.kit import outbox
from kirana.kit.db import Database
from kirana.kit.outbox import OutboxEvent, drain, emit
from tests.kit.relay_worker import FAULT_TYPE, register

ROOT = Path(__file__).resolve().parents[2]
ORDERS, STEPS = 10, 20


async def _count(db: Database, sql: str) -> int:
    async with db.transaction(write=False) as session:
        return int(await session.scalar(text(sql)) or 0)


async def test_killed_mid_batch_relay_loses_and_doubles_nothing(
    db: Database, tmp_path: Path
) -> None:
    async with db.transaction() as session:
        await session.execute(
            text("CREATE TABLE relay_effects (consumer TEXT, event_id TEXT, order_key TEXT, n INT)")
        )
        for step in range(STEPS):
            for o in range(ORDERS):
                await emit(session, FAULT_TYPE, {"order_id": f"order-{o}", "n": step})
    started = tmp_path / "started.log"
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.kit.relay_worker",
        db.url,
        str(started),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        # Kill once the slow consumer has committed a batch and is inside the next one.
        while time.monotonic() < deadline:
            slow = await _count(db, "SELECT count(*) FROM relay_effects WHERE consumer = 'slow'")
            begun = len(started.read_text().split()) if started.exists() else 0
            if slow >= 20 and begun > slow + 2:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the relay process made no progress")
        worker.send_signal(signal.SIGKILL)
        await asyncio.wait_for(worker.wait(), 10)
    finally:
        if worker.returncode is None:
            worker.kill()
    committed = await _count(db, "SELECT count(*) FROM relay_effects WHERE consumer = 'slow'")
    assert committed < len(started.read_text().split())  # it died with work in flight
    assert committed < ORDERS * STEPS

    register(None, delay=0)  # the same consumers, here: finish what the dead process left
    try:
        await drain(db)
    finally:
        outbox._subscribers.pop(FAULT_TYPE, None)
    async with db.transaction(write=False) as session:
        left = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))
        )
        rows = (
            await session.execute(
                text(
                    "SELECT consumer, order_key, n, count(*) FROM relay_effects"
                    " GROUP BY consumer, order_key, n"
                )
            )
        ).all()
    assert left == 0
    assert len(rows) == 2 * ORDERS * STEPS  # every effect of both consumers...
    assert {r[3] for r in rows} == {1}  # ...exactly once
