"""How well delivery promises were kept: on-time share, ETA error and its spread, by store and
by the hour the orders were handed over in (for the admin dashboard)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.catalog import service as catalog
from kirana.config import Settings
from kirana.kit import clock
from kirana.kit.errors import ValidationFailed
from kirana.orders import repository as repo
from kirana.orders.schemas import PromiseFigures, PromiseHour, PromiseReport, PromiseStore

MAX_SPAN = timedelta(days=31)
DEFAULT_SPAN = timedelta(hours=24)


def figures(outcomes: Sequence[tuple[float, float, float]]) -> PromiseFigures:
    """From (promised p50, promised p90, actual) minutes of each order."""
    errors = sorted(actual - p50 for p50, _, actual in outcomes)
    on_time = sum(1 for _, p90, actual in outcomes if actual <= p90)
    if not errors:
        return PromiseFigures(
            orders=0,
            on_time=0,
            on_time_share=None,
            error_mean=None,
            error_median=None,
            error_p10=None,
            error_p90=None,
        )
    if len(errors) == 1:
        p10 = p90 = errors[0]
    else:  # linear between the closest ranks, as numpy's default
        deciles = statistics.quantiles(errors, n=10, method="inclusive")
        p10, p90 = deciles[0], deciles[-1]
    return PromiseFigures(
        orders=len(errors),
        on_time=on_time,
        on_time_share=round(on_time / len(errors), 4),
        error_mean=round(statistics.fmean(errors), 2),
        error_median=round(statistics.median(errors), 2),
        error_p10=round(p10, 2),
        error_p90=round(p90, 2),
    )


def _window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    problems = [
        {"field": field, "message": "needs a time zone, e.g. 2026-12-03T10:00:00Z"}
        for field, value in (("from", start), ("to", end))
        if value is not None and value.tzinfo is None
    ]
    if problems:
        raise ValidationFailed("Times need a zone", code="time_zone_missing", errors=problems)
    end = end or clock.now()
    start = start or end - DEFAULT_SPAN
    if start >= end:
        raise ValidationFailed(
            "from must be before to",
            code="invalid_window",
            errors=[{"field": "from", "message": "must be before to"}],
        )
    if end - start > MAX_SPAN:
        raise ValidationFailed(
            f"At most {MAX_SPAN.days} days at once",
            code="window_too_long",
            errors=[{"field": "to", "message": f"at most {MAX_SPAN.days} days after from"}],
        )
    return start, end


async def promise_report(
    session: AsyncSession,
    settings: Settings,
    *,
    start: datetime | None,
    end: datetime | None,
    store_id: str | None,
) -> PromiseReport:
    """Orders handed over in [start, end) (the last 24 hours by default), of one store or all."""
    start, end = _window(start, end)
    if store_id is not None:
        await catalog.get_store(session, settings, store_id)  # 404 for an unknown store
    by_store: dict[str, list[tuple[datetime, float, float, float]]] = defaultdict(list)
    for row in await repo.delivered_between(session, start, end, store_id):
        at = clock.ensure_aware(row.delivered_at).astimezone(UTC)
        by_store[row.store_id].append(
            (at, float(row.eta_minutes), float(row.eta_p90_minutes), float(row.delivery_minutes))
        )
    names = await catalog.stores(session, settings)
    stores: list[PromiseStore] = []
    everything: list[tuple[float, float, float]] = []
    for sid, rows in by_store.items():
        hours: dict[datetime, list[tuple[float, float, float]]] = defaultdict(list)
        for at, p50, p90, actual in rows:
            hours[at.replace(minute=0, second=0, microsecond=0)].append((p50, p90, actual))
        outcomes = [(p50, p90, actual) for _, p50, p90, actual in rows]
        everything += outcomes
        store = names.get(sid)
        stores.append(
            PromiseStore(
                store_id=sid,
                store_name=store.name if store else sid,
                hours=[
                    PromiseHour(hour=hour, **figures(hours[hour]).model_dump())
                    for hour in sorted(hours)
                ],
                **figures(outcomes).model_dump(),
            )
        )
    stores.sort(key=lambda s: (s.store_name, s.store_id))
    return PromiseReport(
        start=start, end=end, store_id=store_id, overall=figures(everything), stores=stores
    )
