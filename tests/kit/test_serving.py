"""kit.serving: every connection uvicorn hands the app has Nagle's algorithm off."""

from __future__ import annotations

import asyncio
import socket

import httpx
import uvicorn

from kirana.kit.serving import NoDelayHttpToolsProtocol

seen: list[int] = []


class _Probe(NoDelayHttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


async def _app(scope: dict[str, object], receive: object, send: object) -> None:
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]


async def test_tcp_nodelay_on_a_listening_socket_bound_with_protocol_number_0() -> None:
    """As uvicorn binds it for ``--workers`` above one: asyncio alone leaves Nagle's algorithm
    on for such a socket's connections (and each response then waits ~40 ms for an ACK)."""
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    config = uvicorn.Config(_app, http=_Probe, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        for _ in range(500):  # up to 5 s
            if server.started:
                break
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient() as client:
            r = await client.get(f"http://127.0.0.1:{port}/")
        assert r.status_code == 200 and r.text == "ok"
        assert seen and all(seen), seen
    finally:
        server.should_exit = True
        await task


class _Limited(NoDelayHttpToolsProtocol):
    max_head_bytes = 4096


async def test_an_oversized_request_head_gets_431_before_it_is_all_read() -> None:
    """httptools would keep a header of any length: the protocol counts the head as it comes."""
    config = uvicorn.Config(_app, http=_Limited, log_level="warning", lifespan="off", port=0)
    server = uvicorn.Server(config)
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    task = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient() as client:
            fine = await client.get(f"http://127.0.0.1:{port}/", headers={"X-A": "a" * 1000})
            assert fine.status_code == 200
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 16384)
        await writer.drain()
        # The head never ends: the answer comes once the limit is passed, not at its end.
        answer = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:100]
        assert b"application/problem+json" in answer and b"headers_too_large" in answer
    finally:
        server.should_exit = True
        await task
