"""Live tracking end to end in production mode, on loopback (the second half of
``benchmarks/tracking.py``).

Two ``kirana serve`` replicas and a ``kirana worker`` (events through the Redis stream) over a
scratch PostgreSQL database, Redis, and a Mosquitto of the run's own with its dynamic-security
plugin. ``riders`` riders go on shift, each gets a customer's order (the worker dispatches
them) and its own MQTT account; ``watchers`` customer WebSockets, split over the two
replicas, watch those orders (a customer's phone and laptop, several a family: each order is
watched by ``watchers / riders`` sockets). Each rider then reports over MQTT every 2 s with the
time it took the fix; a socket's receipt of ``rider.position`` minus that time is the
latency. Dropped = reports times their order's sockets, minus the positions received.

Then ping ingest: location reports per second over HTTP that one API process accepts (wrk,
1,000 riders' tokens in turn, so each rider reports every few seconds), beside a bare FastAPI endpoint that validates the same JSON,
served by uvicorn the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiomqtt
import asyncpg
import httpx
import orjson
from _load import (
    LOOPBACK,
    ROOT,
    free_port,
    log,
    scratch_database,
    server,
    sqlalchemy_url,
    uvicorn_flags,
    wrk,
)
from _order_bench import SECRET
from _order_bench.shop import add_riders, seed
from websockets.asyncio.client import connect

MOSQUITTO = Path("/usr/sbin/mosquitto")
DYNSEC = Path("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so")
STORE = (60.17, 24.94)  # where the benchmark store stands (shop.seed)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


@contextlib.contextmanager
def mosquitto() -> Iterator[str]:
    """A Mosquitto on a free port whose one account is Kirana's dynsec admin: its mqtt:// URL."""
    for need in (MOSQUITTO, DYNSEC):
        if not need.exists():
            raise SystemExit(f"{need} is missing: apt-get install -y mosquitto")
    with tempfile.TemporaryDirectory(prefix="kirana-bench-mqtt-") as tmp:
        password = uuid.uuid4().hex
        dynsec = Path(tmp) / "dynsec.json"
        subprocess.run(
            ["mosquitto_ctrl", "dynsec", "init", str(dynsec), "kirana", password],
            check=True,
            capture_output=True,
        )
        port = free_port()
        conf = Path(tmp) / "mosquitto.conf"
        conf.write_text(
            f"listener {port} {LOOPBACK}\nallow_anonymous false\npersistence false\n"
            f"user root\nplugin {DYNSEC}\nplugin_opt_config_file {dynsec}\n"
            f"log_dest file {tmp}/mosquitto.log\nmax_keepalive 120\n"
        )
        proc = subprocess.Popen([str(MOSQUITTO), "-c", str(conf)])
        try:
            time.sleep(0.5)
            yield f"mqtt://kirana:{password}@{LOOPBACK}:{port}"
        finally:
            proc.terminate()
            proc.wait(10)


@contextlib.contextmanager
def worker(env: dict[str, str]) -> Iterator[None]:
    kirana = shutil.which("kirana", path=str(Path(sys.executable).parent)) or "kirana"
    proc = subprocess.Popen(
        [kirana, "worker"],
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(20)


async def _gather_limited(n: int, coros: list[Any]) -> list[Any]:
    gate = asyncio.Semaphore(n)

    async def one(c: Any) -> Any:
        async with gate:
            return await c

    return await asyncio.gather(*(one(c) for c in coros))


async def _token(http: httpx.AsyncClient, refresh: str) -> str:
    r = await http.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    r.raise_for_status()
    return str(r.json()["access_token"])


async def _rider_on_shift(
    http: httpx.AsyncClient, refresh: str, n: int, *, mqtt: bool = True
) -> dict[str, Any]:
    token = await _token(http, refresh)
    headers = {"Authorization": f"Bearer {token}"}
    (
        await http.post("/api/v1/rider/shift", json={"online": True}, headers=headers)
    ).raise_for_status()
    at = {"lat": STORE[0] + 0.0001 * (n % 10), "lng": STORE[1] + 0.0001 * (n // 10 % 10)}
    (await http.post("/api/v1/rider/location", json=at, headers=headers)).raise_for_status()
    if not mqtt:
        return {"token": token, "at": at}
    creds = await http.post("/api/v1/rider/mqtt-credentials", headers=headers)
    creds.raise_for_status()
    return {"token": token, "at": at, "mqtt": creds.json()}


async def _order(
    http: httpx.AsyncClient, customer: Any, store_id: str, product: str
) -> tuple[str, str]:
    token = await _token(http, customer.refresh_token)
    headers = {"Authorization": f"Bearer {token}"}
    r = await http.put(
        f"/api/v1/cart/items/{product}",
        json={"quantity": 1, "store_id": store_id},
        headers=headers,
    )
    r.raise_for_status()
    r = await http.post(
        "/api/v1/orders",
        json={"address_id": customer.address_id, "payment_method": "cod"},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    r.raise_for_status()
    return str(r.json()["id"]), token


class Watchers:
    """The customers' sockets: each position's latency, and what each order's sockets got."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.received = 0
        self.per_order: dict[str, int] = defaultdict(int)
        self.closed = 0

    async def watch(
        self, url: str, order_id: str, ready: asyncio.Event, stop: asyncio.Event
    ) -> None:
        async with connect(url, open_timeout=30, max_queue=None) as ws:
            hello = orjson.loads(await ws.recv())
            assert hello["type"] == "hello", hello
            ready.set()
            self.per_order[order_id] += 1
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 1.0)
                except TimeoutError:
                    continue
                frame = orjson.loads(raw)
                if frame["type"] == "ping":
                    await ws.send('{"type": "pong"}')
                elif frame["type"] == "rider.position":
                    took = datetime.now(UTC) - datetime.fromisoformat(frame["data"]["at"])
                    self.latencies.append(took.total_seconds() * 1000)
                    self.received += 1


async def _ride(
    creds: dict[str, Any], start: dict[str, float], seconds: float, sent: list[int]
) -> None:
    m = creds["mqtt"]
    rng = random.Random(m["username"])
    lat, lng = start["lat"], start["lng"]
    async with aiomqtt.Client(
        m["host"],
        int(m["port"]),
        username=m["username"],
        password=m["password"],
        protocol=aiomqtt.ProtocolVersion.V5,
        timeout=30,
    ) as client:
        await asyncio.sleep(rng.uniform(0, 2))  # riders do not report in step
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            lat += rng.uniform(-0.00005, 0.00005)  # a few metres every 2 s
            lng += rng.uniform(-0.0001, 0.0001)
            report = {"lat": lat, "lng": lng, "at": datetime.now(UTC).isoformat()}
            await client.publish(m["topic"], orjson.dumps(report), qos=0)
            sent[0] += 1
            await asyncio.sleep(2.0)


@contextlib.contextmanager
def deployment(pg: str, redis_url: str, riders: int) -> Iterator[dict[str, Any]]:
    """The production stack on loopback over a scratch database with ``riders`` riders and
    as many customers (made before any event loop runs: the scratch database is synchronous)."""
    from kirana.kit.migrate import upgrade

    with scratch_database(pg, "kirana_tracking_bench") as dsn, mosquitto() as mqtt_url:
        url = sqlalchemy_url(dsn)
        log(f"   migrating and seeding {riders} riders and customers ...")
        upgrade(url)

        async def populate() -> tuple[Any, list[tuple[str, str]]]:
            seeded = await seed(url, products=20, categories=2, customers=riders, on_hand=1_000_000)
            return seeded, await add_riders(url, seeded.store_id, riders)

        seeded, rider_logins = asyncio.run(populate())
        prefix = f"bench:{uuid.uuid4().hex[:8]}:"
        env = {
            "KIRANA_DATABASE_URL": url,
            "KIRANA_SECRET_KEY": SECRET,
            "KIRANA_ENV": "development",
            "KIRANA_LOG_LEVEL": "warning",
            "KIRANA_DB_POOL_SIZE": "8",
            "KIRANA_REDIS_URL": redis_url,
            "KIRANA_EVENT_BROKER": "redis",
            "KIRANA_EVENT_STREAM": f"{prefix}events",
            "KIRANA_LIVE_PREFIX": f"{prefix}live:",
            "KIRANA_RATE_LIMIT_PREFIX": f"{prefix}rl:",
            "KIRANA_AUTH_RATE_LIMIT_PER_MINUTE": "10000000",
            "KIRANA_MQTT_URL": mqtt_url,
        }
        kirana = shutil.which("kirana", path=str(Path(sys.executable).parent)) or "kirana"
        ports = [free_port(), free_port()]
        with (
            server("replica A", [kirana, "serve", "--port", str(ports[0])], env, ports[0]) as a,
            server("replica B", [kirana, "serve", "--port", str(ports[1])], env, ports[1]) as b,
            worker(env),
        ):
            yield {"a": a, "b": b, "dsn": dsn, "seeded": seeded, "riders": rider_logins}


def end_to_end(
    pg: str, redis_url: str, riders: int, watchers: int, seconds: float
) -> dict[str, Any]:
    with deployment(pg, redis_url, riders) as d:
        return asyncio.run(_measure(d, riders, watchers, seconds))


async def _measure(d: dict[str, Any], riders: int, watchers: int, seconds: float) -> dict[str, Any]:
    seeded = d["seeded"]
    async with (
        httpx.AsyncClient(base_url=d["a"], timeout=60) as ha,
        httpx.AsyncClient(base_url=d["b"], timeout=60) as hb,
    ):
        log(f"   {riders} riders on shift with MQTT accounts ...")
        on_shift = await _gather_limited(
            8, [_rider_on_shift((ha, hb)[n % 2], r, n) for n, (_, r) in enumerate(d["riders"])]
        )
        log(f"   {riders} customers order (cash on delivery) ...")
        orders = await _gather_limited(
            8,
            [
                _order(
                    (ha, hb)[n % 2],
                    c,
                    seeded.store_id,
                    seeded.products[n % len(seeded.products)],
                )
                for n, c in enumerate(seeded.customers)
            ],
        )
    conn = await asyncpg.connect(d["dsn"])
    try:
        deadline = time.monotonic() + 120
        while True:
            assigned = await conn.fetch(
                "SELECT d.order_id, r.user_id FROM deliveries d JOIN riders r ON r.id = d.rider_id"
            )
            if len(assigned) >= riders or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
    finally:
        await conn.close()
    log(f"   {len(assigned)} of {riders} orders have a rider")
    order_of_rider = {row["user_id"]: row["order_id"] for row in assigned}
    token_of_order = dict(orders)
    watched = [oid for oid in token_of_order if oid in set(order_of_rider.values())]
    ws_bases = [d["a"].replace("http://", "ws://"), d["b"].replace("http://", "ws://")]
    crowd = Watchers()
    stop = asyncio.Event()
    log(f"   {watchers} customer sockets over two replicas ...")
    readies: list[asyncio.Event] = []
    tasks = []
    for n in range(watchers):
        oid = watched[n % len(watched)]
        ready = asyncio.Event()
        readies.append(ready)
        url = f"{ws_bases[n % 2]}/ws/orders/{oid}?token={token_of_order[oid]}"
        tasks.append(asyncio.create_task(crowd.watch(url, oid, ready, stop)))
        if n % 50 == 49:
            await asyncio.sleep(0.2)  # customers open the app over time, not in one burst
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 120)
    log(f"   riders report over MQTT every 2 s for {seconds:g} s ...")
    sent = [0]
    expected_by_rider: dict[str, int] = {}
    rides = []
    for (user_id, _), shift in zip(d["riders"], on_shift, strict=True):
        oid = order_of_rider.get(user_id)
        if oid is None:
            continue
        expected_by_rider[user_id] = crowd.per_order.get(oid, 0)
        rides.append(_ride(shift, shift["at"], seconds, sent))
    started = time.monotonic()
    await asyncio.gather(*rides)
    elapsed = time.monotonic() - started
    await asyncio.sleep(3.0)  # the last reports in flight
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    reports = sent[0]
    watchers_per_order = watchers / max(1, len(watched))
    expected = round(reports * watchers_per_order)
    return {
        "riders": riders,
        "riders_dispatched": len(assigned),
        "watchers": watchers,
        "seconds": round(elapsed, 1),
        "reports_sent": reports,
        "positions_expected": expected,
        "positions_received": crowd.received,
        "dropped": max(0, expected - crowd.received),
        "messages_per_second": round(crowd.received / elapsed, 1) if elapsed else None,
        "p50_ms": _pct(crowd.latencies, 0.50),
        "p99_ms": _pct(crowd.latencies, 0.99),
    }


def ingest(
    pg: str, redis_url: str, seconds: float, connections: int, riders: int = 1000
) -> dict[str, Any]:
    """Location reports per second one API process accepts over HTTP, beside a bare endpoint
    that validates the same JSON, served by uvicorn the same way, in the same run. The
    requests take ``riders`` riders' tokens in turn, so at a few hundred reports a second each
    rider reports every few seconds, as a phone on a shift does. Each server gets a pass of
    ``seconds`` first, not counted, then one counted pass with its CPU time."""
    with deployment(pg, redis_url, riders=riders) as d, tempfile.TemporaryDirectory() as tmp:

        async def shifts() -> list[dict[str, Any]]:
            async with httpx.AsyncClient(base_url=d["a"], timeout=60) as http:
                return await _gather_limited(
                    8,
                    [
                        _rider_on_shift(http, r, n, mqtt=False)
                        for n, (_, r) in enumerate(d["riders"])
                    ],
                )

        tokens = [s["token"] for s in asyncio.run(shifts())]
        script = Path(tmp) / "ping.lua"
        script.write_text(_lua(tokens, "/api/v1/rider/location", auth=True))
        url = f"{d['a']}/api/v1/rider/location"
        # A first pass, not counted: signing in and starting the shifts of many riders takes
        # longer than the caches keep a state, so without it most riders' first reports would
        # be cold ones (a read of the account and the state, and a sample due), which a shift
        # has only once. The counted pass then sees what a shift in progress costs, the
        # caches' expiry and the samples due every 15 s included.
        wrk(url, connections=connections, seconds=seconds, script=script)
        with _cpu_of(d["a"]) as kirana_cpu:
            kirana = wrk(url, connections=connections, seconds=seconds, script=script)
        bare_port = free_port()
        bare_script = Path(tmp) / "bare.lua"
        bare_script.write_text(_lua(tokens, "/ping", auth=False))
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(ROOT / "benchmarks"),
            "bare_ping_app:app",
            *uvicorn_flags(bare_port),
        ]
        with server("bare FastAPI", argv, {}, bare_port) as bare_base:
            wrk(f"{bare_base}/ping", connections=connections, seconds=seconds, script=bare_script)
            with _cpu_of(bare_base) as bare_cpu:
                bare = wrk(
                    f"{bare_base}/ping",
                    connections=connections,
                    seconds=seconds,
                    script=bare_script,
                )
    return {
        "riders": riders,
        "kirana": {**kirana.as_dict(), "server_cpu_ms_per_request": _per(kirana_cpu, kirana)},
        "bare": {**bare.as_dict(), "server_cpu_ms_per_request": _per(bare_cpu, bare)},
        "ratio": round(kirana.rps / bare.rps, 3) if bare.rps else None,
    }


@contextlib.contextmanager
def _cpu_of(base: str) -> Iterator[list[float]]:
    """The CPU seconds (user + system) the server listening at ``base`` spent in the block:
    on a busy machine, a figure the other processes move much less than requests/s."""
    port = base.rsplit(":", 1)[1]
    listening = subprocess.run(
        ["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    pid = listening.split("pid=", 1)[1].split(",", 1)[0]

    def seconds() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    spent: list[float] = []
    before = seconds()
    yield spent
    spent.append(seconds() - before)


def _per(spent: list[float], load: Any) -> float | None:
    return round(spent[0] * 1000 / load.requests, 3) if spent and load.requests else None


def _lua(tokens: list[str], path: str, *, auth: bool, threads: int = 2) -> str:
    """wrk's script: the riders' tokens in turn, each wrk thread starting at its own share of
    the list, so no two threads send one rider's reports at the same moment (a phone sends
    one at a time; two at once would race each other's motion check)."""
    listed = ",".join(json.dumps(t) for t in tokens)
    header = '["Authorization"] = "Bearer " .. t, ' if auth else ""
    return (
        f"tokens = {{{listed}}}\nn = 0\nstarted = 0\n"
        "setup = function(thread)\n"
        "  thread:set('first', started)\n"
        "  started = started + 1\n"
        "end\n"
        "init = function(args)\n"
        f"  n = first * math.floor(#tokens / {threads})\n"
        "end\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  local t = tokens[(n % #tokens) + 1]\n"
        f'  return wrk.format("POST", "{path}", {{{header}["Content-Type"] = "application/json"}}, '
        '\'{"lat": 60.1701, "lng": 24.9401}\')\n'
        "end\n"
    )
