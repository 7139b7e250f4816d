"""An admin's edit of a store or its area answers the very next serviceability request, with
the store list cached (as in production), and other processes are told over Redis."""

from __future__ import annotations

import asyncio
import os

import httpx
import orjson
import pytest
from redis.asyncio import Redis

from kirana.config import Settings
from kirana.kit import cache as kit_cache
from kirana.kit.cache_bus import CacheBus
from kirana.kit.db import Database
from tests.orders.shop import make_admin

REDIS_URL = os.environ.get("KIRANA_TEST_REDIS", "redis://127.0.0.1:6379/0")
HOME = {"lat": 60.20, "lng": 24.94}  # 3.3 km north of the store


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Caches on, for a whole minute: only the edit's own bump can make it show at once."""
    return settings.model_copy(update={"catalog_cache_seconds": 60})


async def _serving(client: httpx.AsyncClient) -> str | None:
    r = await client.get("/api/v1/serviceability", params=HOME)
    assert r.status_code == 200, r.text
    store = r.json()["store"]
    return None if store is None else str(store["id"])


async def test_an_admin_edit_takes_effect_on_the_next_request(
    db: Database, client: httpx.AsyncClient
) -> None:
    admin = await make_admin(db, client)
    r = await client.post(
        "/api/v1/admin/stores",
        json={"name": "North", "lat": 60.17, "lng": 24.94, "service_radius_m": 2_000},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    store_id = r.json()["id"]
    assert await _serving(client) is None  # 3.3 km: outside the 2 km radius

    async def patch(body: dict[str, object]) -> None:
        r = await client.patch(f"/api/v1/admin/stores/{store_id}", json=body, headers=admin)
        assert r.status_code == 200, r.text

    await patch({"service_radius_m": 4_000})
    assert await _serving(client) == store_id
    await patch({"is_open": False})
    assert await _serving(client) is None
    await patch({"is_open": True})
    assert await _serving(client) == store_id
    # A polygon that leaves the customer out, then one that holds them.
    south = [[24.93, 60.16], [24.95, 60.16], [24.95, 60.18], [24.93, 60.18], [24.93, 60.16]]
    await patch(
        {"service_radius_m": None, "service_area": {"type": "Polygon", "coordinates": [south]}}
    )
    assert await _serving(client) is None
    tall = [[24.93, 60.16], [24.95, 60.16], [24.95, 60.21], [24.93, 60.21], [24.93, 60.16]]
    await patch({"service_area": {"type": "Polygon", "coordinates": [tall]}})
    assert await _serving(client) == store_id

    # A second store nearer the customer takes over at once.
    r = await client.post(
        "/api/v1/admin/stores",
        json={"name": "Nearer", "lat": 60.195, "lng": 24.94, "service_radius_m": 1_000},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    nearer = r.json()["id"]
    assert await _serving(client) == nearer

    # A refused edit changes nothing.
    r = await client.patch(
        f"/api/v1/admin/stores/{nearer}", json={"service_radius_m": -5}, headers=admin
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await _serving(client) == nearer


async def _redis_or_skip() -> Redis:
    client: Redis = Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        await client.ping()
    except OSError as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis is required under CI=true: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    return client


async def _until(check: object, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def test_another_process_announcement_bumps_this_process_caches() -> None:
    redis = await _redis_or_skip()
    channel = f"kirana:test:caches:{os.getpid()}"
    bus = CacheBus(REDIS_URL, channel)
    await bus.start()
    try:
        assert bus.subscribed.is_set()
        held = kit_cache.cache_named("bus-test", "scope", 60)
        held.set("k", "old")
        before = held.version
        # As another replica's bus publishes after its commit:
        await redis.publish(channel, orjson.dumps({"from": "elsewhere", "names": ["bus-test"]}))
        await _until(lambda: held.version > before)
        assert held.get("k") is None
        # Or only some keys of it (a rider's state, an account's standing):
        held.set("one", "old")
        held.set("two", "kept")
        forgets = held.forgets
        keys = {"bus-test": ["one"]}
        await redis.publish(channel, orjson.dumps({"from": "elsewhere", "names": [], "keys": keys}))
        await _until(lambda: held.forgets > forgets)
        assert (held.get("one"), held.get("two")) == (None, "kept")

        # And this process's commits are announced to the others.
        listener = redis.pubsub()
        await listener.subscribe(channel)
        await listener.get_message(timeout=1)  # the subscribe confirmation
        bus.announce(frozenset({"catalog"}), {"rider_states": frozenset({"r1"})})
        message = None
        for _ in range(50):
            message = await listener.get_message(ignore_subscribe_messages=True, timeout=0.1)
            if message is not None:
                break
        assert message is not None
        body = orjson.loads(message["data"])
        assert body == {
            "from": bus.sender,
            "names": ["catalog"],
            "keys": {"rider_states": ["r1"]},
        }
        await listener.aclose()
    finally:
        await bus.close()
        await redis.aclose()
    assert kit_cache.announcer() is None
