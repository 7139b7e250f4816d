"""Migration 0009 carries each coupon's size into the column named for its unit, both ways."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from kirana.kit.migrate import alembic_config, upgrade
from tests.conftest import CI, PG_DSN, WORKER, _pg_admin, _pg_url

_COUPONS = [
    # (code, kind, value as stored before 0009) -> (amount_off, percent_off) after it
    ("FLAT40", "flat", 4_000, (4_000, None)),
    ("FORM50", "percent", 50, (None, 50)),  # the admin form's whole percent
    ("API1250", "percent", 1_250, (None, 13)),  # basis points from the API, half up
    ("API10000", "percent", 10_000, (None, 100)),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'kirana.db'}"
        return
    name = f"km_{WORKER}_{os.getpid()}"
    try:
        asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        asyncio.run(_pg_admin(f"CREATE DATABASE {name}"))
    except OSError as exc:
        if CI:
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable at {PG_DSN}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_DSN}")
    try:
        yield _pg_url(name)
    finally:
        asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def _rows(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            return [tuple(r) for r in (await conn.execute(text(statement))).all()]
    finally:
        await engine.dispose()


def test_coupon_values_move_to_named_units(empty_db_url: str) -> None:
    from alembic import command

    upgrade(empty_db_url, "0008")
    values = ", ".join(
        f"('{code}', '{code}', '', '{kind}', {value}, 0, false, true, 0,"
        " '2026-12-01 00:00:00+00:00', '2026-12-01 00:00:00+00:00')"
        for code, kind, value, _ in _COUPONS
    )
    asyncio.run(
        _rows(
            empty_db_url,
            "INSERT INTO coupons (id, code, description, kind, value, min_cart,"
            " first_order_only, is_active, redeemed_count, created_at, updated_at)"
            f" VALUES {values} RETURNING id",
        )
    )
    upgrade(empty_db_url, "0009")
    after = asyncio.run(
        _rows(empty_db_url, "SELECT code, amount_off, percent_off FROM coupons ORDER BY code")
    )
    assert after == sorted((code, *units) for code, _, _, units in _COUPONS)

    command.downgrade(alembic_config(empty_db_url), "0008")
    back = asyncio.run(_rows(empty_db_url, "SELECT code, value FROM coupons ORDER BY code"))
    assert back == sorted(
        [("FLAT40", 4_000), ("FORM50", 5_000), ("API1250", 1_300), ("API10000", 10_000)]
    )
