"""One live WebSocket, from the handshake to its close (the protocol is in docs/live.md).

1. Accept, then authenticate: ``?token=`` or a first frame ``{"type": "auth", "token"}``
   within ``live_auth_timeout_seconds``. The route's ``authorize`` names the channels the
   caller may hear, or refuses as REST would (4403 a role, 4404 not theirs or not there).
2. Subscribe, send ``hello``, then resume: with ``last_id`` (query or auth frame), every kept
   message after it from the channel's history; if the history no longer reaches back that far,
   a ``resync`` (read the REST resource again). Messages published meanwhile are queued, and
   an id already sent is never sent again.
3. Three tasks until one ends it: the sender (queue → socket, the only writer), the receiver
   (client frames: ``ping``, ``pong``, ``auth`` with a fresh token, and the route's own, such
   as a rider's ``location``) and the watchdog (heartbeats, token expiry, a silent client, a
   full queue, a lost broker, shutdown).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import WebSocket, WebSocketDisconnect
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock, security
from kirana.kit.errors import KiranaError
from kirana.live.broker import Message, Subscription
from kirana.live.runtime import Live
from kirana.users import service as users
from kirana.users.schemas import Principal

log = logging.getLogger("kirana.live")

# Close codes (docs/live.md). 4xxx mirror the HTTP status REST would answer.
BAD_MESSAGE = 4400
UNAUTHENTICATED = 4401  # no token, a bad one, or it expired and no fresh one came
FORBIDDEN = 4403  # the role may not open this channel
NOT_FOUND = 4404  # no such order or store, or not the caller's: the same answer
SILENT = 4408  # no frame from the client for two heartbeats
TOO_SLOW = 4429  # the client did not keep up: its queue filled
RESTART = 1012  # the server lost its broker or is restarting: reconnect and resume
GOING_AWAY = 1001

SEEN_IDS = 1024  # ids remembered per socket against duplicates
CLOSE_WAIT_SECONDS = 10.0  # how long a close frame may wait behind a slow client's backlog

Authorize = Callable[[AsyncSession, Principal], Awaitable[list[str]]]
OnFrame = Callable[["Connection", dict[str, Any]], Awaitable[None]]


class Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason[:120]  # a close reason fits in 123 bytes


def refusal(error: KiranaError) -> Close:
    """A service's refusal as a close code: what REST would answer, without more detail."""
    code = {401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}.get(error.status, BAD_MESSAGE)
    return Close(code, error.code)


async def _principal(live: Live, token: object) -> tuple[Principal, datetime]:
    if not isinstance(token, str) or not token:
        raise Close(UNAUTHENTICATED, "token_missing")
    try:
        async with live.db.transaction(write=False) as session:
            principal = await users.authenticate(session, live.settings, token)
    except KiranaError as exc:
        raise refusal(exc) from exc
    claims = security.decode_access_token(token, live.settings.secret_key)
    if claims is None:  # expired between the two reads
        raise Close(UNAUTHENTICATED, "invalid_token")
    return principal, datetime.fromtimestamp(int(claims["exp"]), UTC)


def _frame(text: str) -> dict[str, Any]:
    try:
        frame = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise Close(BAD_MESSAGE, "frames are JSON objects with a type") from exc
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise Close(BAD_MESSAGE, "frames are JSON objects with a type")
    return frame


def control(type_: str, data: dict[str, Any] | None = None) -> Message:
    """A message of the connection itself (hello, ping, pong, resync, error): no channel."""
    frame = {"type": type_, "data": data or {}, "at": clock.now().isoformat(), "id": None}
    return Message("", type_, orjson.dumps(frame).decode())


class Connection:
    def __init__(
        self, ws: WebSocket, live: Live, principal: Principal, expires: datetime, sub: Subscription
    ) -> None:
        self.ws, self.live, self.principal, self.expires, self.sub = (
            ws,
            live,
            principal,
            expires,
            sub,
        )
        self.heartbeat = live.settings.live_heartbeat_seconds
        self.heard = asyncio.get_running_loop().time()
        self.seen: OrderedDict[str, None] = OrderedDict()

    def send(self, message: Message) -> None:
        """Queue a frame for the sender (the only task that writes to the socket)."""
        self.sub.deliver(message)

    def _first_time(self, message_id: str) -> bool:
        if not message_id:
            return True
        if message_id in self.seen:
            return False
        self.seen[message_id] = None
        if len(self.seen) > SEEN_IDS:
            self.seen.popitem(last=False)
        return True

    async def resume(self, last_id: str | None) -> None:
        if not last_id:
            return
        for channel in self.sub.channels:
            kept = await self.live.broker.history(channel)
            ids = [m.id for m in kept]
            if last_id not in ids:
                # Too old for the history (or never kept here): the client reads the REST
                # resource again and carries on from the messages that follow.
                self.send(control("resync", {"channel": channel, "last_id": last_id}))
                continue
            for message in kept[ids.index(last_id) + 1 :]:
                if self._first_time(message.id):
                    await self.ws.send_text(message.text)

    async def _sender(self) -> None:
        while True:
            message = await self.sub.queue.get()
            if self._first_time(message.id):
                await self.ws.send_text(message.text)

    async def _receiver(self, on_frame: OnFrame | None) -> None:
        loop = asyncio.get_running_loop()
        while True:
            frame = _frame(await self.ws.receive_text())
            self.heard = loop.time()
            kind = frame["type"]
            if kind == "ping":
                self.send(control("pong"))
            elif kind == "pong":
                pass
            elif kind == "auth":
                principal, expires = await _principal(self.live, frame.get("token"))
                if principal.id != self.principal.id:
                    raise Close(UNAUTHENTICATED, "the token is another user's")
                self.principal, self.expires = principal, expires
                self.send(control("auth.ok", {"expires_at": expires.isoformat()}))
            elif on_frame is not None:
                await on_frame(self, frame)
            else:
                self.send(control("error", {"detail": f"unknown frame type {kind!r}"}))

    async def _watchdog(self) -> None:
        loop = asyncio.get_running_loop()
        tick = min(1.0, self.heartbeat / 2)
        next_ping = loop.time() + self.heartbeat
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.sub.overflowed.wait(), timeout=tick)
            now = loop.time()
            if self.sub.overflowed.is_set():
                raise Close(TOO_SLOW, "too slow: reconnect with last_id to resume")
            if self.sub.lost.is_set():
                raise Close(RESTART, "reconnect with last_id to resume")
            if self.live.closing.is_set():
                raise Close(GOING_AWAY, "server shutting down")
            if clock.now() >= self.expires:
                raise Close(UNAUTHENTICATED, "token_expired")
            if now - self.heard > 2 * self.heartbeat + 5:
                raise Close(SILENT, "no heartbeat from the client")
            if now >= next_ping:
                self.send(control("ping"))
                next_ping = now + self.heartbeat

    async def run(self, on_frame: OnFrame | None) -> None:
        tasks = [
            asyncio.create_task(self._sender()),
            asyncio.create_task(self._receiver(on_frame)),
            asyncio.create_task(self._watchdog()),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            error = task.exception()
            if error is not None:
                raise error


async def serve(
    ws: WebSocket, authorize: Authorize, on_frame: OnFrame | None = None
) -> Connection | None:
    """Run one live socket to its end."""
    live: Live = ws.app.state.live
    await ws.accept()
    sub: Subscription | None = None
    try:
        token: object = ws.query_params.get("token")
        last_id = ws.query_params.get("last_id")
        if not token:
            try:
                text = await asyncio.wait_for(
                    ws.receive_text(), timeout=live.settings.live_auth_timeout_seconds
                )
            except TimeoutError as exc:
                raise Close(UNAUTHENTICATED, "token_missing") from exc
            first = _frame(text)
            if first["type"] != "auth":
                raise Close(UNAUTHENTICATED, "token_missing")
            token = first.get("token")
            last_id = str(first.get("last_id") or last_id or "") or None
        principal, expires = await _principal(live, token)
        try:
            async with live.db.transaction(write=False) as session:
                channels = await authorize(session, principal)
        except KiranaError as exc:
            raise refusal(exc) from exc
        sub = Subscription(channels, live.settings.live_queue)
        try:
            await live.broker.attach(sub)
        except (TimeoutError, RedisError) as exc:
            raise Close(RESTART, "live channels unavailable; reconnect shortly") from exc
        connection = Connection(ws, live, principal, expires, sub)
        await ws.send_text(
            control(
                "hello",
                {
                    "channels": channels,
                    "heartbeat_seconds": connection.heartbeat,
                    "expires_at": expires.isoformat(),
                },
            ).text
        )
        try:
            await connection.resume(last_id)
        except RedisError as exc:
            raise Close(RESTART, "history unavailable; reconnect with last_id") from exc
        await connection.run(on_frame)
    except Close as close:
        if sub is not None:
            live.broker.detach(sub)  # nothing more is queued for it while the close waits
        live.metrics.ws_closed.labels(str(close.code)).inc()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(close.code, close.reason), CLOSE_WAIT_SECONDS)
    except (WebSocketDisconnect, OSError, RuntimeError):
        pass  # the client went away
    finally:
        if sub is not None:
            live.broker.detach(sub)
    return None
