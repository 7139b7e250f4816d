"""A Redis of the test's own restarted under a watching customer: the socket is told to resume
(1012), the status change made while Redis was away waits in the outbox, and the customer gets
it after reconnecting with the last id."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kirana.config import Settings
from tests.live.conftest import bearer, free_port, live_settings, serve, socket_to
from tests.live.test_channels import _advance, _order, _staff
from tests.orders.shop import make_shop

REDIS_SERVER = shutil.which("redis-server")


class OwnRedis:
    def __init__(self, directory: Path, *, persistent: bool = True) -> None:
        self.port = free_port()
        self.dir = directory
        self.persistent = persistent
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER
        # Persistent, as production's is: the channel histories outlive a restart. Without
        # persistence a restart loses everything, the worst case.
        self.proc = subprocess.Popen(
            [
                REDIS_SERVER,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir)),
                *("--appendonly", "yes" if self.persistent else "no", "--save", ""),
                *(("--appendfsync", "always") if self.persistent else ()),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if REDIS_SERVER is None:
        pytest.fail("redis-server is needed (apt-get install redis-server)")
    redis = OwnRedis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


async def test_a_redis_restart_loses_no_status_change(
    settings: Settings, own_redis: OwnRedis
) -> None:
    changes = {"redis_url": own_redis.url, "live_prefix": f"kt:{uuid.uuid4().hex[:8]}:"}
    async with serve(live_settings(settings, **changes)) as r:
        shop = await make_shop(r.db, r.http)
        staff = await _staff(r, shop.store_id)
        order_id = await _order(r, shop)
        url = f"{r.ws_base}/ws/orders/{order_id}?token={bearer(shop.headers)}"
        async with socket_to(url) as ws:
            await ws.next()
            await _advance(r, staff, order_id, "start-picking")
            last_id = (await ws.until("order.status", status="picking"))["id"]
            own_redis.stop()
            assert await ws.close_code(within=10) == 1012  # reconnect and resume
        # The store packs while Redis is away: the change commits, its event waits.
        await _advance(r, staff, order_id, "packed")
        own_redis.start()
        async with socket_to(f"{url}&last_id={last_id}") as ws:
            assert (await ws.next(within=15))["type"] == "hello"
            packed = await ws.until("order.status", within=30, status="packed")
            assert packed["id"] != last_id
