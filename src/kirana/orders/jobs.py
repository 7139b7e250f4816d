"""Scheduled jobs of the orders service."""

from __future__ import annotations

from kirana.config import Settings
from kirana.kit.db import Database
from kirana.orders import lifecycle, substitutions
from kirana.orders.state import PAYMENT_WINDOW_MINUTES as WINDOW_MINUTES


async def expire_unpaid_orders(db: Database, settings: Settings) -> int:
    """Cancel orders still unpaid when their payment window closes (reason "payment_timeout"),
    releasing stock and giving the cart back."""
    async with db.transaction() as session:
        return await lifecycle.expire_unpaid(session, older_than_minutes=WINDOW_MINUTES)


async def lapse_substitutions(db: Database, settings: Settings) -> int:
    """Substitutes left unanswered past ``KIRANA_SUBSTITUTION_MINUTES`` lapse, as if declined:
    the line leaves the bill and its money is given back."""
    async with db.transaction() as session:
        return await substitutions.lapse_due(session)
