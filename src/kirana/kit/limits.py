"""Size limits on what a client may send: its request head (431) and its body (413).

An ASGI middleware, so every way the app is served (``kirana serve``, ``kirana up``, tests over
ASGI) refuses the same requests. The body is counted as it arrives, never read whole first: a
body over the limit is refused once the limit is passed, whatever its declared length.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kirana.kit.http import problem


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the body passes the limit; the app's handler for HTTP
    errors answers it (problem+json 413), and this middleware does if it gets past the app."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is over the limit of {limit} bytes")


def head_size(scope: Scope) -> int:
    """The bytes of the request line's target and headers, as sent (near enough)."""
    target = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
    return target + sum(len(name) + len(value) + 4 for name, value in scope["headers"])


class RequestLimits:
    def __init__(self, app: ASGIApp, *, max_header_bytes: int, max_body_bytes: int) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if head_size(scope) > self.max_header_bytes:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1009})
                return
            await problem(
                431,
                "headers_too_large",
                "Request headers too large",
                f"The request's headers are over the limit of {self.max_header_bytes} bytes",
            )(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(limit, scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(limit, scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    detail = f"The request body is over the limit of {limit} bytes"
    await problem(413, "body_too_large", "Request body too large", detail)(scope, receive, send)
