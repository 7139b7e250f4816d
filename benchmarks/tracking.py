"""Live tracking, measured on this machine (issue 13's Performance section).

    python benchmarks/tracking.py [--redis redis://127.0.0.1:6379/0] [--seconds 10]
                                  [--riders 200] [--watchers 1000] [--out tracking]
    python benchmarks/tracking.py --ingest-only [--ingest-riders 1000] [--note "..."] [--out ...]

1. Nearest free rider with 5,000 riders online, on both location indexes (in process, and Redis
   GEOSEARCH): p50/p99 of one query. Target p99 < 10 ms.
2. Fan-out through the live pub/sub as production runs it: a publishing broker (the process
   taking the riders' reports) and a subscribing one (an API process holding the sockets), two
   Redis connections. ``--riders`` riders report every 2 s, each to the channel its customer
   watches, ``--watchers`` subscriptions in all (a customer, plus the rest watching the city
   channel's share): p50/p99 from publish to the message in the subscriber's queue, messages/s
   delivered, messages dropped — beside a raw Redis PUBLISH → SUBSCRIBE round trip measured in
   the same run. Target p99 < 100 ms, nothing dropped.

3. End to end in production mode (``_tracking_e2e.py``): two ``kirana serve`` replicas and a
   ``kirana worker`` over PostgreSQL, Redis and a Mosquitto of the run's own; ``--riders``
   riders report over MQTT every 2 s to ``--watchers`` customer WebSockets split over the
   replicas: p50/p99 from the rider's fix to the customer's receipt, messages/s, dropped.
   Target p99 < 100 ms, nothing dropped.
4. Ping ingest: location reports/s one API process accepts over HTTP (wrk, ``--ingest-riders``
   riders' tokens in turn) beside a bare FastAPI endpoint validating the same JSON, with each
   server's CPU per request. Target at least 50%. ``--ingest-only`` runs this part alone.

Results go to benchmarks/results/<--out>.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import RESULTS, log, machine
from redis.asyncio import Redis

from kirana.live.broker import Message, RedisBroker, Subscription
from kirana.logistics.locations import (
    Fix,
    LocationIndex,
    MemoryLocationIndex,
    RedisLocationIndex,
)

TARGETS = {"nearest_p99_ms": 10.0, "fanout_p99_ms": 100.0, "dropped": 0, "ingest_ratio": 0.5}
CITY = (12.97, 77.59)  # the riders are spread over ~15 km around this point


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def nearest(index: LocationIndex, riders: int, queries: int) -> dict[str, float]:
    rng = random.Random(7)
    now = datetime.now(UTC)
    for n in range(riders):
        lat = CITY[0] + rng.uniform(-0.07, 0.07)
        lng = CITY[1] + rng.uniform(-0.07, 0.07)
        await index.put(Fix(f"r{n:05d}", lat, lng, now))
    times = []
    for _ in range(queries):
        lat = CITY[0] + rng.uniform(-0.05, 0.05)
        lng = CITY[1] + rng.uniform(-0.05, 0.05)
        started = time.perf_counter()
        found = await index.nearest(lat, lng, 3000, 10)
        times.append((time.perf_counter() - started) * 1000)
        assert found, "no rider within 3 km"
    return {"p50_ms": round(_pct(times, 0.5), 3), "p99_ms": round(_pct(times, 0.99), 3)}


async def raw_round_trip(url: str, samples: int) -> dict[str, float]:
    pub, sub = Redis.from_url(url), Redis.from_url(url)
    channel = f"bench:raw:{uuid.uuid4().hex}"
    pubsub = sub.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(channel)
    times = []
    try:
        for _ in range(samples):
            started = time.perf_counter()
            await pub.publish(channel, b"x" * 200)
            while (await pubsub.get_message(timeout=1.0)) is None:
                pass
            times.append((time.perf_counter() - started) * 1000)
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]
        await pub.aclose()
        await sub.aclose()
    return {"p50_ms": round(_pct(times, 0.5), 3), "p99_ms": round(_pct(times, 0.99), 3)}


async def fanout(url: str, riders: int, watchers: int, seconds: float) -> dict[str, Any]:
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    publisher = RedisBroker(url, prefix=prefix)
    subscriber = RedisBroker(url, prefix=prefix)
    subs = [Subscription([f"order:{n % riders}"], 256) for n in range(watchers)]
    for sub in subs:
        await subscriber.attach(sub)
    latencies: list[float] = []
    delivered = 0

    async def drain(sub: Subscription) -> None:
        nonlocal delivered
        while True:
            message = await sub.queue.get()
            sent = json.loads(message.text)["data"]["t"]
            latencies.append((time.perf_counter() - sent) * 1000)
            delivered += 1

    readers = [asyncio.create_task(drain(s)) for s in subs]
    published = 0
    started = time.perf_counter()
    try:
        # Each rider reports every 2 s, spread evenly over the 2 s.
        interval = 2.0 / riders
        next_at = started
        while time.perf_counter() - started < seconds:
            rider = published % riders
            data = {"lat": 12.97, "lng": 77.59, "eta_minutes": 7, "t": time.perf_counter()}
            await publisher.publish(
                f"order:{rider}", Message.make("rider.position", data), keep=False
            )
            published += 1
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        await asyncio.sleep(1.0)  # the last ones arrive
    finally:
        elapsed = time.perf_counter() - started
        for task in readers:
            task.cancel()
        await publisher.close()
        await subscriber.close()
    per_channel = [watchers // riders + (1 if n < watchers % riders else 0) for n in range(riders)]
    expected = sum(per_channel[n % riders] for n in range(published))
    return {
        "published": published,
        "delivered": delivered,
        "dropped": expected - delivered,
        "overflowed_subscriptions": sum(s.overflowed.is_set() for s in subs),
        "messages_per_second": round(delivered / elapsed, 1),
        "p50_ms": round(_pct(latencies, 0.5), 3) if latencies else None,
        "p99_ms": round(_pct(latencies, 0.99), 3) if latencies else None,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    log("1. nearest free rider, 5,000 riders")
    memory = await nearest(MemoryLocationIndex(), 5000, 2000)
    redis_index = RedisLocationIndex(args.redis, prefix=f"bench:{uuid.uuid4().hex[:8]}:")
    try:
        on_redis = await nearest(redis_index, 5000, 2000)
    finally:
        await redis_index.redis.delete(redis_index.geo_key, redis_index.fix_key)
        await redis_index.close()
    log(f"   in process {memory}, Redis {on_redis}")
    log("2. raw Redis PUBLISH -> SUBSCRIBE, then the live fan-out")
    raw = await raw_round_trip(args.redis, 2000)
    fan = await fanout(args.redis, args.riders, args.watchers, args.seconds)
    log(f"   raw {raw}; fan-out {fan}")
    return {
        "nearest": {"memory": memory, "redis": on_redis},
        "raw_redis_round_trip": raw,
        "fanout": fan,
        "fanout_p99_over_raw_p99": round(fan["p99_ms"] / raw["p99_ms"], 2)
        if fan["p99_ms"] and raw["p99_ms"]
        else None,
        "targets_met": {
            "nearest_memory": memory["p99_ms"] < TARGETS["nearest_p99_ms"],
            "nearest_redis": on_redis["p99_ms"] < TARGETS["nearest_p99_ms"],
            "fanout_p99": (fan["p99_ms"] or 1e9) < TARGETS["fanout_p99_ms"],
            "nothing_dropped": fan["dropped"] == 0,
        },
    }


def markdown(r: dict[str, Any], args: argparse.Namespace) -> str:
    m, n, raw, fan = r["machine"], r["nearest"], r["raw_redis_round_trip"], r["fanout"]
    met = r["targets_met"]

    def ok(flag: bool) -> str:
        return "met" if flag else "NOT met"

    return (
        "# Tracking benchmark\n\n"
        f"Run {m['when']} on {m['cpus']} CPUs, Python {m['python']}; load average "
        f"{tuple(round(x, 1) for x in m['load_average_before'])} at the start, "
        f"{tuple(round(x, 1) for x in m['load_average'])} at the end ({m['note']}).\n\n"
        "| measurement | result | target |\n|---|---|---|\n"
        f"| nearest free rider, 5,000 online, in process | p50 {n['memory']['p50_ms']} ms, "
        f"p99 {n['memory']['p99_ms']} ms | p99 < 10 ms: {ok(met['nearest_memory'])} |\n"
        f"| nearest free rider, 5,000 online, Redis GEOSEARCH | p50 {n['redis']['p50_ms']} ms, "
        f"p99 {n['redis']['p99_ms']} ms | p99 < 10 ms: {ok(met['nearest_redis'])} |\n"
        f"| raw Redis PUBLISH → SUBSCRIBE | p50 {raw['p50_ms']} ms, p99 {raw['p99_ms']} ms | |\n"
        f"| live fan-out, {args.riders} riders every 2 s to {args.watchers} subscriptions "
        f"({args.seconds:g} s) | p50 {fan['p50_ms']} ms, p99 {fan['p99_ms']} ms "
        f"({r['fanout_p99_over_raw_p99']}x raw p99), {fan['messages_per_second']} msg/s, "
        f"{fan['dropped']} dropped | p99 < 100 ms: {ok(met['fanout_p99'])}, nothing dropped: "
        f"{ok(met['nothing_dropped'])} |\n" + end_to_end_rows(r)
    )


def end_to_end_rows(r: dict[str, Any]) -> str:
    e, i = r.get("end_to_end"), r.get("ingest")
    if not e or not i:
        return "\nEnd to end and ping ingest: not run (--skip-e2e).\n"
    e_ok = "met" if (e["p99_ms"] or 1e9) < TARGETS["fanout_p99_ms"] else "NOT met"
    d_ok = "met" if e["dropped"] == 0 else "NOT met"
    i_ok = "met" if (i["ratio"] or 0) >= TARGETS["ingest_ratio"] else "NOT met"
    return (
        f"| end to end: {e['riders']} riders over MQTT every 2 s, {e['watchers']} customer "
        f"WebSockets over 2 replicas, a worker, events via the Redis stream ({e['seconds']} s) "
        f"| p50 {e['p50_ms']} ms, p99 {e['p99_ms']} ms, {e['messages_per_second']} msg/s, "
        f"{e['positions_received']} of {e['positions_expected']} received, {e['dropped']} "
        f"dropped ({e['riders_dispatched']} riders dispatched) | p99 < 100 ms: {e_ok}, "
        f"nothing dropped: {d_ok} |\n"
        f"| ping ingest over HTTP, one API process ({i['kirana']['connections']} connections) "
        f"| {i['kirana']['rps']} reports/s (p99 {i['kirana']['p99_ms']} ms, "
        f"{i['kirana']['non_2xx']} refused) beside a bare FastAPI endpoint's "
        f"{i['bare']['rps']}/s: {i['ratio']} | at least 0.5: {i_ok} |\n"
    )


def ingest_markdown(pings: dict[str, Any]) -> str:
    """Part 4 alone (``--ingest-only``)."""
    m, k, b = pings["machine"], pings["kirana"], pings["bare"]
    met = "met" if (pings["ratio"] or 0) >= TARGETS["ingest_ratio"] else "NOT met"
    return (
        "# Ping ingest\n\n"
        f"Run {m['when']} on {m['cpus']} CPUs, Python {m['python']}; load average "
        f"{tuple(round(x, 1) for x in m['load_average_before'])} at the start, "
        f"{tuple(round(x, 1) for x in m['load_average'])} at the end ({m['note']}).\n\n"
        f"One API process over HTTP, wrk -t2 -c{k['connections']} for {k['seconds']:g} s "
        f"after a pass as long that is not counted, {pings['riders']} riders' tokens in turn; "
        "beside it a bare FastAPI endpoint served the same way. Server CPU is the process's "
        "user + system time over the counted pass.\n\n"
        "| server | requests/s | p99 | refused | server CPU per request |\n"
        "|---|---|---|---|---|\n"
        f"| Kirana, POST /api/v1/rider/location | {k['rps']} | {k['p99_ms']} ms | "
        f"{k['non_2xx']} | {k['server_cpu_ms_per_request']} ms |\n"
        f"| bare FastAPI, POST /ping | {b['rps']} | {b['p99_ms']} ms | {b['non_2xx']} | "
        f"{b['server_cpu_ms_per_request']} ms |\n\n"
        f"Ratio {pings['ratio']} (target at least 0.5: {met}).\n"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--riders", type=int, default=200)
    parser.add_argument("--watchers", type=int, default=1000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--e2e-seconds", type=float, default=20)
    parser.add_argument("--ingest-connections", type=int, default=32)
    parser.add_argument("--skip-e2e", action="store_true", help="parts 1 and 2 only")
    parser.add_argument(
        "--ingest-only", action="store_true", help="part 4 only (ping ingest beside bare FastAPI)"
    )
    parser.add_argument(
        "--ingest-riders", type=int, default=1000, help="riders whose tokens ping ingest takes"
    )
    parser.add_argument(
        "--note",
        default="a 2-core machine; see the load averages for how busy it was",
        help="how busy the machine was, for the results",
    )
    parser.add_argument("--out", default="tracking")
    args = parser.parse_args()
    before = machine()
    if args.ingest_only:
        from _tracking_e2e import ingest

        log("4. ping ingest over HTTP beside a bare FastAPI endpoint")
        pings = ingest(args.pg, args.redis, 10, args.ingest_connections, args.ingest_riders)
        pings["machine"] = {
            **machine(),
            "load_average_before": before["load_average"],
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "note": args.note,
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{args.out}.json").write_text(json.dumps(pings, indent=2) + "\n")
        (RESULTS / f"{args.out}.md").write_text(ingest_markdown(pings))
        print(json.dumps(pings, indent=2))
        print("ratio to bare FastAPI:", pings["ratio"], "| target met:", pings["ratio"] >= 0.5)
        sys.exit(0)
    result = asyncio.run(main(args))
    if not args.skip_e2e:
        from _tracking_e2e import end_to_end, ingest

        log("3. end to end: MQTT -> replica -> Redis -> replica -> WebSocket")
        e2e = end_to_end(args.pg, args.redis, args.riders, args.watchers, args.e2e_seconds)
        log(f"   {e2e}")
        log("4. ping ingest over HTTP beside a bare FastAPI endpoint")
        pings = ingest(args.pg, args.redis, 10, args.ingest_connections, args.ingest_riders)
        log(f"   ratio {pings['ratio']}")
        result["end_to_end"], result["ingest"] = e2e, pings
        result["targets_met"].update(
            end_to_end_p99=(e2e["p99_ms"] or 1e9) < TARGETS["fanout_p99_ms"],
            end_to_end_nothing_dropped=e2e["dropped"] == 0,
            ingest_ratio=(pings["ratio"] or 0) >= TARGETS["ingest_ratio"],
        )
    result["machine"] = {
        **machine(),
        "load_average_before": before["load_average"],
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "note": args.note,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / f"{args.out}.md").write_text(markdown(result, args))
    print(json.dumps(result, indent=2))
    print(
        "ratio fan-out p99 / raw Redis p99:",
        result["fanout_p99_over_raw_p99"],
        "| targets met:",
        result["targets_met"],
    )
