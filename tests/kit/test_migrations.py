"""The migrations build exactly the tables, indexes and constraints the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import kirana.models  # noqa: F401  (every service's tables on Base.metadata)
from kirana.kit.db import Base, Database
from kirana.kit.migrate import include_object


async def test_models_and_migrations_agree(db: Database) -> None:
    async with db.engine.connect() as conn:
        differences = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"include_object": include_object}),
                Base.metadata,
            )
        )
    assert differences == []


async def test_no_database_functions_are_left_behind(db: Database) -> None:
    """The schema holds tables, indexes and constraints only: no function of ours on
    PostgreSQL (0012 drops the one the removed write batching used; pg_trgm's own functions
    belong to the extension). On SQLite the only triggers keep search's FTS5 tables."""
    if db.is_sqlite:
        async with db.engine.connect() as conn:
            kinds = (await conn.execute(text("SELECT DISTINCT type FROM sqlite_master"))).scalars()
            assert set(kinds) <= {"table", "index", "trigger"}
            triggers = await conn.execute(
                text("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'")
            )
            assert set(triggers.scalars()) <= {"search_words", "search_documents"}
        return
    async with db.engine.connect() as conn:
        ours = await conn.execute(
            text(
                "SELECT proname FROM pg_proc JOIN pg_namespace ns ON ns.oid = pronamespace"
                " WHERE ns.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_depend d"
                " WHERE d.objid = pg_proc.oid AND d.deptype = 'e')"
            )
        )
        assert list(ours.scalars()) == []
