"""Rider telemetry: one path for a position report, whichever way it came (HTTP, the rider's
WebSocket, MQTT).

A report is checked, then goes to the location index (every report), to the live channels
(the customer's order and the admin's city map, with a refreshed ETA) and, sampled, to the
database (the rider's row and the trip's breadcrumbs). A report that fails a check is dropped
and counted in ``kirana_telemetry_dropped_total{transport, reason}``; nothing of it is stored.

Checks, in order (the reason as counted):
``out_of_range`` (latitude outside ±90, longitude outside ±180, not a finite number),
``future`` / ``stale`` (a timestamp ahead of the server's clock, or older than the allowed age,
or not after the rider's last accepted report), ``not_a_rider`` (the account is no rider),
``wrong_rider`` (the report names a rider id that is not the sender's), ``off_shift``, and
``jump`` (farther from the last accepted position than the vehicle could have gone).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from redis.exceptions import RedisError

from kirana.kit import clock
from kirana.kit.clock import ensure_aware
from kirana.live.broker import Message
from kirana.live.channels import CITY, order_channel
from kirana.logistics import positions
from kirana.logistics.locations import Fix

if TYPE_CHECKING:
    from kirana.live.runtime import Live

log = logging.getLogger("kirana.telemetry")
T = TypeVar("T")
TRANSPORTS = ("http", "ws", "mqtt")
REASONS = ("out_of_range", "future", "stale", "not_a_rider", "wrong_rider", "off_shift", "jump")


class Dropped(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True, slots=True)
class Report:
    lat: float
    lng: float
    at: datetime | None = None  # when the phone took the fix; none: now
    rider_id: str | None = None  # the rider the report claims to be from, if it says


@dataclass(frozen=True, slots=True)
class Accepted:
    fix: Fix
    state: positions.RiderState
    sampled: bool


def parse_report(data: Any) -> Report:
    """A report from a JSON object ``{lat, lng, at?, rider_id?}`` (the WebSocket and MQTT
    payloads); anything else is ``out_of_range``."""
    if not isinstance(data, dict):
        raise Dropped("out_of_range", "a location report is a JSON object {lat, lng, at?}")
    lat, lng = data.get("lat"), data.get("lng")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lng)):
        raise Dropped("out_of_range", "lat and lng must be numbers")
    at = data.get("at")
    when: datetime | None = None
    if at is not None:
        try:
            when = ensure_aware(datetime.fromisoformat(str(at)))
        except ValueError as exc:
            raise Dropped("stale", "at must be an ISO 8601 timestamp") from exc
    rider_id = data.get("rider_id")
    return Report(
        float(lat),  # type: ignore[arg-type]
        float(lng),  # type: ignore[arg-type]
        when,
        str(rider_id) if rider_id is not None else None,
    )


def _check_fix(live: Live, report: Report, now: datetime) -> datetime:
    if not (
        math.isfinite(report.lat)
        and math.isfinite(report.lng)
        and -90 <= report.lat <= 90
        and -180 <= report.lng <= 180
    ):
        raise Dropped("out_of_range", "lat must be within ±90 and lng within ±180")
    at = report.at or now
    settings = live.settings
    if at > now + timedelta(seconds=settings.telemetry_max_future_seconds):
        raise Dropped("future", "the report's time is ahead of the server's clock")
    if at < now - timedelta(seconds=settings.telemetry_max_age_seconds):
        raise Dropped("stale", "the report is older than the allowed age")
    return at


def _check_rider(state: positions.RiderState | None, report: Report) -> positions.RiderState:
    if state is None:
        raise Dropped("not_a_rider", "this account is not set up as a rider of any store")
    if report.rider_id is not None and report.rider_id not in (state.rider_id, state.user_id):
        raise Dropped("wrong_rider", "the report names another rider")
    if not state.is_online:
        raise Dropped("off_shift", "start a shift before sending locations")
    return state


_REFUSALS = {
    "stale": "the report is not newer than the last accepted one",
    "jump": "the position moved farther than a rider could have gone",
}


async def ingest(live: Live, user_id: str, report: Report, transport: str) -> Accepted:
    """Check, index, publish and sample one report; raises :class:`Dropped` (counted). The
    motion check against the rider's last fix and the index's write are one step
    (``Live.keep_and_publish``). The database is touched only when the rider's state is not
    cached (a read) or a sample is due (a write), each in a transaction of its own: most
    reports touch none."""
    try:
        at = _check_fix(live, report, clock.now())
        state = _check_rider(await _rider_state(live, user_id), report)
        fix = Fix(state.rider_id, report.lat, report.lng, at)
        refused = await _quietly(live.keep_and_publish(fix, position_messages(state, fix)))
        if refused is not None:
            raise Dropped(refused, _REFUSALS[refused])
    except Dropped as dropped:
        live.metrics.telemetry_dropped.labels(transport, dropped.reason).inc()
        raise
    sampled = False
    if live.samples.due(state, at):
        async with live.db.transaction() as session:
            sampled = await positions.record_sample(
                session, state, lat=fix.lat, lng=fix.lng, at=at, every=live.sample_every
            )
        live.samples.stored(state, at)
    live.metrics.telemetry_accepted.labels(transport).inc()
    return Accepted(fix, state, sampled)


async def _rider_state(live: Live, user_id: str) -> positions.RiderState | None:
    state = positions.cached_rider_state(live.settings, user_id)
    if state is not None:
        return state
    async with live.db.transaction(write=False) as session:
        return await positions.rider_state(session, live.settings, user_id=user_id)


async def _quietly(step: Awaitable[T]) -> T | None:
    """A position is disposable: when Redis is away the report is still checked and sampled,
    and the next one, seconds later, goes to the index and the channels again."""
    try:
        return await step
    except (RedisError, OSError) as exc:
        log.warning("rider position not indexed or published: %s", exc)
        return None


def position_messages(state: positions.RiderState, fix: Fix) -> list[tuple[str, Message]]:
    """The position for the city map and, when the rider is on a trip, for each customer of
    the trip with their own ETA (``positions.drop_etas``: the rides to the earlier drops and
    their hand-overs counted): each channel with its message. A customer whose bag is a later
    drop watches the rider coming by way of the earlier ones, as the tracking endpoint says."""
    at = fix.at.isoformat()
    order_id = state.trip.order_id if state.trip else None
    city = Message.make(
        "rider.position",
        {
            "rider_id": state.rider_id,
            "store_id": state.store_id,
            "name": state.name,
            "order_id": order_id,
            "lat": fix.lat,
            "lng": fix.lng,
            "at": at,
        },
    )
    messages = [(CITY, city)]
    for drop_order_id, eta in positions.drop_etas(state, fix.lat, fix.lng).items():
        customer = Message.make(
            "rider.position",
            {
                "order_id": drop_order_id,
                "name": state.name,
                "lat": fix.lat,
                "lng": fix.lng,
                "eta_minutes": eta,
                "at": at,
            },
        )
        messages.append((order_channel(drop_order_id), customer))
    return messages
