"""A relay killed with SIGKILL in the middle of a batch loses nothing and doubles nothing."""

from __future__ import annotations

from pathlib import Path

from kirana.kit import outbox
from kirana.kit.db import Database
from kirana.kit.outbox import drain
from tests.kit.faults import count, effect_counts, emit_steps, kill_mid_batch
from tests.kit.relay_worker import FAULT_TYPE, register

ORDERS, STEPS = 10, 20


async def test_killed_mid_batch_relay_loses_and_doubles_nothing(
    db: Database, tmp_path: Path
) -> None:
    await emit_steps(db, ORDERS, STEPS)
    assert await kill_mid_batch(db, tmp_path / "started.log") < ORDERS * STEPS

    register(None, delay=0)  # the same consumers, here: finish what the dead process left
    try:
        await drain(db)
    finally:
        outbox._subscribers.pop(FAULT_TYPE, None)
    assert await count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
    counts = await effect_counts(db)
    assert len(counts) == 2 * ORDERS * STEPS  # every effect of both consumers...
    assert set(counts) == {1}  # ...exactly once
