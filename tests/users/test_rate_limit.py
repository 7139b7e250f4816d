"""Sign-in attempts are rate limited per client address, in process or in Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from redis.asyncio import Redis

from kirana.config import Settings
from kirana.main import create_app

REDIS_URL = os.environ.get("KIRANA_TEST_REDIS", "redis://127.0.0.1:6379/0")
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


async def _redis_up() -> bool:
    client = Redis.from_url(REDIS_URL, socket_timeout=1)
    try:
        return bool(await client.ping())
    except (OSError, ConnectionError, Exception):
        return False
    finally:
        await client.aclose()


@pytest.fixture(params=["memory", "redis"])
async def limited_client(
    request: pytest.FixtureRequest, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    redis_url = None
    if request.param == "redis":
        if not await _redis_up():
            if CI:
                pytest.fail(f"Redis is required under CI=true but unreachable at {REDIS_URL}")
            pytest.skip(f"Redis not reachable at {REDIS_URL}")
        redis_url = REDIS_URL
    app = create_app(
        settings.model_copy(
            update={
                "redis_url": redis_url,
                "auth_rate_limit_per_minute": 3,
                # A long window, so the test never straddles a window boundary.
                "auth_rate_limit_window_seconds": 3600,
                "rate_limit_prefix": f"kirana-test:{uuid.uuid4().hex}:",
            }
        )
    )
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        yield c


async def test_login_attempts_limited(limited_client: httpx.AsyncClient) -> None:
    body = {"phone": "+919812345678", "password": "wrong-password"}
    codes = [
        (await limited_client.post("/api/v1/auth/login", json=body)).status_code for _ in range(5)
    ]
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429]
    r = await limited_client.post("/api/v1/auth/login", json=body)
    assert r.json()["code"] == "rate_limited"
    assert 1 <= int(r.headers["Retry-After"]) <= 3600
    # Other endpoints are not limited by it.
    assert (await limited_client.get("/healthz")).status_code == 200
