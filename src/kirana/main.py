"""The application factory: one FastAPI app for the API, the web app and (embedded) the workers."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel
from sqlalchemy import text

from kirana import __version__
from kirana.api import ROUTERS, mount_routers
from kirana.catalog.api import media_files, product_art_files
from kirana.catalog.jobs import flush_search_stats
from kirana.config import Settings, get_settings
from kirana.kit import market
from kirana.kit.db import Database
from kirana.kit.headers import SecurityHeaders
from kirana.kit.http import ORJSONResponse, install_error_handlers, problem
from kirana.kit.limits import RequestLimits
from kirana.kit.openapi import document_errors, problems
from kirana.kit.ratelimit import make_rate_limiter
from kirana.kit.telemetry import RequestTelemetry, configure_logging
from kirana.live.runtime import Live
from kirana.logistics import dispatch
from kirana.logistics.ports import OrderDesk
from kirana.notifications import outgoing
from kirana.operations import Metrics
from kirana.orders import service as orders
from kirana.payments import gateways as payment_gateways
from kirana.payments.schemas import PaymentSetup
from kirana.users.otp import CodeSender
from kirana.worker import embedded

log = logging.getLogger("kirana")

STATIC_APP = Path(__file__).parent / "static" / "app"


class ClientConfig(BaseModel):
    """GET /api/v1/config: the market, the map tiles and the payment methods' providers."""

    tile_url: str | None
    currency: str
    locale: str
    phone_region: str
    phone_example: str
    time_zone: str
    payments: PaymentSetup


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.database_url, pool_size=settings.db_pool_size)
        app.state.db = db
        app.state.rate_limiter = make_rate_limiter(settings.redis_url, settings.rate_limit_prefix)
        live = app.state.live = Live(settings, db, app.state.metrics)
        await live.start()
        jobs = (
            embedded.start(db, settings)
            if settings.run_workers
            else embedded.start_request_side(db, settings)
        )
        # Everything made at start-up (modules, the app, the routes, SQLAlchemy's mappers)
        # lives as long as the process: move it out of the garbage collector's generations, so
        # a full collection under load walks only what requests made, not the whole heap.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await embedded.stop(jobs)
            try:  # the searches counted since the last flush
                await flush_search_stats(db, settings)
            except Exception:
                log.exception("could not write the last search statistics at shutdown")
            await live.stop()
            await app.state.rate_limiter.close()
            await db.dispose()

    # The interactive docs (/docs) load Swagger UI from files shipped in a package, served under
    # /docs/assets, so they work on a machine with no internet.
    app = FastAPIOffline(
        title="Kirana",
        version=__version__,
        description="Open-source quick commerce: dark stores, riders, groceries in minutes.",
        lifespan=lifespan,
        default_response_class=ORJSONResponse,
        docs_url="/docs",
        redoc_url=None,
        static_url="/docs/assets",
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    market.configure(settings.market)
    if settings.env != "test":  # tests keep pytest's log capture
        configure_logging(settings.log_level, json=settings.log_format == "json")
    # Outermost last: the size limits' own refusals carry the security headers too, and the
    # telemetry sees every answer, refusals included.
    app.add_middleware(
        RequestLimits,
        max_header_bytes=settings.max_header_bytes,
        max_body_bytes=settings.max_body_bytes,
    )
    app.add_middleware(
        SecurityHeaders,
        trusted_proxies=settings.trusted_proxies,
        tile_url=settings.tile_url,
        hsts_seconds=settings.hsts_seconds,
        **payment_gateways.browser_origins(settings)._asdict(),
    )
    app.add_middleware(RequestTelemetry)
    # Logistics moves an order on pick-up and hand-over through this interface (it imports no
    # orders code); the orders service module implements it.
    order_desk: OrderDesk = orders
    app.state.order_desk = order_desk
    # Login codes go out on the notifications service's SMS channel (users imports none of it).
    code_sender: CodeSender = outgoing
    app.state.code_sender = code_sender
    outgoing.configure(settings)
    payment_gateways.configure(settings)
    dispatch.configure(settings)  # the strategy and its limits (docs/logistics.md)
    install_error_handlers(app)
    document_errors(app, (app.router, *ROUTERS))
    mount_routers(app)
    web_root = settings.static_dir or STATIC_APP
    # The demo pictures, mounted before /media; uploads live under /media/products/.
    app.mount("/media/art", product_art_files(web_root), name="product-art")
    app.mount("/media", media_files(settings), name="media")

    @app.get("/healthz", tags=["health"], operation_id="healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.head("/healthz", tags=["health"], operation_id="healthzHead", response_class=Response)
    async def healthz_head() -> Response:
        """GET /healthz without the body, for load balancers and uptime checks that send HEAD."""
        return Response()

    payments_setup = payment_gateways.client_setup(settings)

    @app.get("/api/v1/config", tags=["health"], operation_id="getClientConfig")
    async def client_config() -> ClientConfig:
        """What the web app needs to know at run time (no secrets)."""
        return ClientConfig(
            tile_url=settings.tile_url,
            currency=settings.currency,
            locale=settings.locale,
            phone_region=settings.phone_region,
            phone_example=settings.market.phone_example,
            time_zone=settings.time_zone,
            payments=payments_setup,
        )

    @app.get(
        "/readyz",
        tags=["health"],
        operation_id="readyz",
        response_model=None,
        responses=problems(503),
    )
    async def readyz(request: Request) -> Response | dict[str, object]:
        checks: dict[str, str] = {}
        db: Database = request.app.state.db
        try:
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        if settings.redis_url:
            try:
                from redis.asyncio import Redis

                client = Redis.from_url(settings.redis_url, socket_timeout=2)
                await client.ping()
                await client.aclose()
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = f"unreachable: {type(exc).__name__}"
        if any(v != "ok" for v in checks.values()):
            return problem(
                503, "not_ready", "Not ready", "A dependency is unreachable", checks=checks
            )
        return {"status": "ready", "checks": checks}

    _serve_web_app(app, web_root)
    return app


def _serve_web_app(app: FastAPI, root: Path) -> None:
    """Serve the built web app at ``/`` with a single-page-app fallback to index.html."""
    reserved = ("api/", "ws/", "docs", "openapi.json", "healthz", "readyz", "media/", "metrics")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def web_app(path: str) -> Response:  # sync: file checks run in the thread pool
        if path.startswith(reserved):
            return problem(404, "not_found", "Not found", f"No route /{path}")
        index = root / "index.html"
        if not index.is_file():
            return problem(
                404,
                "web_app_not_built",
                "Web app not built",
                "Build it with `make web` (npm --prefix web ci && npm --prefix web run build)",
            )
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root.resolve()):
            cache = (
                "public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache"
            )
            return FileResponse(candidate, headers={"Cache-Control": cache})
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
