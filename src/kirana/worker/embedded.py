"""Background tasks run inside the API process in the embedded deployment (``kirana up``)."""

from __future__ import annotations

import asyncio

from kirana.config import Settings
from kirana.kit.db import Database
from kirana.worker.jobs import JOBS, REQUEST_SIDE_JOBS


def start(db: Database, settings: Settings) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(job(db, settings)) for job in JOBS]


def start_request_side(db: Database, settings: Settings) -> list[asyncio.Task[None]]:
    """What an API process without workers (``kirana serve``) still runs for itself."""
    return [asyncio.create_task(job(db, settings)) for job in REQUEST_SIDE_JOBS]


async def stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
