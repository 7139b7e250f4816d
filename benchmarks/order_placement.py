"""Customers' shopping sessions on PostgreSQL, measured beside pgbench on the same machine.

    python benchmarks/order_placement.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
                                         [--seconds 10] [--clients 64] [--think-ms 20]
                                         [--workers 2] [--rounds 3] [--out order_placement]

1. pgbench's built-in simple-update script (``pgbench -N -c 64 -j 2``) on a scratch pgbench
   database: the machine's write-transaction baseline.
2. Shopping sessions against a real ``kirana serve`` (uvicorn) process: 64 customers at once,
   each signing in, browsing (categories, a listing page or two, a product), filling the cart
   through the API and checking out (cash or a sandbox card), with think time between requests
   (benchmarks/_order_bench/sessions.py). Checkouts/s, p50/p99 of checkout and of all
   requests, the server's and PostgreSQL's CPU per order, the ratio to pgbench -N. Steps 1 and
   2 alternate for ``--rounds`` rounds, each session round set beside the pgbench round just
   before it (this machine's speed drifts over minutes); the median round is reported.
3. The hot product: pgbench running ``UPDATE hot SET q = q - 1 WHERE id = 1 AND q > 0`` at 64
   clients; then 500 buyers, 64 at a time, each signing in, putting the product in the cart and
   checking out, for its last 300 units. Every loser must get a clean 409
   ``insufficient_stock`` (at the cart or at checkout); on_hand/reserved and the open
   reservations are checked after: zero oversell. In rounds too; oversell and the 409s must
   hold in every round.
4. A deliberately naive read-then-write reservation (SELECT available; if enough, UPDATE
   reserved = :new — no lock, no condition) under the same concurrency, to show it oversells and
   so that the checks above are known to be able to catch it.

Loopback only, scratch databases (dropped at the end), every phase bounded in time; stops by
itself. Results go to benchmarks/results/<--out>.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import time
from typing import Any

import asyncpg
from _load import RESULTS, admin_sql, dsn_for, log, sqlalchemy_url
from _order_bench.pgbench import (
    pgbench,
    pgbench_hot_row,
    pgbench_init,
    postgres_cpu_between,
    postgres_cpu_by_backend,
)
from _order_bench.report import write_results
from _order_bench.serve import Server
from _order_bench.sessions import hot_buy, run_sessions, shopping
from _order_bench.shop import Seeded, add_customers, naive_reservation, seed, stock_state

FLOOR_CHECKOUT_RATIO = 0.12
FLOOR_P99_MS = 250.0
WARM_UP = 300  # sessions before the timed rounds
RAMP_S = 2.0  # the slots start spread over this, before each timed window


async def session_round(
    server: Server,
    seeded: Seeded,
    database: str,
    customers: list[Any],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """One timed round of shopping sessions, with the CPU each side spent in its window."""
    readings: dict[str, tuple[float, dict[int, float], float]] = {}

    def on_window(edge: str) -> None:
        readings[edge] = (
            server.cpu_seconds(),
            postgres_cpu_by_backend(database),
            time.process_time(),
        )

    load_avg = os.getloadavg()[0]
    got = await run_sessions(
        server.base,
        customers,
        shopping(seeded.store_id),
        clients=args.clients,
        think_ms=args.think_ms,
        seconds=args.seconds,
        ramp_s=RAMP_S,
        on_window=on_window,
    )
    orders = max(1, round(got["checkouts_per_second"] * got["elapsed_s"]))
    (s0, p0, c0), (s1, p1, c1) = readings["start"], readings["end"]
    got["load_avg_1min_at_start"] = round(load_avg, 2)
    # answers no customer should get: a server error, or a connection dropped without one
    got["server_errors"] = sum(n for k, n in got["refusals"].items() if ":5" in k or ":error:" in k)
    got["server_cpu_ms_per_order"] = round((s1 - s0) / orders * 1000, 2)
    got["postgres_cpu_ms_per_order"] = round(postgres_cpu_between(p0, p1) / orders * 1000, 2)
    got["load_generator_cpu_ms_per_order"] = round((c1 - c0) / orders * 1000, 2)
    got["server_cpu_ms_per_request"] = round((s1 - s0) / max(1, got["requests"]) * 1000, 2)
    return got


async def hot_round(
    server: Server, seeded: Seeded, app_url: str, app_dsn: str, args: argparse.Namespace
) -> dict[str, Any]:
    """The hot product's last ``hot_units`` units for ``hot_units + hot_losers`` buyers."""
    from kirana.kit.db import Database

    hot_product = seeded.products[0]
    db = Database(app_url, pool_size=2)
    buyers = Seeded(seeded.store_id, seeded.products)
    await add_customers(db, buyers, args.hot_units + args.hot_losers)
    await db.dispose()
    conn = await asyncpg.connect(app_dsn)
    # the last units: whatever is held stays held, only hot_units are left to sell
    await conn.execute(
        "UPDATE stock SET on_hand = reserved + $3 WHERE store_id = $1 AND product_id = $2",
        seeded.store_id,
        hot_product,
        args.hot_units,
    )
    await conn.close()
    before = await stock_state(app_dsn, seeded.store_id, hot_product)
    hot = await run_sessions(
        server.base,
        buyers.customers,
        hot_buy(seeded.store_id, hot_product),
        clients=args.clients,
        think_ms=args.think_ms,
        seconds=None,
    )
    after = await stock_state(app_dsn, seeded.store_id, hot_product)
    n = len(buyers.customers)
    sold = hot["by_kind"]["checkout"]["statuses"].get("201", 0)
    refused = {k: v for k, v in hot["refusals"].items()}
    clean = sum(v for k, v in refused.items() if k.endswith(":409:insufficient_stock"))
    hot.update(
        buyers=n,
        sold=sold,
        stock_before=before,
        stock_after=after,
        oversold=max(0, after["reserved"] - after["on_hand"]) + max(0, sold - args.hot_units),
        losers_clean_409=clean == n - sold and clean == sum(refused.values()),
        invariant_ok=sold == args.hot_units
        and after["reserved"] == after["on_hand"]
        and after["reserved"] == after["open_reservations"]
        and after["bad_rows"] == 0,
        # each buyer's whole session (sign-in, cart, checkout), over the run
        buyers_per_second=round(n / hot["elapsed_s"], 1),
    )
    return hot


async def main(args: argparse.Namespace) -> dict[str, Any]:
    from kirana.kit.migrate import upgrade

    base = args.pg
    tag = f"{os.getpid()}"
    app_db, bench_db = f"kirana_bench_{tag}", f"pgbench_scratch_{tag}"
    app_dsn = dsn_for(base, app_db)
    app_url = sqlalchemy_url(app_dsn)
    result: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_at_start": os.getloadavg(),
        },
        "settings": {
            "clients": args.clients,
            "think_ms": args.think_ms,
            "seconds": args.seconds,
            "server_workers": args.workers,
            "products": args.products,
            "categories": args.categories,
            "hot_units": args.hot_units,
            "rounds": args.rounds,
        },
    }
    await admin_sql(base, f"CREATE DATABASE {app_db}")
    await admin_sql(base, f"CREATE DATABASE {bench_db}")
    try:
        conn = await asyncpg.connect(base)
        result["machine"]["postgresql"] = await conn.fetchval("SHOW server_version")
        await conn.close()
        log(f"migrating {app_db} ...")
        await asyncio.to_thread(upgrade, app_url)
        seeded = await seed(
            app_url,
            products=args.products,
            categories=args.categories,
            customers=args.customers,
            on_hand=1_000_000,
        )
        # Statistics, as autovacuum keeps them on a live database.
        await admin_sql(app_dsn, "ANALYZE")
        log("pgbench -i ...")
        await asyncio.to_thread(pgbench_init, base, bench_db)

        with Server(app_url, args.workers) as server:
            # warm-up at the measured concurrency, so that every pooled connection of every
            # worker has run every statement before the timed rounds
            log(f"warm-up: {WARM_UP} sessions ...")
            warm = await run_sessions(
                server.base,
                seeded.customers[-WARM_UP:],
                shopping(seeded.store_id),
                clients=args.clients,
                think_ms=args.think_ms,
                seconds=None,
            )
            log(f"  {warm['elapsed_s']} s, refusals {warm['refusals']}")
            # Statistics again, now that the order tables are not empty: plans made while
            # `orders` looked empty read the whole table on every foreign-key check.
            await admin_sql(app_dsn, "ANALYZE")
            customers = seeded.customers[:-WARM_UP]
            per_round = len(customers) // args.rounds
            rounds = []
            for r in range(args.rounds):
                log(f"round {r + 1} of {args.rounds}: pgbench -N -c {args.clients} -j 2 ...")
                simple = await asyncio.to_thread(
                    pgbench, base, bench_db, ["-N"], args.seconds, args.clients
                )
                log(f"  pgbench -N: {simple['tps']:.0f} tps")
                got = await session_round(
                    server, seeded, app_db, customers[r * per_round : (r + 1) * per_round], args
                )
                got["ratio_to_pgbench"] = round(got["checkouts_per_second"] / simple["tps"], 4)
                got["requests_ratio_to_pgbench"] = round(
                    got["requests_per_second"] / simple["tps"], 4
                )
                log(
                    f"  sessions: {got['checkouts_per_second']} checkouts/s"
                    f" ({got['requests_per_second']} requests/s),"
                    f" checkout p50/p99 {got['checkout']['p50_ms']}/{got['checkout']['p99_ms']} ms,"
                    f" all p50/p99 {got['all_requests']['p50_ms']}/{got['all_requests']['p99_ms']}"
                    f" ms, ratio {got['ratio_to_pgbench']:.1%}, CPU/order server"
                    f" {got['server_cpu_ms_per_order']} ms, PostgreSQL"
                    f" {got['postgres_cpu_ms_per_order']} ms; refusals {got['refusals']}"
                )
                rounds.append({"pgbench_simple_update": simple, "sessions": got})
            by_ratio = sorted(rounds, key=lambda x: x["sessions"]["ratio_to_pgbench"])
            median = by_ratio[len(by_ratio) // 2]
            result["pgbench_simple_update"] = median["pgbench_simple_update"]
            result["sessions"] = median["sessions"]
            result["rounds"] = [
                {
                    "pgbench_tps": x["pgbench_simple_update"]["tps"],
                    "load_avg": x["sessions"]["load_avg_1min_at_start"],
                    "checkouts_per_second": x["sessions"]["checkouts_per_second"],
                    "requests_per_second": x["sessions"]["requests_per_second"],
                    "ratio": x["sessions"]["ratio_to_pgbench"],
                    "checkout_p50_ms": x["sessions"]["checkout"]["p50_ms"],
                    "checkout_p99_ms": x["sessions"]["checkout"]["p99_ms"],
                    "all_p99_ms": x["sessions"]["all_requests"]["p99_ms"],
                    "server_cpu_ms_per_order": x["sessions"]["server_cpu_ms_per_order"],
                    "postgres_cpu_ms_per_order": x["sessions"]["postgres_cpu_ms_per_order"],
                }
                for x in rounds
            ]
            log(f"  median round: ratio {result['sessions']['ratio_to_pgbench']:.1%}")

            hot_rounds = []
            for r in range(args.rounds):
                log(f"hot product, round {r + 1} of {args.rounds}: pgbench single-row ...")
                single = await asyncio.to_thread(
                    pgbench_hot_row, base, bench_db, args.seconds, args.clients
                )
                log(f"  pgbench hot row: {single['tps']:.0f} tps")
                hot = await hot_round(server, seeded, app_url, app_dsn, args)
                hot["pgbench_single_row"] = single
                hot["ratio_to_pgbench"] = round(hot["buyers_per_second"] / single["tps"], 4)
                log(
                    f"  hot product: {hot['buyers']} buyers in {hot['elapsed_s']} s"
                    f" ({hot['sold']} sold), checkout p99 {hot['checkout']['p99_ms']} ms,"
                    f" ratio {hot['ratio_to_pgbench']:.1%}, oversold {hot['oversold']},"
                    f" losers clean 409: {hot['losers_clean_409']} {hot['refusals']},"
                    f" invariants: {hot['invariant_ok']}"
                )
                hot_rounds.append(hot)
            # the median round's rate; correctness must hold in every round
            hot = sorted(hot_rounds, key=lambda x: x["ratio_to_pgbench"])[len(hot_rounds) // 2]
            hot["oversold"] = max(x["oversold"] for x in hot_rounds)
            hot["losers_clean_409"] = all(x["losers_clean_409"] for x in hot_rounds)
            hot["invariant_ok"] = all(x["invariant_ok"] for x in hot_rounds)
            hot["rounds"] = [
                {
                    "pgbench_single_row_tps": x["pgbench_single_row"]["tps"],
                    "buyers_per_second": x["buyers_per_second"],
                    "ratio": x["ratio_to_pgbench"],
                    "checkout_p99_ms": x["checkout"]["p99_ms"],
                    "sold": x["sold"],
                    "oversold": x["oversold"],
                    "losers_clean_409": x["losers_clean_409"],
                    "refusals": x["refusals"],
                }
                for x in hot_rounds
            ]
            result["pgbench_single_row"] = hot["pgbench_single_row"]
            result["hot_product"] = hot

        naive_product = seeded.products[1]
        conn = await asyncpg.connect(app_dsn)
        await conn.execute(
            "UPDATE stock SET on_hand = reserved + 10 WHERE store_id = $1 AND product_id = $2",
            seeded.store_id,
            naive_product,
        )
        await conn.close()
        naive = await naive_reservation(app_dsn, seeded.store_id, naive_product, args.clients)
        result["naive_read_then_write"] = naive
        log(
            f"  naive: {naive['sold']} sold for {naive['units']} units -> oversold"
            f" {naive['oversold']} (reserved reads {naive['reserved_after']}:"
            f" {naive['lost_updates']} lost updates)"
        )
        s = result["sessions"]
        result["floor"] = {
            "checkout_ratio": {
                "floor": FLOOR_CHECKOUT_RATIO,
                "got": s["ratio_to_pgbench"],
                "met": s["ratio_to_pgbench"] >= FLOOR_CHECKOUT_RATIO,
            },
            "checkout_p99_ms": {
                "floor": FLOOR_P99_MS,
                "got": s["checkout"]["p99_ms"],
                "met": s["checkout"]["p99_ms"] < FLOOR_P99_MS,
            },
            "no_server_errors": {
                "got": [x["sessions"]["server_errors"] for x in rounds],
                "met": all(x["sessions"]["server_errors"] == 0 for x in rounds),
            },
            "zero_oversell": {"met": hot["oversold"] == 0 and hot["invariant_ok"]},
            "clean_409s": {"met": hot["losers_clean_409"]},
            "naive_oversells": {"met": naive["oversold"] > 0 or naive["lost_updates"] > 0},
        }
        result["machine"]["load_avg_at_end"] = os.getloadavg()
    finally:
        await admin_sql(base, f"DROP DATABASE IF EXISTS {app_db} WITH (FORCE)")
        await admin_sql(base, f"DROP DATABASE IF EXISTS {bench_db} WITH (FORCE)")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get("KIRANA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument(
        "--think-ms", type=float, default=20.0, help="mean think time before each request"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--categories", type=int, default=10)
    parser.add_argument("--customers", type=int, default=12_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hot-units", type=int, default=300)
    parser.add_argument("--hot-losers", type=int, default=200)
    parser.add_argument("--out", default="order_placement", help="results file name (no suffix)")
    parser.add_argument("--no-write", action="store_true", help="print only; keep results files")
    ns = parser.parse_args()
    if "127.0.0.1" not in ns.pg and "localhost" not in ns.pg:
        raise SystemExit("loopback only: point --pg at 127.0.0.1")
    outcome = asyncio.run(main(ns))
    s = outcome["sessions"]
    print(
        f"checkouts {s['checkouts_per_second']}/s = {s['ratio_to_pgbench']:.1%} of pgbench -N"
        f" ({outcome['pgbench_simple_update']['tps']:.0f} tps), checkout p99"
        f" {s['checkout']['p99_ms']} ms"
    )
    if not ns.no_write:
        write_results(outcome, ns.out)
        log(f"wrote {RESULTS / ns.out}.json and .md")
