"""Background tasks run inside the API process in the embedded deployment (``kirana up``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from kirana.config import Settings
from kirana.kit.db import Database

Job = Callable[[Database, Settings], Awaitable[None]]

# Long-running loops started with the app; services' workers register here (see worker/jobs.py).
JOBS: list[Job] = []


def start(db: Database, settings: Settings) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(job(db, settings)) for job in JOBS]


async def stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
