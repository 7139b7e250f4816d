"""The fleet report: for each rider over a window, time on shift, busy and idle, utilisation,
orders per rider-hour and distance per order, from the shift log, the deliveries and their
breadcrumbs. Admins read it on the Fleet screen beside the live map."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.catalog.geo import haversine_m
from kirana.kit import clock
from kirana.kit.clock import ensure_aware
from kirana.kit.errors import ValidationFailed
from kirana.logistics import repository as repo
from kirana.logistics.schemas import FleetFigures, FleetReport, FleetRider

DEFAULT_WINDOW = timedelta(hours=24)
LONGEST_WINDOW = timedelta(days=31)


def window(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    """The report's [since, until): the last 24 hours by default, at most 31 days."""
    end = ensure_aware(until) if until else clock.now()
    start = ensure_aware(since) if since else end - DEFAULT_WINDOW
    if start >= end:
        raise ValidationFailed(
            "The window's start must be before its end",
            code="invalid_window",
            errors=[{"field": "since", "message": "must be before until"}],
        )
    if end - start > LONGEST_WINDOW:
        raise ValidationFailed(
            "A fleet report covers at most 31 days; ask for a shorter window",
            code="window_too_long",
            errors=[{"field": "since", "message": "at most 31 days before until"}],
        )
    return start, end


def _overlap(start: datetime, end: datetime | None, since: datetime, until: datetime) -> float:
    """Seconds of [start, end) (open-ended: up to now) inside [since, until)."""
    begin, finish = _clipped(start, end, since, until)
    return (finish - begin).total_seconds()


def _clipped(
    start: datetime, end: datetime | None, since: datetime, until: datetime
) -> tuple[datetime, datetime]:
    """[start, end) (open-ended: up to now) cut to [since, until); empty when outside."""
    finish = min(ensure_aware(end) if end else clock.now(), until)
    begin = max(ensure_aware(start), since)
    return begin, max(begin, finish)


def _union_seconds(spans: list[tuple[datetime, datetime]]) -> float:
    """Seconds covered by any of ``spans``: a rider on a trip of three drops is busy once, not
    three times over."""
    total, reach = 0.0, None
    for begin, finish in sorted(spans):
        if reach is None or begin > reach:
            total += (finish - begin).total_seconds()
            reach = finish
        elif finish > reach:
            total += (finish - reach).total_seconds()
            reach = finish
    return total


def _trail_m(points: Sequence[tuple[float, float]]) -> float:
    return sum(haversine_m(*a, *b) for a, b in pairwise(points))


def _figures(
    online: float, busy: float, delivered: int, distances: Iterable[float]
) -> FleetFigures:
    walked = list(distances)
    return FleetFigures(
        online_seconds=round(online),
        busy_seconds=round(busy),
        idle_seconds=round(max(0.0, online - busy)),
        utilisation=round(min(1.0, busy / online), 3) if online else None,
        deliveries=delivered,
        orders_per_rider_hour=round(delivered / (online / 3600), 2) if online else None,
        distance_m_per_order=round(sum(walked) / len(walked), 1) if walked else None,
    )


async def report(
    session: AsyncSession, *, since: datetime | None, until: datetime | None, store_id: str | None
) -> FleetReport:
    start, end = window(since, until)
    stores = {}
    if store_id is not None:
        store = await catalog.get_admin_store(session, store_id)  # 404 store_not_found
        stores[store.id] = (store.lat, store.lng)
    riders, shifts, deliveries, crumbs = await repo.fleet_rows(session, start, end, store_id)
    for d in deliveries:
        if d.store_id not in stores:
            store = await catalog.get_admin_store(session, d.store_id)
            stores[d.store_id] = (store.lat, store.lng)
    online: dict[str, float] = defaultdict(float)
    for s in shifts:
        online[s.rider_id] += _overlap(s.started_at, s.ended_at, start, end)
    trails: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in crumbs:
        trails[c.delivery_id].append((c.lat, c.lng))
    spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    delivered: dict[str, int] = defaultdict(int)
    distance: dict[str, list[float]] = defaultdict(list)
    for d in deliveries:
        spans[d.rider_id].append(_clipped(d.assigned_at, d.ended_at, start, end))
        if d.delivered_at is None or not start <= ensure_aware(d.delivered_at) < end:
            continue
        delivered[d.rider_id] += 1
        distance[d.rider_id].append(_distance(d, trails.get(d.id, []), stores[d.store_id]))
    busy = {rider_id: _union_seconds(s) for rider_id, s in spans.items()}
    rows = [
        FleetRider(
            rider_id=r.id,
            name=r.name,
            store_id=r.store_id,
            vehicle=r.vehicle,
            is_online=r.is_online,
            **_figures(
                online[r.id], busy.get(r.id, 0.0), delivered[r.id], distance[r.id]
            ).model_dump(),
        )
        for r in riders
    ]
    totals = _figures(
        sum(online.values()),
        sum(busy.values()),
        sum(delivered.values()),
        [m for per_rider in distance.values() for m in per_rider],
    )
    return FleetReport(since=start, until=end, store_id=store_id, totals=totals, riders=rows)


def _distance(delivery: Any, trail: list[tuple[float, float]], store: tuple[float, float]) -> float:
    """The trip's length: its breadcrumbs from the store, or store to door in a straight line."""
    if len(trail) >= 2:
        return _trail_m([store, *trail])
    if delivery.drop_lat is None or delivery.drop_lng is None:
        return 0.0
    return haversine_m(*store, delivery.drop_lat, delivery.drop_lng)
