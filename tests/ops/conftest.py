"""Fixtures of the operations tests: a PostgreSQL database of their own, migrated."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import pg_database


@pytest.fixture(scope="module")
def pg_url(pg_template: str | None) -> Iterator[str]:
    """A migrated PostgreSQL database for processes started by the test (replicas, workers)."""
    if pg_template is None:
        pytest.skip("PostgreSQL is not reachable (under CI=true this fails instead)")
    with pg_database(pg_template) as url:
        yield url
