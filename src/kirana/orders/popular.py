"""What sells at a store: its shelves for "Popular near you" and "Offers for you", ranked by
the units its recent paid orders took, in stock only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.config import Settings
from kirana.kit import clock
from kirana.orders import repository as repo

RECENT = timedelta(days=30)
RANKED = 200  # how many best sellers are ranked; the rest of the shelf follows by name


async def popular_products(
    session: AsyncSession, settings: Settings, store_id: str, *, on_offer: bool, limit: int
) -> dict[str, Any]:
    """The store's in-stock products, best sellers of the last 30 days first (``on_offer``:
    only those priced under MRP); a store without sales shows its shelf by name."""
    ranked = await repo.best_sellers(session, store_id, clock.now() - RECENT, RANKED)
    items = await catalog.in_stock_items(
        session, settings, store_id, ranked, on_offer=on_offer, limit=limit
    )
    return {"items": items, "next_cursor": None}
