"""The city simulator's speed: virtual minutes per wall second, against the services' own cost.

    .venv/bin/python benchmarks/simulate.py [--stores 2] [--riders 10] [--pickers 2]
                                            [--orders-per-hour 60] [--hours 1] [--speed 1e6]
                                            [--seed 1] [--out simulate]

1. ``kirana simulate``'s own function (``kirana.simulate.run.simulate``, what the command runs)
   on a small city for ``--hours`` of ordering, as fast as it goes (``--speed 1e6``), the
   strategy ``nearest``. Reported: wall time (all of it, and the event loop's alone, without
   the scratch database and the city's setup), virtual minutes per wall second (over all of
   it), the loop's wall milliseconds per order, and the run's metrics.
2. The ceiling, in the same run: the same work with no simulator around it. A scratch database
   and a city built the same way; then, for as many orders as the simulation placed, one after
   another, each order's whole life straight through the same service functions — the cart and
   checkout, the outbox relayed, picking and packing, the rider's pick-up and hand-over, the
   relay again — with no virtual clock, no event queue, no positions. Reported: wall
   milliseconds per order.

The ratio printed is the ceiling's milliseconds per order over the simulation's (1.0: the
simulator costs nothing beyond the services it drives). Issue 14 asks that a 2-hour,
600-orders-an-hour, 3-store city at 60x finish in under 3 minutes:
``--stores 3 --riders 30 --pickers 3 --orders-per-hour 600 --hours 2 --speed 60``. The machine
is shared (2 cores, other sessions); see the load note in the results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import RESULTS, load_note, log, machine

from kirana.config import Settings
from kirana.kit import market
from kirana.kit.db import Database
from kirana.kit.migrate import upgrade
from kirana.kit.outbox import drain
from kirana.logistics import service as logistics
from kirana.maps.routing import city_async
from kirana.orders import service as orders
from kirana.orders.schemas import OrderCreate
from kirana.orders.state import OrderStatus
from kirana.simulate.city import build_city
from kirana.simulate.demand import load
from kirana.simulate.engine import MAX_BASKET, START
from kirana.simulate.options import Options
from kirana.simulate.run import run_settings, simulate
from kirana.users.schemas import Principal


async def simulated(options: Options) -> dict[str, Any]:
    started = time.perf_counter()
    [outcome] = await simulate(Settings(), options)
    wall = time.perf_counter() - started
    minutes = outcome.metrics["simulated_minutes"]
    loop = outcome.trace.loop_wall_seconds
    return {
        "wall_seconds": round(wall, 2),  # with the scratch database and the city's setup
        "loop_wall_seconds": round(loop, 2),
        "simulated_minutes": minutes,
        "simulated_minutes_per_wall_second": round(minutes / wall, 2),
        "orders": outcome.metrics["orders"],
        # the loop's time per order, as the ceiling's (which has no setup in its time)
        "ms_per_order": round(loop * 1000 / max(1, outcome.metrics["orders"]), 1),
        "metrics": outcome.metrics,
    }


async def ceiling(options: Options, count: int) -> dict[str, Any]:
    """``count`` orders, each through its whole life, straight through the services."""
    with tempfile.TemporaryDirectory(prefix="kirana-bench-simulate-") as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'ceiling.db'}"
        settings = run_settings(Settings(), url, options, "nearest")
        market.configure(settings.market)
        await asyncio.to_thread(upgrade, url)
        map_ = await city_async(settings)
        rng = random.Random(options.seed)
        places = sorted(map_.geocoder.places, key=lambda p: (p.street, p.housenumber or "", p.lat))
        db = Database(url, pool_size=1)
        try:
            async with db.transaction() as session:
                city = await build_city(
                    session,
                    rng,
                    stores=1,
                    riders=1,
                    pickers=1,
                    customers=20,
                    places=places,
                    now=START,
                )
            [store] = city.stores
            [rider] = city.riders
            picker = Principal(id=city.pickers[store.id][0], role="store_staff", store_id=store.id)
            async with db.transaction() as session:
                await logistics.set_shift(session, rider.user_id, online=True)
            demand = load()
            started = time.perf_counter()
            for n in range(count):
                customer = city.customers[n % len(city.customers)]
                products = rng.sample(store.products, demand.basket_size(rng, MAX_BASKET))
                async with db.transaction() as session:
                    for product_id in products:
                        await orders.set_item(
                            session, settings, customer.user_id, product_id, 1, store.id
                        )
                async with db.transaction() as session:
                    _, answer = await orders.place_order(
                        session,
                        settings,
                        Principal(id=customer.user_id, role="customer", store_id=None),
                        f"ceiling-{n}",
                        OrderCreate(address_id=customer.address_id, payment_method="cod"),
                    )
                await drain(db)
                for status in (OrderStatus.PICKING, OrderStatus.PACKED):
                    async with db.transaction() as session:
                        await orders.staff_transition(session, picker, answer["id"], status)
                await drain(db)
                async with db.transaction() as session:
                    [task] = (await logistics.rider_tasks(session, orders, rider.user_id)).items
                    await logistics.mark_picked_up(session, orders, rider.user_id, task.delivery_id)
                await drain(db)
                async with db.transaction() as session:
                    code = (await orders.delivery_info(session, task.order_id)).delivery_otp
                    await logistics.mark_delivered(
                        session, orders, rider.user_id, task.delivery_id, otp=code
                    )
                await drain(db)
            wall = time.perf_counter() - started
        finally:
            await db.dispose()
    return {
        "orders": count,
        "wall_seconds": round(wall, 2),
        "ms_per_order": round(wall * 1000 / count, 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=2)
    parser.add_argument("--riders", type=int, default=10)
    parser.add_argument("--pickers", type=int, default=2)
    parser.add_argument("--orders-per-hour", type=float, default=60.0)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--speed", type=float, default=1e6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="simulate")
    args = parser.parse_args()
    options = Options(
        stores=args.stores,
        riders=args.riders,
        pickers=args.pickers,
        orders_per_hour=args.orders_per_hour,
        hours=args.hours,
        speed=args.speed,
        seed=args.seed,
    )
    options.check(Settings())
    before = machine()
    log(
        f"simulating {args.hours:g} h of {args.stores} stores at {args.orders_per_hour:g} orders/h ..."
    )
    run = await simulated(options)
    log(
        f"  {run['simulated_minutes']} virtual minutes in {run['wall_seconds']} s: "
        f"{run['simulated_minutes_per_wall_second']} virtual min per wall s, "
        f"{run['ms_per_order']} ms per order"
    )
    log(f"ceiling: {run['orders']} orders straight through the services ...")
    bare = await ceiling(options, max(1, run["orders"]))
    log(f"  {bare['ms_per_order']} ms per order")
    ratio = round(bare["ms_per_order"] / run["ms_per_order"], 3)
    report = {
        "options": vars(args),
        "simulation": run,
        "ceiling": bare,
        "ratio_ceiling_ms_to_simulation_ms": ratio,
        "machine_before": before,
        "machine_after": machine(),
        "note": f"{load_note()}; SQLite",
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(report, indent=2) + "\n")
    m = run["metrics"]
    md = "\n".join(
        [
            "# City simulator speed (benchmarks/simulate.py)",
            "",
            f"{report['note']}. Options: {args.stores} stores, {args.riders} riders, "
            f"{args.pickers} pickers a store, {args.orders_per_hour:g} orders/h for "
            f"{args.hours:g} h, speed {args.speed:g}, seed {args.seed}.",
            "",
            "| | orders | wall s | virtual min | virtual min / wall s | ms / order |",
            "|---|---|---|---|---|---|",
            f"| simulation | {run['orders']} | {run['wall_seconds']} | {run['simulated_minutes']} | "
            f"{run['simulated_minutes_per_wall_second']} | {run['ms_per_order']} |",
            f"| ceiling: the services alone | {bare['orders']} | {bare['wall_seconds']} | | | "
            f"{bare['ms_per_order']} |",
            "",
            f"Ratio (ceiling ms per order / simulation ms per order): **{ratio}**.",
            "",
            f"The run's figures: {m['deliveries']} deliveries, on time {m['on_time_share']}, "
            f"{m['orders_per_rider_hour']} orders per rider-hour, P50 {m['p50_delivery_minutes']} "
            f"min, P90 {m['p90_delivery_minutes']} min, P90 ETA coverage {m['eta_p90_coverage']}.",
            "",
        ]
    )
    (RESULTS / f"{args.out}.md").write_text(md)
    print(md)
    print(f"ceiling / simulation = {ratio}")


if __name__ == "__main__":
    asyncio.run(main())
