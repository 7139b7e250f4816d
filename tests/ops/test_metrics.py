"""/metrics and the admin's backlog view show how far the event relay is behind."""

from __future__ import annotations

from datetime import timedelta

import httpx

from kirana.kit import clock
from kirana.kit.db import Database
from kirana.kit.outbox import drain, emit
from tests import factories


def _sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


async def test_metrics_and_admin_show_the_outbox_backlog(
    db: Database, client: httpx.AsyncClient
) -> None:
    admin = await factories.login(client, await factories.make_user(db, role="admin"))
    async with db.transaction() as session:
        await emit(session, "test.nobody_listens", {"n": 1})
        await emit(session, "test.nobody_listens", {"n": 2})
    clock.advance(timedelta(seconds=45))

    r = await client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert _sample(r.text, "kirana_outbox_backlog") >= 2  # logins may emit events too
    assert _sample(r.text, "kirana_outbox_oldest_unpublished_age_seconds") >= 45

    r = await client.get("/api/v1/admin/outbox", headers=admin)
    assert r.status_code == 200
    body = r.json()
    assert body["unpublished"] >= 2 and body["stale"] is True
    assert body["oldest_age_seconds"] >= 45

    await drain(db)
    r = await client.get("/api/v1/admin/outbox", headers=admin)
    assert r.json() == {
        "unpublished": 0,
        "oldest_created_at": None,
        "oldest_age_seconds": 0.0,
        "stale": False,
    }
    assert _sample((await client.get("/metrics")).text, "kirana_outbox_backlog") == 0


async def test_only_admins_see_the_backlog(db: Database, client: httpx.AsyncClient) -> None:
    customer = await factories.login(client, await factories.make_user(db))
    assert (await client.get("/api/v1/admin/outbox")).status_code == 401
    r = await client.get("/api/v1/admin/outbox", headers=customer)
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
