"""The production deployment as a whole: two ``kirana serve`` replicas and a ``kirana worker``
behind nginx, over PostgreSQL, Redis (events stream, live pub/sub, rider index) and a Mosquitto
of the test's own. A customer watching on replica A hears the status change a store makes on
replica B, and the position its rider sends over MQTT; so does one watching through nginx."""

from __future__ import annotations

import json
import ssl
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from kirana.kit.db import Database
from tests import factories
from tests.live.conftest import Socket, bearer, socket_to
from tests.live.test_mqtt import _rider_client, mosquitto  # noqa: F401  (a fixture)
from tests.logistics.fleet import STORE_LAT, STORE_LNG, add_rider
from tests.ops.servers import Replica, Worker, replicas
from tests.ops.test_nginx import nginx_in_front
from tests.orders.shop import fill_cart, make_shop, place

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def deployment(
    pg_url: str,
    mosquitto: str,  # noqa: F811
    tmp_path: Path,
) -> Iterator[tuple[list[Replica], Worker, str, Path]]:
    prefix = f"kt:{uuid.uuid4().hex[:8]}:"
    env = {
        "KIRANA_REDIS_URL": REDIS_URL,
        "KIRANA_EVENT_BROKER": "redis",
        "KIRANA_EVENT_STREAM": f"{prefix}events",
        "KIRANA_LIVE_PREFIX": f"{prefix}live:",
        "KIRANA_RATE_LIMIT_PREFIX": f"{prefix}rl:",
        "KIRANA_MQTT_URL": mosquitto,
        "KIRANA_TRUSTED_PROXIES": "127.0.0.1",
    }
    with replicas(pg_url, tmp_path, **env) as pair:
        worker = Worker(pg_url, tmp_path, **env).start()
        try:
            with nginx_in_front(tmp_path, [r.port for r in pair]) as (base, _, cert):
                yield pair, worker, base, cert
        finally:
            worker.stop()


@asynccontextmanager
async def _through_nginx(base: str, cert: Path, path: str) -> AsyncIterator[Socket]:
    url = base.replace("https://", "wss://") + path
    async with socket_to(url, ssl=ssl.create_default_context(cafile=str(cert))) as ws:
        yield ws


async def _until(ws: Socket, type_: str, within: float = 30, **data: Any) -> dict[str, Any]:
    return await ws.until(type_, within=within, **data)


async def test_a_customer_on_one_replica_hears_the_store_on_the_other_and_the_rider(
    deployment: tuple[list[Replica], Worker, str, Path], pg_url: str
) -> None:
    (a, b), _, base, cert = deployment
    db = Database(pg_url, pool_size=2)
    try:
        async with httpx.AsyncClient(base_url=b.base, timeout=30) as on_b:
            shop = await make_shop(db, on_b)
            rider = await add_rider(db, on_b, shop.store_id, online=True, at=(STORE_LAT, STORE_LNG))
            staff = await factories.login(
                on_b, await factories.make_user(db, "store_staff", store_id=shop.store_id)
            )
            creds = await on_b.post("/api/v1/rider/mqtt-credentials", headers=rider.headers)
            assert creds.status_code == 201, creds.text
            rider_path = f"/ws/rider?token={bearer(rider.headers)}"
            async with socket_to(f"ws://127.0.0.1:{b.port}{rider_path}") as rider_ws:
                assert (await rider_ws.next())["type"] == "hello"
                await fill_cart(on_b, shop)
                placed = await place(on_b, shop)
                assert placed.status_code == 201, placed.text
                order_id = placed.json()["id"]
                # The worker dispatches the rider (order.confirmed through the event stream)
                # and the rider's app hears it.
                await _until(rider_ws, "delivery.assigned", order_id=order_id)
            path = f"/ws/orders/{order_id}?token={bearer(shop.headers)}"
            async with (
                socket_to(f"ws://127.0.0.1:{a.port}{path}") as on_a,
                _through_nginx(base, cert, path) as via_nginx,
            ):
                for ws in (on_a, via_nginx):
                    assert (await ws.next())["type"] == "hello"
                # The store, on replica B, starts picking: A's socket hears it.
                r = await on_b.post(
                    f"/api/v1/store-ops/orders/{order_id}/start-picking", headers=staff
                )
                assert r.status_code == 200, r.text
                for ws in (on_a, via_nginx):
                    await _until(ws, "order.status", status="picking")
                # The rider reports over MQTT, as itself, to its own topic.
                body = creds.json()
                async with _rider_client(body) as mqtt:
                    report = {"lat": 60.1702, "lng": 24.9402}
                    await mqtt.publish(str(body["topic"]), json.dumps(report), qos=1)
                    for ws in (on_a, via_nginx):
                        seen = await _until(ws, "rider.position")
                        assert (seen["data"]["lat"], seen["data"]["lng"]) == (60.1702, 24.9402)
    finally:
        await db.dispose()
