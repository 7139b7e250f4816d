"""Request ids, per-route metrics and JSON logs: what an operator reads when something is slow
or failing, and which request caused which event."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import structlog

from kirana.kit import outbox
from kirana.kit.db import Database
from kirana.kit.migrate import upgrade
from kirana.kit.outbox import Event, drain
from tests import factories
from tests.ops.servers import Replica, metric_sum


async def test_a_request_id_is_answered_and_a_bad_one_replaced(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz", headers={"X-Request-ID": "edge-42.a"})
    assert r.headers["x-request-id"] == "edge-42.a"
    r = await client.get("/healthz", headers={"X-Request-ID": "no spaces\nor newlines"})
    assert r.headers["x-request-id"] != "no spaces\nor newlines"
    assert len(r.headers["x-request-id"]) == 26  # a new id instead
    assert (await client.get("/healthz")).headers["x-request-id"]


async def test_metrics_count_requests_by_route_template(
    db: Database, client: httpx.AsyncClient
) -> None:
    store = await factories.make_store(db)
    before = (await client.get("/metrics")).text
    for _ in range(3):
        await client.get(f"/api/v1/stores/{store}/products")
    await client.get("/api/v1/stores/no-such-store/products")
    await client.get("/no/such/page")  # the web app's page answers any path
    text = (await client.get("/metrics")).text
    route = "/api/v1/stores/{store_id}/products"

    def grew(**labels: str) -> float:
        name = "kirana_http_requests_total"
        return metric_sum(text, name, **labels) - metric_sum(before, name, **labels)

    assert grew(route=route, status="200") == 3
    assert grew(route=route, status="404") == 1
    assert grew(route="/{path:path}") == 1
    assert store not in text  # ids never become label values
    assert "kirana_http_request_duration_seconds_bucket" in text


async def test_an_event_carries_the_request_that_caused_it(
    db: Database, client: httpx.AsyncClient
) -> None:
    seen: list[dict[str, object]] = []

    async def record(_session: object, event: Event) -> None:
        seen.append(dict(structlog.contextvars.get_contextvars()))

    admin = await factories.login(client, await factories.make_user(db, role="admin"))
    store = await factories.make_store(db)
    product = await factories.make_product(db, await factories.make_category(db))
    outbox.subscribe("stock.changed", "test-telemetry")(record)
    try:
        r = await client.put(
            f"/api/v1/admin/stores/{store}/stock/{product}",
            json={"on_hand": 5},
            headers={**admin, "X-Request-ID": "restock-7"},
        )
        assert r.status_code == 200, r.text
        await drain(db)
    finally:
        outbox._subscribers["stock.changed"] = [
            s for s in outbox._subscribers["stock.changed"] if s[0] != "test-telemetry"
        ]
    assert seen and seen[0]["request_id"] == "restock-7"
    assert seen[0]["event_type"] == "stock.changed"


def test_json_logs_and_metrics_over_two_worker_processes(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kirana.db'}"
    upgrade(url)
    replica = Replica(url, tmp_path, workers=2, KIRANA_LOG_FORMAT="json").start()
    try:
        sent = 40
        for n in range(sent):  # a new connection each: both workers take some
            with httpx.Client() as c:
                assert c.get(f"{replica.base}/healthz", headers={"X-Request-ID": f"r{n}"})
        for _ in range(5):  # whichever worker answers the scrape, it adds up both
            text = httpx.get(f"{replica.base}/metrics", timeout=5).text
            got = metric_sum(text, "kirana_http_requests_total", route="/healthz")
            assert got >= sent, text[:2000]
    finally:
        replica.stop()
    lines = [json.loads(line) for line in replica.log.read_text().splitlines() if line[:1] == "{"]
    requests = [line for line in lines if line.get("event") == "request"]
    assert {"r0", "r39"} <= {line.get("request_id") for line in requests}
    first = next(line for line in requests if line.get("request_id") == "r0")
    assert first["route"] == "/healthz" and first["status"] == 200 and "timestamp" in first
    pids = {line.get("process") for line in requests}
    assert len(pids) == 2, "both worker processes served (and logged)"
