"""Scheduled jobs of the orders service."""

from __future__ import annotations

from kirana.config import Settings
from kirana.kit.db import Database
from kirana.orders import lifecycle

UNPAID_MINUTES = 15


async def expire_unpaid_orders(db: Database, settings: Settings) -> int:
    """Cancel orders still unpaid after 15 minutes (reason "payment_timeout"), releasing stock."""
    async with db.transaction() as session:
        return await lifecycle.expire_unpaid(session, older_than_minutes=UNPAID_MINUTES)
