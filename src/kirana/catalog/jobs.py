"""Scheduled jobs of the catalog service (search's upkeep)."""

from __future__ import annotations

from kirana.catalog import search_repository as srepo
from kirana.catalog import service
from kirana.config import Settings
from kirana.kit.db import Database

INDEX_BATCH = 5000


async def index_unindexed_products(db: Database, settings: Settings) -> int:
    """Index products that have no search document (a database migrated with products already
    in it, or rows loaded behind the service's back); every write through the service indexes
    at once, so this usually finds nothing."""
    async with db.transaction() as session:
        missing = await srepo.unindexed_product_ids(session, INDEX_BATCH)
        return await service.reindex_products(session, missing) if missing else 0


async def flush_search_stats(db: Database, settings: Settings) -> int:
    """Write the searches this process counted (every API process runs this)."""
    async with db.transaction() as session:
        return await service.flush_search_stats(session, settings)
