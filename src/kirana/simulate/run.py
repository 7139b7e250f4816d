"""One simulated city, start to end: check the options, make a scratch database, build the city,
run it under a strategy, and measure what the services recorded. ``kirana simulate`` calls
:func:`simulate`; the benchmark and the tests call it too."""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kirana.config import Settings
from kirana.kit import market
from kirana.kit.db import Database
from kirana.kit.migrate import upgrade
from kirana.logistics import dispatch, fleet, locations
from kirana.maps.routing import city_async
from kirana.orders import service as orders
from kirana.orders.models import Order
from kirana.seed.demo import DEMO_MARKET
from kirana.simulate import demand as demand_data
from kirana.simulate.city import build_city
from kirana.simulate.demand import percentile
from kirana.simulate.engine import START, Simulation, Trace
from kirana.simulate.options import STRATEGY_SETTING, Options


@dataclass(frozen=True, slots=True)
class Outcome:
    strategy: str
    metrics: dict[str, Any]
    trace: Trace
    fleet: dict[str, Any]
    promise: dict[str, Any]
    deliveries: list[dict[str, Any]]  # per order: placed, items, promised p50/p90, actual


def run_settings(base: Settings, database_url: str, options: Options, strategy: str) -> Settings:
    """The settings of a run: its scratch database, the demo market, the strategy (when the
    build has the setting). The caches keep their times to live, counted in virtual seconds
    (``kit.clock.monotonic``), as a live process counts them in real ones."""
    update: dict[str, Any] = {
        "database_url": database_url,
        "pickers_per_store": options.pickers,
        "currency": DEMO_MARKET.currency,
        "phone_region": DEMO_MARKET.phone_region,
        "time_zone": DEMO_MARKET.time_zone,
        "locale": DEMO_MARKET.locale,
        "redis_url": None,
    }
    if STRATEGY_SETTING in type(base).model_fields:
        update[STRATEGY_SETTING] = strategy
    return base.model_copy(update=update)


def _round(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


async def _measure(db: Database, settings: Settings, trace: Trace, strategy: str) -> Outcome:
    """The figures, from what the services recorded: each order's promise and its minutes from
    confirmation to hand-over, the promise report, and the fleet report over the run."""
    async with db.transaction(write=False) as session:
        rows = (
            await session.execute(
                select(
                    Order.id,
                    Order.eta_minutes,
                    Order.eta_p90_minutes,
                    Order.delivery_minutes,
                    Order.item_count,
                ).order_by(Order.created_at, Order.id)
            )
        ).all()
        end = trace.ended + timedelta(seconds=1)
        report = await fleet.report(session, since=START, until=end, store_id=None)
        promise = await orders.promise_report(
            session, settings, start=START, end=end, store_id=None
        )
    ended_s = trace.simulated_seconds
    deliveries = []
    for row in rows:
        placed = trace.orders[row.id].placed_at if row.id in trace.orders else 0.0
        deliveries.append(
            {
                "placed_minute": round(placed / 60, 2),
                "items": row.item_count,
                "p50": row.eta_minutes,
                "p90": row.eta_p90_minutes,
                "minutes": None if row.delivery_minutes is None else float(row.delivery_minutes),
            }
        )
    delivered = [d for d in deliveries if d["minutes"] is not None]
    on_time = sum(1 for d in delivered if d["minutes"] <= d["p90"])
    # Late without being delivered: orders whose P90 passed before the run ended.
    overdue = sum(
        1
        for d in deliveries
        if d["minutes"] is None and d["placed_minute"] + d["p90"] < ended_s / 60
    )
    minutes = sorted(d["minutes"] for d in delivered)
    counted = len(delivered) + overdue
    metrics = {
        "strategy": strategy,
        "orders": len(deliveries),
        "refused": sum(trace.refused.values()),
        "deliveries": len(delivered),
        "undelivered": len(deliveries) - len(delivered),
        "on_time_share": _round(on_time / counted) if counted else None,
        "orders_per_rider_hour": report.totals.orders_per_rider_hour,
        "rider_utilisation": report.totals.utilisation,
        "p50_delivery_minutes": _round(percentile(minutes, 0.5), 2) if minutes else None,
        "p90_delivery_minutes": _round(percentile(minutes, 0.9), 2) if minutes else None,
        "eta_p90_coverage": promise.overall.on_time_share,
        "eta_error_median_minutes": promise.overall.error_median,
        "simulated_minutes": round(ended_s / 60, 2),
    }
    return Outcome(
        strategy=strategy,
        metrics=metrics,
        trace=trace,
        fleet=report.totals.model_dump(),
        promise=promise.overall.model_dump(),
        deliveries=deliveries,
    )


@asynccontextmanager
async def city_simulation(
    base: Settings, options: Options, strategy: str, folder: Path
) -> AsyncIterator[Simulation]:
    """The run's scratch database in ``folder``, migrated, with the city built in it, and the
    simulation over them (not started); the database is closed on the way out."""
    url = f"sqlite+aiosqlite:///{folder / f'{strategy}.db'}"
    settings = run_settings(base, url, options, strategy)
    market.configure(settings.market)
    await asyncio.to_thread(upgrade, url)
    map_ = await city_async(settings)
    rng = random.Random(options.seed)  # the city: the same for every strategy
    places = sorted(map_.geocoder.places, key=lambda p: (p.street, p.housenumber or "", p.lat))
    customers = max(20, min(2000, int(options.orders_per_hour * options.hours / 2)))
    db = Database(url, pool_size=1)
    locations.use(locations.MemoryLocationIndex())
    dispatch.configure(settings)  # the run's strategy and limits, as create_app sets them
    try:
        async with db.transaction() as session:
            city = await build_city(
                session,
                rng,
                stores=options.stores,
                riders=options.riders,
                pickers=options.pickers,
                customers=customers,
                places=places,
                now=START,
            )
        yield Simulation(
            db,
            settings,
            city,
            demand_data.load(),
            orders_per_hour=options.orders_per_hour,
            hours=options.hours,
            seed=options.seed,
            speed=options.speed,
        )
    finally:
        await db.dispose()


async def _run_one(
    base: Settings,
    options: Options,
    strategy: str,
    folder: Path,
    progress: Callable[[str, float, float], None] | None,
) -> Outcome:
    total = options.hours * 3600

    def tick(now: float) -> None:
        if progress is not None:
            progress(strategy, now, total)

    async with city_simulation(base, options, strategy, folder) as sim:
        trace = await sim.run(tick)
        return await _measure(sim.db, sim.settings, trace, strategy)


async def simulate(
    base: Settings,
    options: Options,
    progress: Callable[[str, float, float], None] | None = None,
) -> list[Outcome]:
    """Each strategy on the same city and the same demand (the seed makes both)."""
    options.check(base)
    with tempfile.TemporaryDirectory(prefix="kirana-simulate-") as scratch:
        return [
            await _run_one(base, options, strategy, Path(scratch), progress)
            for strategy in options.strategies
        ]
