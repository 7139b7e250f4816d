"""A store's 50-item category page on PostgreSQL, beside a bare FastAPI + asyncpg endpoint.

    .venv/bin/python benchmarks/catalog_listing.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
                                                   [--seconds 10] [--connections 64] [--rounds 3]

1. A scratch PostgreSQL database is created, migrated and loaded with the demo city
   (~3,000 products, 4 stores).
2. ``kirana serve`` (uvicorn, one worker, httptools, the event loop of ``settings.event_loop``,
   default settings: the listing cache on, 2 s TTL) serves the real app; ``benchmarks/bare_pk_app.py`` — FastAPI + asyncpg reading
   one product row by primary key — is served by uvicorn with the same flags.
3. The same load generator (wrk, 64 connections, 2 threads) drives each for the same time,
   after a warm-up: the category page ``/api/v1/stores/{id}/products?category_id=..&limit=50``
   and the bare ``/products/{id}``. A third server runs Kirana with the cache off
   (``KIRANA_CATALOG_CACHE_SECONDS=0``) to show what the database path alone costs. Rounds are
   interleaved (bare, listing, cache off; three times by default) and the median round of
   each is reported, so a burst of load from elsewhere on the machine hits all alike.
4. It prints requests/s, p50 and p99 for each and the ratios (listing rps / bare rps, listing
   p99 / bare p99) against the targets (>= 0.40 and <= 1.5), and writes
   benchmarks/results/catalog_listing.{json,md}.

Loopback only; the scratch database is dropped and the servers stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from kirana.config import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import (
    RESULTS,
    ROOT,
    LoadResult,
    free_port,
    log,
    machine,
    scratch_database,
    server,
    sqlalchemy_url,
    uvicorn_flags,
    wrk,
)

TARGET_RPS_RATIO = 0.40
TARGET_P99_RATIO = 1.5
PAGE_SIZE = 50


def prepare(dsn: str) -> None:
    from kirana.config import Settings
    from kirana.kit.migrate import upgrade
    from kirana.seed.demo import seed_demo

    url = sqlalchemy_url(dsn)
    log("Migrating and seeding the demo city ...")
    upgrade(url)
    asyncio.run(seed_demo(Settings(database_url=url, run_workers=False)))


def category_page(base: str) -> tuple[str, str]:
    """A store's listing URL for a category with at least 50 items, and one product id."""
    store = httpx.get(f"{base}/api/v1/stores").json()["items"][0]
    for category in httpx.get(f"{base}/api/v1/categories").json():
        path = (
            f"/api/v1/stores/{store['id']}/products?category_id={category['id']}&limit={PAGE_SIZE}"
        )
        page = httpx.get(base + path).json()
        if len(page["items"]) == PAGE_SIZE:
            log(f"  page: {category['name']} at {store['name']} ({PAGE_SIZE} items)")
            return path, page["items"][0]["id"]
    raise RuntimeError("no category has a full 50-item page")


def measure(name: str, url: str, seconds: float, connections: int) -> LoadResult:
    log(f"  {name}: warm-up ...")
    wrk(url, connections=connections, seconds=3)
    log(f"  {name}: measuring {seconds:g}s at {connections} connections ...")
    result = wrk(url, connections=connections, seconds=seconds)
    if result.non_2xx:
        raise RuntimeError(f"{name}: {result.non_2xx} answers were not 2xx")
    if result.socket_errors:
        log(f"  {name}: {result.socket_errors} socket errors (timeouts on a loaded machine?)")
    log(f"  {name}: {result.rps:.0f} rps, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms")
    return result


def kirana_env(dsn: str, cache_seconds: float | None = None) -> dict[str, str]:
    env = {
        "KIRANA_DATABASE_URL": sqlalchemy_url(dsn),
        "KIRANA_LOG_LEVEL": "warning",
        "KIRANA_ENV": "development",
    }
    if cache_seconds is not None:
        env["KIRANA_CATALOG_CACHE_SECONDS"] = str(cache_seconds)
    return env


def median_result(runs: list[LoadResult]) -> LoadResult:
    """The round with the median requests/s (its latencies come with it)."""
    return sorted(runs, key=lambda r: r.rps)[len(runs) // 2]


def run(pg: str, seconds: float, connections: int, rounds: int) -> dict[str, Any]:
    kirana = str(ROOT / ".venv" / "bin" / "kirana")
    if not Path(kirana).exists():
        kirana = "kirana"
    bare_argv = [sys.executable, "-m", "uvicorn", "--app-dir", "benchmarks", "bare_pk_app:app"]
    runs: dict[str, list[LoadResult]] = {"bare": [], "listing": [], "listing_uncached": []}
    with scratch_database(pg, "kirana_bench_catalog") as dsn, contextlib.ExitStack() as stack:
        prepare(dsn)
        ports = [free_port() for _ in range(3)]
        listing_base = stack.enter_context(
            server(
                "kirana serve",
                [kirana, "serve", "--host", "127.0.0.1", "--port", str(ports[0])],
                kirana_env(dsn),
                ports[0],
            )
        )
        uncached_base = stack.enter_context(
            server(
                "kirana serve (cache off)",
                [kirana, "serve", "--host", "127.0.0.1", "--port", str(ports[1])],
                kirana_env(dsn, cache_seconds=0),
                ports[1],
            )
        )
        bare_base = stack.enter_context(
            server(
                "bare FastAPI + asyncpg",
                [*bare_argv, *uvicorn_flags(ports[2])],
                {"BARE_DSN": dsn},
                ports[2],
            )
        )
        path, product_id = category_page(listing_base)
        urls = {
            "bare": f"{bare_base}/products/{product_id}",
            "listing": listing_base + path,
            "listing_uncached": uncached_base + path,
        }
        # Interleaved rounds, so a burst of load from elsewhere on the machine hits all alike.
        for n in range(1, rounds + 1):
            log(f"Round {n} of {rounds}")
            for name, url in urls.items():
                runs[name].append(measure(name, url, seconds, connections))
    results = {name: median_result(rs) for name, rs in runs.items()}
    bare, listing, uncached = results["bare"], results["listing"], results["listing_uncached"]
    ratios = {
        "rps_ratio": listing.rps / bare.rps,
        "p99_ratio": listing.p99_ms / bare.p99_ms,
        "uncached_rps_ratio": uncached.rps / bare.rps,
        "uncached_p99_ratio": uncached.p99_ms / bare.p99_ms,
        # The same, from the median p99 over rounds (not the median-rps round's p99).
        "p99_median_ratio": statistics.median(r.p99_ms for r in runs["listing"])
        / statistics.median(r.p99_ms for r in runs["bare"]),
    }
    return {
        "benchmark": "catalog_listing",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "load_generator": f"wrk -t2 -c{connections} -d{seconds:g}s after a 3 s warm-up, "
        f"{rounds} interleaved rounds, median round reported; servers on uvicorn with the "
        f"{Settings().event_loop} event loop",
        "page_size": PAGE_SIZE,
        "results": {k: v.as_dict() for k, v in results.items()},
        "rounds": {k: [r.as_dict() for r in v] for k, v in runs.items()},
        "ratios": ratios,
        "targets": {"rps_ratio_min": TARGET_RPS_RATIO, "p99_ratio_max": TARGET_P99_RATIO},
        "met": ratios["rps_ratio"] >= TARGET_RPS_RATIO and ratios["p99_ratio"] <= TARGET_P99_RATIO,
    }


def markdown(report: dict[str, Any]) -> str:
    rows = report["results"]
    ratios = report["ratios"]
    lines = [
        "# Catalog listing benchmark",
        "",
        f"{report['when']} · {report['machine']['cpus']} CPUs · load average at the end "
        f"{', '.join(f'{x:.2f}' for x in report['machine']['load_average'])} · "
        f"{report['load_generator']}",
        "",
        "| endpoint (median round) | requests/s | p50 ms | p90 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    round_lines: list[str] = []
    labels = {
        "bare": "bare FastAPI + asyncpg, one row by primary key",
        "listing": f"Kirana: {report['page_size']}-item category page (default settings, cache on)",
        "listing_uncached": f"Kirana: {report['page_size']}-item category page, cache off",
    }
    for key in ("bare", "listing", "listing_uncached"):
        r = rows[key]
        per_round = ", ".join(
            f"{x['rps']:.0f} rps / p99 {x['p99_ms']:.0f} ms" for x in report["rounds"][key]
        )
        round_lines.append(f"- {labels[key]}: {per_round}")
        lines.append(
            f"| {labels[key]} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | {r['p99_ms']:.2f} |"
        )
    lines += [
        "",
        f"- listing rps / bare rps: **{ratios['rps_ratio']:.2f}** (target ≥ {TARGET_RPS_RATIO})",
        f"- listing p99 / bare p99: **{ratios['p99_ratio']:.2f}** (target ≤ {TARGET_P99_RATIO})",
        f"- median p99 over the rounds, listing / bare: {ratios['p99_median_ratio']:.2f}",
        f"- cache off: rps ratio {ratios['uncached_rps_ratio']:.2f}, "
        f"p99 ratio {ratios['uncached_p99_ratio']:.2f}",
        f"- targets met (median round): **{'yes' if report['met'] else 'no'}**",
        "",
        "Every round:",
        "",
        *round_lines,
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pg",
        default=os.environ.get("KIRANA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="any database on the PostgreSQL server (a scratch one is created beside it)",
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    report = run(args.pg, args.seconds, args.connections, args.rounds)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "catalog_listing.json").write_text(json.dumps(report, indent=2) + "\n")
    md = markdown(report)
    (RESULTS / "catalog_listing.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
