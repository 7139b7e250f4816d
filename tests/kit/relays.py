"""Two relays racing for one outbox, as two workers do, until every event is published."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.outbox import backlog, relay_once


async def race_two_relays(db: Database, *, batch: int, rounds: int, advance: timedelta) -> None:
    """Rounds of two relays side by side (a second pool: another worker), the clock moved by
    ``advance`` between rounds for events that wait; fails if any is left unpublished."""
    other = Database(db.url, pool_size=10)
    try:
        for _ in range(rounds):
            await asyncio.gather(relay_once(db, batch=batch), relay_once(other, batch=batch))
            async with db.transaction(write=False) as session:
                if (await backlog(session))[0] == 0:
                    return
            clock.advance(advance)
        raise AssertionError("events left unpublished")
    finally:
        await other.dispose()
