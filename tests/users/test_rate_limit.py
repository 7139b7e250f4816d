"""Sign-in attempts are rate limited per client address, in process or in Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
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


async def _limited_app(settings: Settings, **update: object) -> FastAPI:
    return create_app(
        settings.model_copy(
            update={
                "auth_rate_limit_per_minute": 3,
                "auth_rate_limit_window_seconds": 3600,
                "rate_limit_prefix": f"kirana-test:{uuid.uuid4().hex}:",
                **update,
            }
        )
    )


async def _attempts(app: FastAPI, peer: str, n: int, **headers: str) -> list[int]:
    transport = httpx.ASGITransport(app=app, client=(peer, 4711))
    body = {"phone": "+919812345678", "password": "wrong-password"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        return [
            (await c.post("/api/v1/auth/login", json=body, headers=headers)).status_code
            for _ in range(n)
        ]


async def test_proxy_headers_count_only_from_trusted_proxies(settings: Settings) -> None:
    app = await _limited_app(settings, trusted_proxies="10.0.0.0/8")
    async with LifespanManager(app):
        # Through our proxy, each client has its own allowance.
        for client in ("203.0.113.1", "203.0.113.2"):
            codes = await _attempts(
                app, "10.0.0.5", 4, **{"X-Forwarded-For": f"{client}, 10.0.0.9"}
            )
            assert codes == [401, 401, 401, 429], client
        forwarded = {"Forwarded": 'for="[2001:db8::7]:1234";proto=https'}
        assert await _attempts(app, "10.0.0.5", 4, **forwarded) == [401, 401, 401, 429]
        # From anyone else the header is the sender's word: a new one each time changes nothing.
        codes = [
            (await _attempts(app, "198.51.100.7", 1, **{"X-Forwarded-For": f"192.0.2.{i}"}))[0]
            for i in range(5)
        ]
        assert codes == [401, 401, 401, 429, 429]


async def test_limits_hold_across_processes_through_redis(settings: Settings) -> None:
    """Two app instances (two processes' worth of limiters) over one Redis share each
    address's allowance; without Redis each would allow it in full."""
    if not await _redis_up():
        if CI:
            pytest.fail(f"Redis is required under CI=true but unreachable at {REDIS_URL}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    prefix = f"kirana-test:{uuid.uuid4().hex}:"
    one = await _limited_app(settings, redis_url=REDIS_URL, rate_limit_prefix=prefix)
    two = await _limited_app(settings, redis_url=REDIS_URL, rate_limit_prefix=prefix)
    async with LifespanManager(one), LifespanManager(two):
        first = await _attempts(one, "198.51.100.8", 2)
        second = await _attempts(two, "198.51.100.8", 2)
        assert first + second == [401, 401, 401, 429]
        assert await _attempts(one, "198.51.100.9", 1) == [401]  # another address is apart
