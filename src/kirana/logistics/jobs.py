"""Scheduled jobs of the logistics service."""

from __future__ import annotations

from kirana.config import Settings
from kirana.kit.db import Database
from kirana.logistics import handlers as _handlers  # noqa: F401  (the worker relays to them)
from kirana.logistics import service


async def dispatch_waiting_deliveries(db: Database, settings: Settings) -> int:
    """Assign waiting orders to idle riders: catches a wakeup lost to a concurrent change."""
    async with db.transaction() as session:
        return await service.sweep_waiting(session)


async def replan_trips(db: Database, settings: Settings) -> int:
    """Plan again the trips of riders gone offline or silent, or late at the store."""
    async with db.transaction() as session:
        return await service.replan_trips(session)
