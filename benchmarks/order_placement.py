"""Order placement on PostgreSQL, measured beside pgbench on the same machine in the same run.

    python benchmarks/order_placement.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
                                         [--seconds 10] [--clients 64] [--workers 2]
                                         [--rounds 3]

1. pgbench's built-in simple-update script (``pgbench -N -c 64 -j 2 -T 10``) on a scratch
   pgbench database: the machine's write-transaction baseline.
2. Full checkouts against a real ``kirana serve`` (uvicorn) process: every customer's cart is
   filled beforehand, then 64 concurrent clients POST /api/v1/orders (reservation, payment
   intent, outbox event, snapshot) over loopback HTTP for the same time. orders/s, p50/p99, ratio.
   Steps 1 and 2 alternate for ``--rounds`` rounds, each checkout round set beside the pgbench
   round just before it (this machine's speed drifts over minutes); the median round is reported.
3. The hot product: pgbench running ``UPDATE hot SET q = q - 1 WHERE id = 1 AND q > 0`` at 64
   clients; then 64 concurrent buyers for one product's last units through the API. Every loser
   must get a clean 409 ``insufficient_stock``; on_hand/reserved are checked after: zero oversell.
   ``--rounds`` rounds, each a single-row pgbench run then a set of buyers (under a second);
   the median round's ratio is reported, and oversell and the 409s must hold in every round.
4. A deliberately naive read-then-write reservation (SELECT available; if enough, UPDATE
   reserved = :new — no lock, no condition) under the same concurrency, to show it oversells and
   so that the checks above are known to be able to catch it.

Loopback only, scratch databases (dropped at the end), stops by itself. Results go to
benchmarks/results/order_placement.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import time
from typing import Any

import asyncpg
from _load import RESULTS, admin_sql, dsn_for, log
from _order_bench.load import checkout_load
from _order_bench.pgbench import pgbench, pgbench_hot_row, pgbench_init, postgres_cpu_seconds
from _order_bench.serve import Server
from _order_bench.shop import (
    Seeded,
    add_customers,
    fill_carts,
    naive_reservation,
    seed,
    stock_state,
)

TARGET_CHECKOUT_RATIO = 0.20
TARGET_P99_MS = 150.0
TARGET_HOT_RATIO = 0.25
WARM_UP = 2_000  # orders placed before the timed rounds


# --- main -----------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> dict[str, Any]:
    from kirana.kit.migrate import upgrade

    base = args.pg
    tag = f"{os.getpid()}"
    app_db, bench_db = f"kirana_bench_{tag}", f"pgbench_scratch_{tag}"
    app_dsn = dsn_for(base, app_db)
    app_url = app_dsn.replace("postgresql://", "postgresql+asyncpg://")
    result: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_at_start": os.getloadavg(),
        },
        "settings": {
            "clients": args.clients,
            "seconds": args.seconds,
            "server_workers": args.workers,
            "products": args.products,
            "hot_units": args.hot_units,
            "rounds": args.rounds,
        },
    }
    await admin_sql(base, f"CREATE DATABASE {app_db}")
    await admin_sql(base, f"CREATE DATABASE {bench_db}")
    try:
        server_version = await (await asyncpg.connect(base)).fetchval("SHOW server_version")
        result["machine"]["postgresql"] = server_version
        log(f"migrating {app_db} ...")
        await asyncio.to_thread(upgrade, app_url)
        # Enough customers that nobody orders twice within the timed window.
        n_customers = args.customers
        seeded = await seed(
            app_url, products=args.products, customers=n_customers, on_hand=1_000_000
        )
        lines = [
            {seeded.products[(i * 7 + k) % len(seeded.products)]: 1 + (k % 2) for k in range(3)}
            for i in range(n_customers)
        ]
        await fill_carts(app_url, seeded, seeded.customers, lines)
        # Statistics, as autovacuum keeps them on a live database: without them the planner
        # guesses and scans a store's whole stock for three products.
        await admin_sql(app_dsn, "ANALYZE")

        # 1. pgbench's scratch database (pgbench -N runs in rounds with the checkouts, below)
        log("pgbench -i ...")
        await asyncio.to_thread(pgbench_init, base, bench_db)

        with Server(app_url, args.workers) as server:
            # warm-up at the measured concurrency, so that every pooled connection of every
            # worker has run every statement (its prepared statements and the types asyncpg
            # looks up once per connection): 200 orders at 16 clients left the first round's
            # p99 near 160 ms against near 95 ms in the rounds after it
            warm = seeded.customers[-WARM_UP:]
            await checkout_load(server.base, warm, args.clients, None)
            # Statistics again, now that the order tables are not empty. PostgreSQL keeps the
            # plans of its foreign-key checks per connection; made while `orders` looked empty
            # they read the whole table on every check, a cost that grows with each order (a
            # live database, analyzed by autovacuum, never plans against an empty table).
            await admin_sql(app_dsn, "ANALYZE")
            # 2. rounds of pgbench -N, then checkouts, each for the same time: the machine's speed
            # drifts by tens of per cent over minutes here, so each checkout round is set beside
            # the pgbench round just before it, and the median round is reported.
            customers = seeded.customers[:-WARM_UP]
            per_round = len(customers) // args.rounds
            rounds = []
            for r in range(args.rounds):
                log(
                    f"round {r + 1} of {args.rounds}: pgbench -N -c {args.clients} -j 2 -T {args.seconds} ..."
                )
                simple = await asyncio.to_thread(
                    pgbench, base, bench_db, ["-N"], args.seconds, args.clients
                )
                log(f"  pgbench -N: {simple['tps']:.0f} tps")
                log(
                    f"  checkout: {args.clients} clients for {args.seconds}s against kirana serve --workers {args.workers} ..."
                )
                cpu0, pg0 = server.cpu_seconds(), postgres_cpu_seconds()
                checkout = await checkout_load(
                    server.base,
                    customers[r * per_round : (r + 1) * per_round],
                    args.clients,
                    args.seconds,
                )
                if checkout["requests"] >= per_round:
                    # every buyer of the round was served before the time was up: the clients
                    # idled for the rest of it, and the rate would be understated
                    raise SystemExit(
                        f"round {r + 1} ran out of customers ({per_round} served in less than"
                        f" {args.seconds}s); run again with more, e.g. --customers"
                        f" {args.customers * 2}"
                    )
                requests = max(1, checkout["requests"])
                checkout["server_cpu_ms_per_request"] = round(
                    (server.cpu_seconds() - cpu0) / requests * 1000, 1
                )
                checkout["postgres_cpu_ms_per_request"] = round(
                    (postgres_cpu_seconds() - pg0) / requests * 1000, 2
                )
                # If the app cost nothing, the database's own work per order would still cap
                # the checkout rate at pgbench's rate times this (the machine shared the same way).
                checkout["database_only_ceiling_ratio"] = round(
                    simple["postgres_cpu_ms_per_transaction"]
                    / checkout["postgres_cpu_ms_per_request"],
                    3,
                )
                checkout["ratio_to_pgbench"] = round(
                    checkout["created_per_second"] / simple["tps"], 4
                )
                log(
                    f"  checkout: {checkout['created_per_second']} orders/s, p50 {checkout['p50_ms']} ms, "
                    f"server CPU {checkout['server_cpu_ms_per_request']} ms/order, "
                    f"p99 {checkout['p99_ms']} ms, ratio {checkout['ratio_to_pgbench']:.1%} (statuses {checkout['statuses']})"
                )
                rounds.append({"pgbench_simple_update": simple, "checkout": checkout})
            by_ratio = sorted(rounds, key=lambda x: x["checkout"]["ratio_to_pgbench"])
            median = by_ratio[len(by_ratio) // 2]
            result["pgbench_simple_update"] = median["pgbench_simple_update"]
            result["checkout"] = median["checkout"]
            result["checkout_rounds"] = [
                {
                    "pgbench_tps": x["pgbench_simple_update"]["tps"],
                    "orders_per_second": x["checkout"]["created_per_second"],
                    "ratio": x["checkout"]["ratio_to_pgbench"],
                    "p99_ms": x["checkout"]["p99_ms"],
                }
                for x in rounds
            ]
            checkout = result["checkout"]
            log(
                f"  median round: ratio {checkout['ratio_to_pgbench']:.1%}, p99 {checkout['p99_ms']} ms"
            )

            # 3. the hot product through the API, in rounds as well (one is under a second), each
            # beside a single-row pgbench run just before it
            from kirana.kit.db import Database

            hot_product = seeded.products[0]
            hot_rounds = []
            for r in range(args.rounds):
                log(
                    f"hot product, round {r + 1} of {args.rounds}: pgbench single-row decrement ..."
                )
                single = await asyncio.to_thread(
                    pgbench_hot_row, base, bench_db, args.seconds, args.clients
                )
                log(f"  pgbench hot row: {single['tps']:.0f} tps")
                db = Database(app_url, pool_size=2)
                hot_store = Seeded(seeded.store_id, seeded.products)
                await add_customers(db, hot_store, args.hot_units + args.hot_losers)
                await db.dispose()
                conn2 = await asyncpg.connect(app_dsn)
                # the last units: whatever is held stays held, only hot_units are left to sell
                await conn2.execute(
                    "UPDATE stock SET on_hand = reserved + $3"
                    " WHERE store_id = $1 AND product_id = $2",
                    seeded.store_id,
                    hot_product,
                    args.hot_units,
                )
                await conn2.close()
                before = await stock_state(app_dsn, seeded.store_id, hot_product)
                buyers = hot_store.customers
                await fill_carts(app_url, hot_store, buyers, [{hot_product: 1}] * len(buyers))
                log(
                    f"  {len(buyers)} buyers,"
                    f" {args.clients} at a time, for {args.hot_units} units ..."
                )
                hot = await checkout_load(server.base, buyers, args.clients, None)
                after = await stock_state(app_dsn, seeded.store_id, hot_product)
                hot["pgbench_single_row"] = single
                hot["ratio_to_pgbench"] = round(hot["per_second"] / single["tps"], 4)
                sold = hot["statuses"].get("201", 0)
                hot["sold"] = sold
                hot["stock_before"], hot["stock_after"] = before, after
                hot["oversold"] = max(0, after["reserved"] - after["on_hand"]) + max(
                    0, sold - args.hot_units
                )
                hot["losers_clean_409"] = hot["codes"].get("insufficient_stock", 0) == len(
                    buyers
                ) - sold and set(hot["statuses"]) <= {"201", "409"}
                hot["invariant_ok"] = (
                    sold == args.hot_units
                    and after["reserved"] == after["on_hand"]
                    and after["reserved"] == after["open_reservations"]
                    and after["bad_rows"] == 0
                )
                log(
                    f"  hot product: {hot['per_second']} checkouts/s ({sold} sold,"
                    f" {len(buyers) - sold} refused), p99 {hot['p99_ms']} ms,"
                    f" ratio {hot['ratio_to_pgbench']:.1%}, oversold {hot['oversold']},"
                    f" losers clean 409: {hot['losers_clean_409']},"
                    f" invariants: {hot['invariant_ok']}"
                )
                hot_rounds.append(hot)
            # the median round's rate; correctness must hold in every round
            hot = sorted(hot_rounds, key=lambda x: x["ratio_to_pgbench"])[len(hot_rounds) // 2]
            hot["oversold"] = max(x["oversold"] for x in hot_rounds)
            hot["losers_clean_409"] = all(x["losers_clean_409"] for x in hot_rounds)
            hot["invariant_ok"] = all(x["invariant_ok"] for x in hot_rounds)
            result["pgbench_single_row"] = hot["pgbench_single_row"]
            hot["rounds"] = [
                {
                    "pgbench_single_row_tps": x["pgbench_single_row"]["tps"],
                    "checkouts_per_second": x["per_second"],
                    "ratio": x["ratio_to_pgbench"],
                    "p99_ms": x["p99_ms"],
                    "sold": x["sold"],
                    "oversold": x["oversold"],
                    "losers_clean_409": x["losers_clean_409"],
                }
                for x in hot_rounds
            ]
            result["hot_product"] = hot
            log(
                f"  hot product, median round: ratio {hot['ratio_to_pgbench']:.1%};"
                f" in every round: oversold at most {hot['oversold']},"
                f" losers clean 409: {hot['losers_clean_409']}, invariants: {hot['invariant_ok']}"
            )

        # 4. naive read-then-write
        naive_product = seeded.products[1]
        conn3 = await asyncpg.connect(app_dsn)
        await conn3.execute(
            "UPDATE stock SET on_hand = reserved + 10 WHERE store_id = $1 AND product_id = $2",
            seeded.store_id,
            naive_product,
        )
        await conn3.close()
        naive = await naive_reservation(app_dsn, seeded.store_id, naive_product, args.clients)
        result["naive_read_then_write"] = naive
        log(
            f"  naive: {naive['sold']} sold for {naive['units']} units -> oversold {naive['oversold']} "
            f"(reserved reads {naive['reserved_after']}: {naive['lost_updates']} lost updates)"
        )

        result["targets"] = {
            "checkout_ratio": {
                "target": TARGET_CHECKOUT_RATIO,
                "got": checkout["ratio_to_pgbench"],
                "met": checkout["ratio_to_pgbench"] >= TARGET_CHECKOUT_RATIO,
            },
            "checkout_p99_ms": {
                "target": TARGET_P99_MS,
                "got": checkout["p99_ms"],
                "met": checkout["p99_ms"] < TARGET_P99_MS,
            },
            "hot_ratio": {
                "target": TARGET_HOT_RATIO,
                "got": hot["ratio_to_pgbench"],
                "met": hot["ratio_to_pgbench"] >= TARGET_HOT_RATIO,
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


def write_results(result: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "order_placement.json").write_text(json.dumps(result, indent=2) + "\n")
    c, h, n, t = (
        result["checkout"],
        result["hot_product"],
        result["naive_read_then_write"],
        result["targets"],
    )
    mark = {True: "met", False: "**not met**"}
    md = f"""# Order placement benchmark

Run {result["when"]} on {result["machine"]["cpus"]} CPUs, PostgreSQL {result["machine"].get("postgresql")},
Python {result["machine"]["python"]}; load average at start {tuple(round(x, 1) for x in result["machine"]["load_avg_at_start"])}
(the machine is shared: other processes were running). `kirana serve --workers {result["settings"]["server_workers"]}`,
{result["settings"]["clients"]} concurrent clients over loopback HTTP ({c["load_generator"]}; the hot product:
{h["load_generator"]}), {result["settings"]["seconds"]} s per timed phase. The database-only ceiling is
what checkout could reach if the application cost nothing: PostgreSQL's CPU per pgbench -N
transaction over its CPU per checkout.

| measurement | result | target |
|---|---|---|
| pgbench -N (simple update), {result["settings"]["clients"]} clients | {result["pgbench_simple_update"]["tps"]:.0f} tps | |
| full checkout (POST /orders: reservation, payment intent, outbox, snapshot) | {c["created_per_second"]} orders/s, p50 {c["p50_ms"]} ms, p99 {c["p99_ms"]} ms | |
| server CPU per checkout (all uvicorn workers) | {c["server_cpu_ms_per_request"]} ms | |
| PostgreSQL CPU per checkout / per pgbench -N transaction | {c["postgres_cpu_ms_per_request"]} ms / {result["pgbench_simple_update"]["postgres_cpu_ms_per_transaction"]} ms | |
| database-only ceiling (pgbench's database CPU / checkout's) | {c["database_only_ceiling_ratio"]:.1%} of pgbench -N | |
| checkout / pgbench -N | {c["ratio_to_pgbench"]:.1%} | ≥ {TARGET_CHECKOUT_RATIO:.0%}: {mark[t["checkout_ratio"]["met"]]} |
| checkout p99 | {c["p99_ms"]} ms | < {TARGET_P99_MS:.0f} ms: {mark[t["checkout_p99_ms"]["met"]]} |
| pgbench single-row conditional decrement | {result["pgbench_single_row"]["tps"]:.0f} tps | |
| hot product: {h["requests"]} buyers for {result["settings"]["hot_units"]} units | {h["per_second"]} checkouts/s (p99 {h["p99_ms"]} ms) | |
| hot product / single-row pgbench | {h["ratio_to_pgbench"]:.1%} | ≥ {TARGET_HOT_RATIO:.0%}: {mark[t["hot_ratio"]["met"]]} |
| hot product: sold / oversold | {h["sold"]} / {h["oversold"]} | 0 oversold: {mark[t["zero_oversell"]["met"]]} |
| hot product: losers | statuses {h["statuses"]}, codes {h["codes"]} | clean 409: {mark[t["clean_409s"]["met"]]} |
| stock after (hot) | {h["stock_after"]} | |
| naive read-then-write, {n["buyers"]} buyers, {n["units"]} units | {n["sold"]} "sold", reserved reads {n["reserved_after"]} | oversells: {mark[t["naive_oversells"]["met"]]} |

Checkout statuses (median round): {c["statuses"]} {c["codes"] or ""}.

Rounds (pgbench -N, then checkouts, {result["settings"]["seconds"]} s each; the median round by ratio is reported above):

| round | pgbench -N tps | orders/s | ratio | p99 ms |
|---|---:|---:|---:|---:|
""" + "".join(
        f"| {i + 1} | {r['pgbench_tps']:.0f} | {r['orders_per_second']} | {r['ratio']:.1%} | {r['p99_ms']} |\n"
        for i, r in enumerate(result["checkout_rounds"])
    )
    md += (
        f"\nHot product rounds (single-row pgbench for {result['settings']['seconds']} s, then"
        f" {h['requests']} buyers; the median round by ratio is reported above, oversell and"
        " 409s from every round):\n\n"
        "| round | pgbench single-row tps | checkouts/s | ratio | p99 ms | sold | oversold |"
        " losers clean 409 |\n"
        "|---|---:|---:|---:|---:|---:|---:|---|\n"
    ) + "".join(
        f"| {i + 1} | {r['pgbench_single_row_tps']:.0f} | {r['checkouts_per_second']} |"
        f" {r['ratio']:.1%} | {r['p99_ms']} |"
        f" {r['sold']} | {r['oversold']} | {r['losers_clean_409']} |\n"
        for i, r in enumerate(h["rounds"])
    )
    (RESULTS / "order_placement.md").write_text(md)


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
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--customers", type=int, default=60000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hot-units", type=int, default=300)
    parser.add_argument("--hot-losers", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print only; keep results files")
    ns = parser.parse_args()
    if "127.0.0.1" not in ns.pg and "localhost" not in ns.pg:
        raise SystemExit("loopback only: point --pg at 127.0.0.1")
    outcome = asyncio.run(main(ns))
    if not ns.no_write:
        write_results(outcome)
        log(f"wrote {RESULTS / 'order_placement.json'} and .md")
