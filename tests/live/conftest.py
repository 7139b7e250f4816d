"""A real uvicorn server in the test's event loop, with the embedded relay running, and a
WebSocket client (the ``websockets`` package) that reads frames as JSON."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.db import Database
from kirana.main import create_app

REDIS_URL = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    app: FastAPI
    http: httpx.AsyncClient
    ws_base: str

    @property
    def db(self) -> Database:
        db: Database = self.app.state.db
        return db


@contextlib.asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[Running]:
    app = create_app(settings)
    port = free_port()
    # Shutdown tells open sockets 1012 and waits at most 5 s for their tasks, then cancels
    # them and still runs the app's shutdown (the relay, the broker), so no task outlives it.
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        assert server.started, "uvicorn did not start"
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            yield Running(app, http, f"ws://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        await asyncio.wait([task], timeout=30)
        if not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        clock.reset()


def live_settings(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(
        update={
            "run_workers": True,
            "live_auth_timeout_seconds": 1.0,
            "live_heartbeat_seconds": 2.0,
            **changes,
        }
    )


@pytest.fixture(params=["memory", "redis"])
def broker_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def redis_changes(kind: str) -> dict[str, Any]:
    """Settings for a Redis-backed broker and index with keys of this test's own."""
    if kind != "redis":
        return {}
    return {"redis_url": REDIS_URL, "live_prefix": f"kt:{uuid.uuid4().hex[:10]}:"}


@pytest.fixture
async def running(settings: Settings) -> AsyncIterator[Running]:
    async with serve(live_settings(settings)) as r:
        yield r


@pytest.fixture
async def running_on_each(settings: Settings, broker_kind: str) -> AsyncIterator[Running]:
    """``running``, once with the in-process broker and index and once with Redis's."""
    async with serve(live_settings(settings, **redis_changes(broker_kind))) as r:
        yield r


class Socket:
    """A client socket whose frames are read as JSON objects."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn

    async def next(self, within: float = 10, skip: tuple[str, ...] = ("ping",)) -> dict[str, Any]:
        while True:
            raw = await asyncio.wait_for(self.conn.recv(), within)
            frame: dict[str, Any] = orjson.loads(raw)
            if frame["type"] not in skip:
                return frame

    async def until(self, type_: str, within: float = 15, **data: Any) -> dict[str, Any]:
        """The first frame of ``type_`` whose data has ``data``'s items."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            frame = await self.next(within=max(deadline - loop.time(), 0.01))
            if frame["type"] == type_ and all(frame["data"].get(k) == v for k, v in data.items()):
                return frame

    async def send(self, frame: dict[str, Any]) -> None:
        await self.conn.send(orjson.dumps(frame).decode())

    async def close_code(self, within: float = 15) -> int:
        """Read until the server closes; its close code."""
        try:
            async with asyncio.timeout(within):
                while True:
                    await self.conn.recv()
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, "closed without a close frame"
            return closed.rcvd.code
        raise AssertionError("unreachable")


@contextlib.asynccontextmanager
async def socket_to(url: str, **kw: Any) -> AsyncIterator[Socket]:
    async with connect(url, open_timeout=10, **kw) as conn:
        yield Socket(conn)


def bearer(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")
