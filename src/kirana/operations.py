"""What an operator watches: Prometheus metrics at ``/metrics`` and the event backlog for admins."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.deps import AdminUser, AppSettings, Session
from kirana.kit import clock, outbox, telemetry

router = APIRouter(tags=["operations"])


class OutboxBacklog(BaseModel):
    """Events written but not yet relayed to every consumer."""

    unpublished: int
    oldest_created_at: datetime | None
    oldest_age_seconds: float
    # True when the oldest is older than the ``outbox_stale_seconds`` setting: deliveries,
    # notifications and refunds are waiting on the worker.
    stale: bool


class Metrics:
    """One registry per app, so each app (and each test's app) reports only its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.outbox_backlog = Gauge(
            "kirana_outbox_backlog",
            "Events in the outbox not yet relayed to every consumer",
            registry=self.registry,
        )
        self.outbox_oldest_age = Gauge(
            "kirana_outbox_oldest_unpublished_age_seconds",
            "Age of the oldest event not yet relayed (0 when there is none)",
            registry=self.registry,
        )
        self.ws_connections = Gauge(
            "kirana_ws_connections",
            "Live channel WebSockets open in this process",
            registry=self.registry,
        )
        self.ws_closed = Counter(
            "kirana_ws_closed",
            "Live channel WebSockets closed by the server, by close code",
            ["code"],
            registry=self.registry,
        )
        self.telemetry_accepted = Counter(
            "kirana_telemetry_accepted",
            "Rider location reports accepted, by transport (http, ws, mqtt)",
            ["transport"],
            registry=self.registry,
        )
        self.telemetry_dropped = Counter(
            "kirana_telemetry_dropped",
            "Rider location reports dropped unstored, by transport and reason",
            ["transport", "reason"],
            registry=self.registry,
        )


async def _backlog(session: AsyncSession, stale_seconds: float) -> OutboxBacklog:
    count, oldest = await outbox.backlog(session)
    age = (clock.now() - oldest).total_seconds() if oldest else 0.0
    return OutboxBacklog(
        unpublished=count,
        oldest_created_at=oldest,
        oldest_age_seconds=round(max(age, 0.0), 3),
        stale=age > stale_seconds,
    )


@router.get("/metrics", operation_id="metrics", response_class=Response)
async def metrics(request: Request, session: Session, settings: AppSettings) -> Response:
    """Prometheus text format; scrape it from inside the deployment (nginx keeps it private)."""
    state: Metrics = request.app.state.metrics
    backlog = await _backlog(session, settings.outbox_stale_seconds)
    state.outbox_backlog.set(backlog.unpublished)
    state.outbox_oldest_age.set(backlog.oldest_age_seconds)
    return Response(telemetry.scrape(state.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/v1/admin/outbox", operation_id="adminOutboxBacklog")
async def admin_outbox_backlog(
    principal: AdminUser, session: Session, settings: AppSettings
) -> OutboxBacklog:
    return await _backlog(session, settings.outbox_stale_seconds)
