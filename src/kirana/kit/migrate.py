"""Apply Alembic migrations programmatically (``kirana migrate``, ``kirana up``, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[3]

# What migrations make in SQL of their own, which the models cannot declare: SQLite's FTS5
# tables (with their shadow tables) and PostgreSQL's GIN indexes of catalog search.
_BY_HAND_PREFIXES = ("search_words_fts", "search_documents_fts")
_BY_HAND_INDEXES = {"ix_search_words_trgm", "ix_search_documents_tsv"}


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's filter: leave out of comparisons what migrations make by hand."""
    if name is None:
        return True
    return not (name.startswith(_BY_HAND_PREFIXES) or name in _BY_HAND_INDEXES)


def alembic_config(database_url: str) -> Config:
    ini = ROOT / "alembic.ini"
    if not ini.is_file():
        raise FileNotFoundError(
            f"alembic.ini not found at {ini}; install Kirana from its source tree (pip install -e .)"
        )
    config = Config(str(ini))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def head_revision() -> str | None:
    """The newest migration in the source tree."""
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


async def is_current(database_url: str) -> bool:
    """Whether the database has every migration applied (False on a database never migrated)."""
    from kirana.kit.db import make_engine

    engine = make_engine(database_url, pool_size=0)
    try:
        async with engine.connect() as conn:
            current = await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()
    return current is not None and current == head_revision()
