"""A stand-in for Razorpay's API on loopback: the razorpay SDK speaks requests, which respx
cannot see, so its base URL points here. It answers what a test set, records every request,
and checks the Basic auth Razorpay wants (key id, key secret)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Answer = tuple[int, dict[str, Any]] | Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeRazorpay:
    key_id: str
    key_secret: str
    url: str = ""
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def on(self, method: str, path: str, answer: Answer) -> None:
        self.answers[(method, path)] = answer

    def calls(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.seen if (s.method, s.path) == (method, path)]


@contextmanager
def fake_razorpay(key_id: str, key_secret: str) -> Iterator[FakeRazorpay]:
    fake = FakeRazorpay(key_id, key_secret)
    expected = "Basic " + base64.b64encode(f"{key_id}:{key_secret}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else {}
            path = urlsplit(self.path).path
            fake.seen.append(
                Seen(self.command, path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            if self.headers.get("Authorization") != expected:
                status, answer = (
                    401,
                    {
                        "error": {
                            "code": "BAD_REQUEST_ERROR",
                            "description": "Authentication failed",
                        }
                    },
                )
            else:
                found = fake.answers.get((self.command, path))
                if found is None:
                    status, answer = (
                        400,
                        {
                            "error": {
                                "code": "BAD_REQUEST_ERROR",
                                "description": "The requested URL was not found on the server.",
                            }
                        },
                    )
                else:
                    status, answer = found(body) if callable(found) else found
            out = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with on_loopback(Handler) as url:
        fake.url = url
        yield fake


@contextmanager
def on_loopback(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serves ``handler`` on a free port of 127.0.0.1 from a thread, for as long as the block
    runs; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
