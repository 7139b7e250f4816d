"""The order benchmark's figures written to benchmarks/results/<name>.{json,md}."""

from __future__ import annotations

import json
from typing import Any

from _load import RESULTS


def _load(avg: Any) -> str:
    return str(tuple(round(x, 1) for x in avg))


def write_results(result: dict[str, Any], name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    s, h, n, f = (
        result["sessions"],
        result["hot_product"],
        result["naive_read_then_write"],
        result["floor"],
    )
    st, m = result["settings"], result["machine"]
    pg = result["pgbench_simple_update"]
    mark = {True: "met", False: "**not met**"}
    c, a = s["checkout"], s["all_requests"]
    md = f"""# Order placement benchmark: customers' sessions

Run {result["when"]} on {m["cpus"]} CPUs, PostgreSQL {m.get("postgresql")}, Python {m["python"]};
load average {_load(m["load_avg_at_start"])} at the start and {_load(m["load_avg_at_end"])} at the end
(the machine is shared: other processes were running; the 1-minute load at the start of each
round is in the table of rounds). `kirana serve --workers {st["server_workers"]}`, {st["clients"]} customers
active at once ({s["load_generator"]}), {st["seconds"]} s per timed round.

A session: sign in (POST /auth/refresh), GET /categories, a listing page of one category (a
second page half the time), one product, three PUT /cart/items, POST /orders with an
Idempotency-Key (cash on delivery, or a sandbox card then POST /payments/{{id}}/confirm).

| measurement (median round) | result | floor |
|---|---|---|
| pgbench -N (simple update), {st["clients"]} clients | {pg["tps"]:.0f} tps | |
| checkouts (201) | {s["checkouts_per_second"]}/s ({s["sessions_completed"]} sessions completed in {st["seconds"]} s) | |
| checkouts / pgbench -N | {s["ratio_to_pgbench"]:.1%} | ≥ {f["checkout_ratio"]["floor"]:.0%}: {mark[f["checkout_ratio"]["met"]]} |
| checkout latency p50 / p99 | {c["p50_ms"]} / {c["p99_ms"]} ms | p99 < {f["checkout_p99_ms"]["floor"]:.0f} ms: {mark[f["checkout_p99_ms"]["met"]]} |
| server errors (5xx or a dropped connection), each round | {f["no_server_errors"]["got"]} | none: {mark[f["no_server_errors"]["met"]]} |
| all requests | {s["requests_per_second"]}/s ({s["requests_ratio_to_pgbench"]:.1%} of pgbench -N), p50 {a["p50_ms"]} ms, p99 {a["p99_ms"]} ms | |
| requests in flight (mean, Little's law) | {s["mean_in_flight"]} | |
| server CPU per order (all uvicorn workers, the whole session) | {s["server_cpu_ms_per_order"]} ms ({s["server_cpu_ms_per_request"]} ms per request) | |
| PostgreSQL CPU per order / per pgbench -N transaction | {s["postgres_cpu_ms_per_order"]} ms / {pg["postgres_cpu_ms_per_transaction"]} ms | |
| load generator CPU per order (on the same cores) | {s["load_generator_cpu_ms_per_order"]} ms | |
| pgbench single-row conditional decrement | {result["pgbench_single_row"]["tps"]:.0f} tps | |
| hot product: {h["buyers"]} buyers (sign in, cart, checkout) for {st["hot_units"]} units | {h["buyers_per_second"]} buyers/s, {h["ratio_to_pgbench"]:.1%} of single-row pgbench; checkout p99 {h["checkout"]["p99_ms"]} ms | |
| hot product: sold / oversold (every round) | {h["sold"]} / {h["oversold"]} | 0 oversold: {mark[f["zero_oversell"]["met"]]} |
| hot product: refusals | {h["refusals"]} | clean 409: {mark[f["clean_409s"]["met"]]} |
| stock after (hot) | {h["stock_after"]} | |
| naive read-then-write, {n["buyers"]} buyers, {n["units"]} units | {n["sold"]} "sold" (oversold {n["oversold"]}), reserved reads {n["reserved_after"]} ({n["lost_updates"]} lost updates) | oversells: {mark[f["naive_oversells"]["met"]]} |

Refusals in the median round (kind:status:code): {s["refusals"] or "none"}.

Latency by request (median round):

| request | count | p50 ms | p99 ms | statuses |
|---|---:|---:|---:|---|
""" + "".join(
        f"| {k} | {v['count']} | {v['p50_ms']} | {v['p99_ms']} | {v['statuses']} |\n"
        for k, v in s["by_kind"].items()
    )
    md += (
        f"\nRounds (pgbench -N, then sessions, {st['seconds']} s each; the median round by ratio"
        " is reported above):\n\n"
        "| round | load avg | pgbench -N tps | checkouts/s | requests/s | ratio |"
        " checkout p50 / p99 ms | all p99 ms | server / PostgreSQL CPU per order ms |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    ) + "".join(
        f"| {i + 1} | {r['load_avg']} | {r['pgbench_tps']:.0f} | {r['checkouts_per_second']} |"
        f" {r['requests_per_second']} | {r['ratio']:.1%} |"
        f" {r['checkout_p50_ms']} / {r['checkout_p99_ms']} | {r['all_p99_ms']} |"
        f" {r['server_cpu_ms_per_order']} / {r['postgres_cpu_ms_per_order']} |\n"
        for i, r in enumerate(result["rounds"])
    )
    md += (
        "\nHot product rounds (single-row pgbench, then the buyers; oversell and 409s from"
        " every round):\n\n"
        "| round | single-row tps | buyers/s | ratio | checkout p99 ms | sold | oversold |"
        " losers clean 409 |\n"
        "|---|---:|---:|---:|---:|---:|---:|---|\n"
    ) + "".join(
        f"| {i + 1} | {r['pgbench_single_row_tps']:.0f} | {r['buyers_per_second']} |"
        f" {r['ratio']:.1%} | {r['checkout_p99_ms']} | {r['sold']} | {r['oversold']} |"
        f" {r['losers_clean_409']} |\n"
        for i, r in enumerate(h["rounds"])
    )
    (RESULTS / f"{name}.md").write_text(md)
