"""What each request leaves behind for an operator: a request id, a JSON log line, and the
Prometheus request metrics (rate, errors and latency per route), safe across worker processes.

Request id: the ``X-Request-ID`` that nginx (``deploy/nginx``) sends, or a new one; it is
answered in the same header, bound to every log line the request writes (structlog's context
variables), and carried into the events the request emits (``kit.outbox.emit``), so the logs of
the worker that handles an event name the request that caused it.

Metrics: ``kirana serve --workers N`` runs N processes behind one port, and a scrape reaches
any one of them. With ``PROMETHEUS_MULTIPROC_DIR`` set (``kirana serve`` sets it for more than
one worker) prometheus-client keeps each process's samples in files there and ``/metrics`` adds
them up (its multiprocess mode); without it, the process's own registry is the answer.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from pathlib import Path
from typing import Any, Protocol

import structlog
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kirana.kit.ids import new_id

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
REQUEST_ID_HEADER = "x-request-id"
_GOOD_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")  # anything else is replaced, never logged

# The process's request metrics, in a registry of this module's own (not the library's global
# one, which a second import of this module would fill twice). In multiprocess mode the values
# live in the directory's files whatever registry holds them.
PROCESS = CollectorRegistry()
REQUESTS = Counter(
    "kirana_http_requests_total",
    "HTTP requests answered, by method, route template and status code",
    ["method", "route", "status"],
    registry=PROCESS,
)
ERRORS = Counter(
    "kirana_http_server_errors_total",
    "HTTP requests answered with a 5xx status, by method and route template",
    ["method", "route"],
    registry=PROCESS,
)
LATENCY = Histogram(
    "kirana_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method and route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=PROCESS,
)

access_log = structlog.get_logger("kirana.access")
_access = logging.getLogger("kirana.access")


def request_id() -> str | None:
    """The id of the request being served in this task, if any (events carry it)."""
    value = structlog.contextvars.get_contextvars().get("request_id")
    return value if isinstance(value, str) else None


class _Caused(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def request_id(self) -> str | None: ...


def handling(event: _Caused) -> Any:
    """Bind an event's id, type and the request that caused it to the log lines its handler
    writes (a context manager)."""
    return structlog.contextvars.bound_contextvars(
        event_id=event.id, event_type=event.type, request_id=event.request_id
    )


def prepare_multiprocess_dir(path: Path) -> None:
    """An empty directory for the samples of the worker processes about to start (old files
    would add a dead process's counts to the new ones)."""
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROCESS_DIR] = str(path)


def scrape(*own: CollectorRegistry) -> bytes:
    """The Prometheus text of the process-wide metrics (added up over every worker process in
    multiprocess mode) and of the registries given (the app's own gauges, set at scrape)."""
    if os.environ.get(MULTIPROCESS_DIR):
        shared = CollectorRegistry()
        multiprocess.MultiProcessCollector(shared)  # type: ignore[no-untyped-call]
        registries: tuple[CollectorRegistry, ...] = (shared, *own)
    else:  # this process's: ours, and the library's default (process and GC collectors)
        registries = (PROCESS, REGISTRY, *own)
    return b"".join(generate_latest(registry) for registry in registries)


def _route_of(scope: Scope) -> str:
    """The route's template (``/api/v1/orders/{order_id}``), never the raw path: one series a
    route, whatever ids are in the URLs. Unmatched paths count as one label."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestTelemetry:
    """Pure ASGI middleware: the request id in, the metrics and one access log line out."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = _header(scope, b"x-request-id")
        rid = given if given and _GOOD_ID.match(given) else new_id()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", rid)
            await send(message)

        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            method, route = scope["method"], _route_of(scope)
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(elapsed)
            if status >= 500:
                ERRORS.labels(method, route).inc()
            if status >= 500 or _access.isEnabledFor(logging.INFO):
                access_log.info(
                    "request",
                    method=method,
                    route=route,
                    status=status,
                    ms=round(elapsed * 1000, 2),
                )
            structlog.contextvars.clear_contextvars()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def configure_logging(level: str, *, json: bool) -> None:
    """structlog for Kirana's own lines and the standard library's (uvicorn, SQLAlchemy):
    one JSON object a line in production (``KIRANA_LOG_FORMAT=json``), readable text on a
    laptop; every line carries the request id bound for the task that wrote it."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.CallsiteParameterAdder(
            {structlog.processors.CallsiteParameter.PROCESS}
        ),
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=shared,
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
