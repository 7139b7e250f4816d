"""The migrations build exactly the tables, indexes and constraints the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import kirana.models  # noqa: F401  (every service's tables on Base.metadata)
from kirana.kit.db import Base, Database


async def test_models_and_migrations_agree(db: Database) -> None:
    async with db.engine.connect() as conn:
        differences = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert differences == []
