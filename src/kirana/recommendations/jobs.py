"""Scheduled jobs of the recommendations service."""

from __future__ import annotations

from kirana.config import Settings
from kirana.kit.db import Database
from kirana.recommendations import service

REBUILD_SECONDS = 600


async def rebuild_models(db: Database, settings: Settings) -> dict[str, int]:
    """Rebuild every model from order history (each paid order also refreshes its own rows at
    once, through the handler)."""
    async with db.transaction() as session:
        return await service.rebuild(session)
