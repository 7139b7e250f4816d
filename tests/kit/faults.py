"""The fault tests' common steps: a stream of events for the consumers of ``relay_worker``, a
relay process started and killed with SIGKILL in the middle of a batch, and the effects
counted."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from sqlalchemy import text

from kirana.kit.db import Database
from kirana.kit.outbox import emit
from tests.kit.relay_worker import FAULT_TYPE

ROOT = Path(__file__).resolve().parents[2]


async def count(db: Database, sql: str) -> int:
    async with db.transaction(write=False) as session:
        return int(await session.scalar(text(sql)) or 0)


async def emit_steps(db: Database, orders: int, steps: int) -> None:
    """``steps`` events for each of ``orders`` orders, and the table their effects go to."""
    async with db.transaction() as session:
        await session.execute(
            text("CREATE TABLE relay_effects (consumer TEXT, event_id TEXT, order_key TEXT, n INT)")
        )
        for step in range(steps):
            for o in range(orders):
                await emit(session, FAULT_TYPE, {"order_id": f"order-{o}", "n": step})


async def kill_mid_batch(db: Database, started: Path, *worker_args: str) -> int:
    """Run ``tests.kit.relay_worker`` and SIGKILL it once its slow consumer has committed a
    batch and is inside the next one; returns the slow consumer's committed effects."""
    worker = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "tests.kit.relay_worker", db.url, str(started), *worker_args),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    slow = "SELECT count(*) FROM relay_effects WHERE consumer = 'slow'"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            committed = await count(db, slow)
            begun = _begun(started)
            if committed >= 20 and begun > committed + 2:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the relay process made no progress")
        worker.send_signal(signal.SIGKILL)
        await asyncio.wait_for(worker.wait(), 10)
    finally:
        if worker.returncode is None:
            worker.kill()
    committed = await count(db, slow)
    assert committed < _begun(started)  # it died with work in flight
    return committed


def _begun(started: Path) -> int:
    """Events the slow consumer of the worker started."""
    return len(started.read_text().split()) if started.exists() else 0


async def effect_counts(db: Database) -> list[int]:
    """How many times each (consumer, order, step) took effect."""
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            text(
                "SELECT count(*) FROM relay_effects GROUP BY consumer, order_key, n"
                " ORDER BY consumer, order_key, n"
            )
        )
        return [int(r[0]) for r in rows]
