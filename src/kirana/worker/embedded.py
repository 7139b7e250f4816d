"""Background tasks run inside the API process in the embedded deployment (``kirana up``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from kirana.config import Settings
from kirana.kit.db import Database
from kirana.worker.jobs import JOBS, REQUEST_SIDE_JOBS, Job

# How long the jobs get to finish the round they are in before they are cancelled.
GRACE_SECONDS = 10.0


@dataclass
class Running:
    """The jobs of one process and the event that asks them to stop."""

    tasks: list[asyncio.Task[None]]
    stopping: asyncio.Event = field(default_factory=asyncio.Event)


def _start(db: Database, settings: Settings, jobs: list[Job]) -> Running:
    stopping = asyncio.Event()
    tasks = [asyncio.create_task(job(db, settings, stopping)) for job in jobs]
    return Running(tasks, stopping)


def start(db: Database, settings: Settings) -> Running:
    return _start(db, settings, JOBS)


def start_request_side(db: Database, settings: Settings) -> Running:
    """What an API process without workers (``kirana serve``) still runs for itself."""
    return _start(db, settings, REQUEST_SIDE_JOBS)


async def stop(running: Running, grace: float = GRACE_SECONDS) -> None:
    """Ask every job to stop after its round, then cancel what is still running after
    ``grace``. A job cancelled in the middle of a transaction leaves the database driver to
    tear its connection down (aiosqlite can hang doing so), so cancelling is the last resort."""
    running.stopping.set()
    if running.tasks:
        _, pending = await asyncio.wait(running.tasks, timeout=grace)
        for task in pending:
            task.cancel()
    await asyncio.gather(*running.tasks, return_exceptions=True)
