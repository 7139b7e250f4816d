"""A relay in a process of its own, for the fault tests: ``python -m tests.kit.relay_worker URL
LOG [REDIS_URL STREAM]``. Two consumers write to ``relay_effects``; the slow one notes in LOG
each event it starts, so a test can kill the process in the middle of a batch. With a Redis URL
and a stream it is a worker of the Redis-stream broker; without, the database relay."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sqlalchemy import text

from kirana.kit.db import Database
from kirana.kit.outbox import Event, run_relay, subscribe
from kirana.kit.streams import StreamRelay

FAULT_TYPE = "test.fault_step"


def register(log: Path | None, delay: float) -> None:
    async def write(session, consumer: str, event: Event) -> None:  # type: ignore[no-untyped-def]
        await session.execute(
            text("INSERT INTO relay_effects VALUES (:c, :e, :k, :n)"),
            {"c": consumer, "e": event.id, "k": event.key, "n": event.payload["n"]},
        )

    @subscribe(FAULT_TYPE, consumer="test.fast")
    async def fast(session, event: Event) -> None:  # type: ignore[no-untyped-def]
        await write(session, "fast", event)

    @subscribe(FAULT_TYPE, consumer="test.slow")
    async def slow(session, event: Event) -> None:  # type: ignore[no-untyped-def]
        if log is not None:
            with log.open("a") as f:
                f.write(event.id + "\n")
        await asyncio.sleep(delay)
        await write(session, "slow", event)


async def main(url: str, log: Path, redis_url: str | None, stream: str | None) -> None:
    register(log, delay=0.02)
    db = Database(url, pool_size=5)
    if redis_url and stream:
        relay = StreamRelay(db, redis_url, stream=stream, batch=20, poll_seconds=0.05)
        await relay.run(asyncio.Event())
    else:
        await run_relay(db, poll_seconds=0.05, batch=20)


if __name__ == "__main__":
    extra = [*sys.argv[3:5], None, None]
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), extra[0], extra[1]))
