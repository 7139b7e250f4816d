"""Routes of the live service: the four WebSockets, location reports over HTTP, MQTT accounts.

Each socket's ``authorize`` is the REST rule for the same resource, read through the owning
service: the order's customer (or an admin) for ``/ws/orders/{id}``, the store's staff (or an
admin) for ``/ws/store-ops/{store_id}``, admins for ``/ws/admin/live``, riders for
``/ws/rider``. A refusal is the close code of the status REST would answer (docs/live.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, WebSocket
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.deps import RiderUser, Session, SessionlessRiderUser
from kirana.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kirana.kit.openapi import problems
from kirana.live import mqtt, sockets, telemetry
from kirana.live.channels import CITY, order_channel, rider_channel, store_channel
from kirana.live.runtime import Live
from kirana.logistics import positions
from kirana.logistics.schemas import RiderRead
from kirana.orders import service as orders
from kirana.users.schemas import Principal

router = APIRouter(tags=["live"])
Id = Annotated[str, Path(min_length=1, max_length=26)]


def _roles(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise Forbidden(f"This needs the role {' or '.join(roles)}", code="role_required")


@router.websocket("/ws/orders/{order_id}")
async def order_socket(ws: WebSocket, order_id: Id) -> None:
    """The customer's order: ``order.status``, ``delivery.*`` and ``rider.position`` (with
    ``eta_minutes``)."""

    async def authorize(session: AsyncSession, principal: Principal) -> list[str]:
        _roles(principal, "customer", "admin")
        brief = await orders.order_brief(session, order_id)
        if brief is None or (principal.role != "admin" and brief.customer_id != principal.id):
            raise NotFound("No such order", code="order_not_found")
        return [order_channel(order_id)]

    await sockets.serve(ws, authorize)


@router.websocket("/ws/store-ops/{store_id}")
async def store_socket(ws: WebSocket, store_id: Id) -> None:
    """The store's queue: ``order.status`` of every order of the store."""

    async def authorize(session: AsyncSession, principal: Principal) -> list[str]:
        _roles(principal, "store_staff", "admin")
        if principal.role == "admin":
            await catalog.get_admin_store(session, store_id)  # 404 if there is none
        elif principal.store_id != store_id:
            raise NotFound("No such store", code="store_not_found")
        return [store_channel(store_id)]

    await sockets.serve(ws, authorize)


@router.websocket("/ws/admin/live")
async def admin_socket(ws: WebSocket) -> None:
    """The city: every ``rider.position`` and every order's ``order.status`` and ``delivery.*``."""

    async def authorize(session: AsyncSession, principal: Principal) -> list[str]:
        _roles(principal, "admin")
        return [CITY]

    await sockets.serve(ws, authorize)


@router.websocket("/ws/rider")
async def rider_socket(ws: WebSocket) -> None:
    """The rider's assignments (``delivery.assigned``, ``delivery.cancelled``, ...); the rider
    sends ``{"type": "location", "data": {lat, lng, at?}}`` frames on it."""
    live: Live = ws.app.state.live

    async def authorize(session: AsyncSession, principal: Principal) -> list[str]:
        _roles(principal, "rider")
        if await positions.rider_state(session, live.settings, user_id=principal.id) is None:
            raise NotFound("Not set up as a rider", code="rider_not_found")
        return [rider_channel(principal.id)]

    async def on_frame(connection: sockets.Connection, frame: dict[str, Any]) -> None:
        if frame["type"] != "location":
            connection.send(sockets.control("error", {"detail": "unknown frame type"}))
            return
        try:
            try:
                report = telemetry.parse_report(frame.get("data"))
            except telemetry.Dropped as dropped:
                live.metrics.telemetry_dropped.labels("ws", dropped.reason).inc()
                raise
            await telemetry.ingest(live, connection.principal.id, report, "ws")
        except telemetry.Dropped as dropped:  # counted where it was dropped
            connection.send(
                sockets.control(
                    "location.dropped", {"reason": dropped.reason, "detail": dropped.detail}
                )
            )

    await sockets.serve(ws, authorize, on_frame)


# --- location reports over HTTP -------------------------------------------------------------


class LocationReport(BaseModel):
    """A position fix. Coordinates out of range are refused (and counted) by telemetry, not
    by the schema, so every bad report shows in ``kirana_telemetry_dropped_total``."""

    model_config = ConfigDict(extra="forbid")

    lat: float = Field(allow_inf_nan=False, json_schema_extra={"minimum": -90, "maximum": 90})
    lng: float = Field(allow_inf_nan=False, json_schema_extra={"minimum": -180, "maximum": 180})
    # When the phone took the fix (ISO 8601); omitted: now. Too old or ahead of the server's
    # clock is refused.
    at: datetime | None = None
    # The rider the report is from, if the client says; another rider's id is refused.
    rider_id: str | None = Field(default=None, max_length=26)


class TelemetryRejected(ValidationFailed):
    code = "telemetry_rejected"
    title = "Location report refused"


def _refusal(dropped: telemetry.Dropped) -> Exception:
    extra = {"reason": dropped.reason}
    if dropped.reason == "not_a_rider":
        return NotFound(dropped.detail, code="rider_not_found", extra=extra)
    if dropped.reason == "off_shift":
        return Conflict(dropped.detail, code="rider_off_shift", extra=extra)
    return TelemetryRejected(dropped.detail, extra=extra)


@router.post(
    "/api/v1/rider/location",
    operation_id="updateRiderLocation",
    tags=["logistics"],
    responses=problems(404, 409),
)
async def update_location(
    body: LocationReport, principal: SessionlessRiderUser, request: Request
) -> RiderRead:
    """Report the rider's position (every few seconds while on shift)."""
    live: Live = request.app.state.live
    report = telemetry.Report(body.lat, body.lng, body.at, body.rider_id)
    try:
        accepted = await telemetry.ingest(live, principal.id, report, "http")
    except telemetry.Dropped as dropped:
        raise _refusal(dropped) from dropped
    return positions.as_read(accepted.state, accepted.fix)


# --- MQTT accounts --------------------------------------------------------------------------


class MqttCredentials(BaseModel):
    """How the rider app connects to the MQTT broker; the password is shown only here."""

    host: str
    port: int
    username: str
    password: str
    topic: str


def _mqtt_url(live: Live) -> str:
    if not live.settings.mqtt_url:
        raise NotFound(
            "MQTT is not set up on this deployment (KIRANA_MQTT_URL); report over HTTP or the "
            "rider WebSocket",
            code="mqtt_not_configured",
        )
    return live.settings.mqtt_url


@router.post(
    "/api/v1/rider/mqtt-credentials",
    operation_id="issueMqttCredentials",
    tags=["logistics"],
    status_code=201,
    responses=problems(404, 503),
)
async def issue_mqtt_credentials(
    principal: RiderUser, session: Session, request: Request
) -> MqttCredentials:
    """A broker account of the rider's own, allowed to publish to its own topic only. Issuing
    again gives a new password (the old one stops working)."""
    live: Live = request.app.state.live
    url = _mqtt_url(live)
    if await positions.rider_state(session, live.settings, user_id=principal.id) is None:
        raise NotFound("Your account is not set up as a rider of any store", code="rider_not_found")
    password = await mqtt.issue(url, live.settings.mqtt_topic_prefix, principal.id)
    public = mqtt.parse_url(live.settings.mqtt_public_url or url)
    return MqttCredentials(
        host=public.host,
        port=public.port,
        username=principal.id,
        password=password,
        topic=mqtt.rider_topic(live.settings.mqtt_topic_prefix, principal.id),
    )


@router.delete(
    "/api/v1/rider/mqtt-credentials",
    operation_id="revokeMqttCredentials",
    tags=["logistics"],
    status_code=204,
    response_class=Response,
    responses=problems(404, 503),
)
async def revoke_mqtt_credentials(principal: RiderUser, request: Request) -> Response:
    """Delete the rider's broker account; a connected client is disconnected."""
    live: Live = request.app.state.live
    await mqtt.revoke(_mqtt_url(live), principal.id)
    return Response(status_code=204)
