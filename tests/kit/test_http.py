"""Health, readiness and problem+json for routes and methods that do not exist."""

from __future__ import annotations

import httpx


async def test_health_and_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    head = await client.head("/healthz")
    assert head.status_code == 200 and head.content == b""
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json()["checks"]["database"] == "ok"


async def test_unknown_route_and_method_are_problems(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "not_found"
    r = await client.delete("/api/v1/auth/login")
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"


async def test_openapi_has_stable_operation_ids(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    ops = [op.get("operationId") for path in doc["paths"].values() for op in path.values()]
    assert all(ops) and len(ops) == len(set(ops))
    assert "login" in ops and "register" in ops


async def test_client_config_has_no_tiles_by_default(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/config")
    assert r.status_code == 200
    config = r.json()
    assert config.pop("payments")["card"]["provider"] == "sandbox"  # tests/payments has the rest
    assert config == {
        "tile_url": None,
        "currency": "EUR",
        "locale": "en-FI",
        "phone_region": "FI",
        "phone_example": "+358412345678",
        "time_zone": "Europe/Helsinki",
    }
