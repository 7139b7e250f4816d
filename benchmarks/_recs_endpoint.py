"""``GET /api/v1/me/recommendations`` served over HTTP, as the app asks for its rails.

The demo city on a scratch PostgreSQL database (its customers have order history and the seed
builds the models, as ``kirana up`` does), ``kirana serve`` in its own process, and every demo
customer signed in once, reusing the token. Each customer opens rails as the app does — home
(buy again, trending), a product (bought together), the cart (you may have forgotten) — with a
pause between requests (exponential, mean ``think_s``). ``/healthz`` asked at the same pace by
the same clients is the ceiling: what an answer costs with no work behind it, in the same run.
Target (issue 16): p99 under 20 ms.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from typing import Any

import httpx
from _load import log, percentile, scratch_database, sqlalchemy_url
from _order_bench.serve import Server

from kirana.config import Settings
from kirana.kit.migrate import upgrade
from kirana.seed.demo import seed_demo

API = "/api/v1"
TARGET_P99_MS = 20.0
KINDS = ("buy_again", "trending", "bought_together", "forgotten")


async def _customer(
    base: str,
    phone: str,
    password: str,
    until: float,
    think_s: float,
    rng: random.Random,
    times: dict[str, list[float]],
    errors: list[str],
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        tokens = await http.post(f"{API}/auth/login", json={"phone": phone, "password": password})
        headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
        store_id = None
        for address in (await http.get(f"{API}/me/addresses", headers=headers)).json()["items"]:
            where = {"lat": address["lat"], "lng": address["lng"]}
            s = (await http.get(f"{API}/serviceability", params=where)).json()
            if s["serviceable"]:
                store_id = s["store"]["id"]
                break
        if store_id is None:
            errors.append(f"{phone}: no served address")
            return
        product_id: str | None = None
        while time.perf_counter() < until:
            await asyncio.sleep(min(rng.expovariate(1 / think_s), 10 * think_s))
            kind = rng.choice(KINDS)
            params: dict[str, Any] = {"store_id": store_id, "kind": kind, "limit": 12}
            if kind == "bought_together" and product_id:
                params["product_id"] = product_id
            started = time.perf_counter()
            r = await http.get(f"{API}/me/recommendations", params=params, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            if r.status_code != 200:
                errors.append(f"{kind}: {r.status_code} {r.text[:80]}")
                continue
            times.setdefault(kind, []).append(elapsed)
            items = r.json()["items"]
            if items and kind == "buy_again":
                product_id = rng.choice(items)["id"]
            await asyncio.sleep(min(rng.expovariate(1 / think_s), 10 * think_s))
            started = time.perf_counter()
            await http.get("/healthz")
            times.setdefault("healthz", []).append((time.perf_counter() - started) * 1000)


async def _drive(base: str, logins: list[Any], seconds: float, think_s: float) -> dict[str, Any]:
    times: dict[str, list[float]] = {}
    errors: list[str] = []
    rng = random.Random(16)
    until = time.perf_counter() + seconds
    await asyncio.gather(
        *(
            _customer(
                base,
                c.phone,
                c.password,
                until,
                think_s,
                random.Random(rng.random()),
                times,
                errors,
            )
            for c in logins
        )
    )
    return {"times": times, "errors": errors}


def measure(pg: str, seconds: float = 20.0, think_s: float = 0.25) -> dict[str, Any]:
    with scratch_database(pg, "kirana_bench_recs") as dsn:
        url = sqlalchemy_url(dsn)
        upgrade(url)
        log("endpoint: loading the demo city (orders and models) ...")
        logins = asyncio.run(seed_demo(Settings(database_url=url, run_workers=False)))
        customers = [login for login in logins if login.role == "customer"]
        with Server(url, workers=1) as server:
            log(f"endpoint: {len(customers)} customers for {seconds:.0f} s ...")
            # a warm-up round: the first answers fill the caches the service keeps
            asyncio.run(_drive(server.base, customers, 3.0, think_s))
            run = asyncio.run(_drive(server.base, customers, seconds, think_s))
    times, errors = run["times"], run["errors"]
    rails = [t for kind in KINDS for t in times.get(kind, [])]
    per_kind = {
        kind: {
            "requests": len(times.get(kind, [])),
            "p50_ms": round(statistics.median(times[kind]), 2),
            "p99_ms": round(percentile(times[kind], 99), 2),
        }
        for kind in (*KINDS, "healthz")
        if times.get(kind)
    }
    p99 = percentile(rails, 99)
    ceiling = percentile(times["healthz"], 99)
    return {
        "customers": len(customers),
        "seconds": seconds,
        "think_s": think_s,
        "requests": len(rails),
        "errors": len(errors),
        "first_errors": errors[:5],
        "p50_ms": round(statistics.median(rails), 2),
        "p99_ms": round(p99, 2),
        "healthz_p99_ms": round(ceiling, 2),
        "p99_over_healthz_p99": round(p99 / ceiling, 2),
        "per_kind": per_kind,
        "target_p99_ms": TARGET_P99_MS,
        "met": p99 < TARGET_P99_MS and not errors,
    }
