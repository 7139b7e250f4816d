"""How uvicorn serves the app: its httptools protocol, with Nagle's algorithm off everywhere
and a limit on the request head.

asyncio turns Nagle's algorithm off (TCP_NODELAY) on the connections it accepts, but only on a
socket whose protocol number says TCP. With ``--workers`` above one, uvicorn binds the listening
socket itself with protocol number 0, so every accepted connection kept Nagle's algorithm on. A
response leaves in two writes (headers, then body), so the body waited for the client's delayed
ACK: about 40 ms on every request (measured: 23 requests/s on one keep-alive connection against
one worker's 2,900; 1,400/s at 64 connections against 5,200).

httptools keeps a header however long it grows until it ends, and uvicorn has no limit for it
(``h11_max_incomplete_event_size`` is for its h11 protocol only). So the bytes of each request's
head are counted as they arrive, and past ``KIRANA_MAX_HEADER_BYTES`` the connection gets a 431
and is closed; the app's own check (kit.limits) covers the other ways it is served.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kirana.config import get_settings
from kirana.kit.http import problem_body


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol that sets TCP_NODELAY on each connection it is given and
    refuses a request head over the limit before it is all in memory."""

    max_head_bytes: int | None = None  # None: the setting

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_limit = self.max_head_bytes or get_settings().max_header_bytes
        self._head_bytes = 0
        self._in_head = True
        self._refused = False
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > self._head_limit:
                if not self._refused:
                    self._refused = True
                    self._refuse_head()
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0

    def _refuse_head(self) -> None:
        body = problem_body(
            431,
            "headers_too_large",
            "Request headers too large",
            f"The request's headers are over the limit of {self._head_limit} bytes",
        )
        head = (
            "HTTP/1.1 431 Request Header Fields Too Large\r\n"
            "content-type: application/problem+json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        self.transport.write(head.encode() + body)
        # Half-close and drop what still comes for a moment before closing: closing at once
        # with unread bytes makes the kernel reset the connection, and the client would lose
        # the answer.
        if self.transport.can_write_eof():
            self.transport.write_eof()
        asyncio.get_running_loop().call_later(1.0, self.transport.close)
