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
4. A deliberately naive read-then-write reservation (SELECT available; if enough, UPDATE
   reserved = :new — no lock, no condition) under the same concurrency, to show it oversells and
   so that the checks above are known to be able to catch it.

Loopback only, scratch databases (dropped at the end), stops by itself. Results go to
benchmarks/results/order_placement.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SECRET = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$unused-in-this-benchmark"

_phones = itertools.count()

TARGET_CHECKOUT_RATIO = 0.20
TARGET_P99_MS = 150.0
TARGET_HOT_RATIO = 0.25


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dsn_for(base: str, name: str) -> str:
    return base.rsplit("/", 1)[0] + "/" + name


async def admin_sql(base: str, sql: str) -> None:
    conn = await asyncpg.connect(base)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


# --- pgbench --------------------------------------------------------------------------------


def pg_env(dsn: str) -> tuple[dict[str, str], list[str]]:
    """pgbench's connection arguments for a postgresql:// URL."""
    m = re.match(
        r"postgresql://(?:(?P<user>[^:@/]+)(?::(?P<pw>[^@/]*))?@)?(?P<host>[^:/]+)(?::(?P<port>\d+))?/",
        dsn,
    )
    if not m:
        raise SystemExit(f"cannot parse {dsn}")
    env = dict(os.environ)
    if m["pw"]:
        env["PGPASSWORD"] = m["pw"]
    args = ["-h", m["host"], "-p", m["port"] or "5432", "-U", m["user"] or "postgres"]
    return env, args


def postgres_cpu_seconds() -> float:
    """User + system CPU of every PostgreSQL process on this machine so far (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text.split("(", 1)[1].split(")", 1)[0].startswith("postgres"):
            fields = text.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def pgbench(base: str, db: str, extra: list[str], seconds: int, clients: int) -> dict[str, float]:
    """pgbench's figures, and the CPU the database spent per transaction (sampled while it runs:
    pgbench's connections end with it, taking their CPU counters along)."""
    env, conn = pg_env(base)
    cmd = ["pgbench", *conn, "-c", str(clients), "-j", "2", "-T", str(seconds), "-r", *extra, db]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1)
    cpu0, t0 = postgres_cpu_seconds(), time.monotonic()
    time.sleep(max(1, seconds - 2))
    cpu_per_second = (postgres_cpu_seconds() - cpu0) / (time.monotonic() - t0)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"pgbench failed: {err or out}")
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = re.search(r"latency average = ([\d.]+) ms", out)
    return {
        "tps": tps,
        "latency_avg_ms": float(lat.group(1)) if lat else float("nan"),
        "postgres_cpu_ms_per_transaction": round(cpu_per_second / tps * 1000, 3),
    }


def pgbench_hot_row(base: str, db: str, seconds: int, clients: int) -> dict[str, float]:
    """pgbench on one row: a conditional decrement, the cheapest possible "reservation"."""
    env, conn = pg_env(base)
    subprocess.run(
        [
            "psql",
            *conn,
            "-q",
            "-d",
            db,
            "-c",
            "DROP TABLE IF EXISTS hot; CREATE TABLE hot (id int PRIMARY KEY, q int NOT NULL);"
            "INSERT INTO hot VALUES (1, 1000000000);",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as script:
        script.write("UPDATE hot SET q = q - 1 WHERE id = 1 AND q > 0;\n")
        script.flush()
        return pgbench(base, db, ["-n", "-f", script.name], seconds, clients)


def pgbench_init(base: str, db: str) -> None:
    env, conn = pg_env(base)
    subprocess.run(
        ["pgbench", *conn, "-i", "-q", "-s", "10", db], env=env, capture_output=True, check=True
    )


# --- the Kirana database --------------------------------------------------------------------


@dataclass
class Seeded:
    store_id: str
    products: list[str]
    customers: list[tuple[str, str, str]] = field(default_factory=list)  # (user, address, token)


async def seed(url: str, *, products: int, customers: int, on_hand: int) -> Seeded:
    """A store with ``products`` products and ``customers`` customers with an address each."""
    from sqlalchemy import insert

    from kirana.catalog.models import Category, Product, Stock, Store
    from kirana.kit.db import Database
    from kirana.kit.ids import new_id

    db = Database(url, pool_size=2)
    store_id, category_id = new_id(), new_id()
    product_ids = [new_id() for _ in range(products)]
    async with db.transaction() as s:
        await s.execute(
            insert(Store),
            [
                {
                    "id": store_id,
                    "name": "Bench store",
                    "lat": 60.17,
                    "lng": 24.94,
                    "service_radius_m": 5000,
                    "is_open": True,
                    "prep_minutes": 4,
                    "address": "",
                }
            ],
        )
        await s.execute(
            insert(Category), [{"id": category_id, "name": "Bench", "slug": "bench", "position": 0}]
        )
        await s.execute(
            insert(Product),
            [
                {
                    "id": pid,
                    "name": f"Product {i}",
                    "search_name": f"product {i}",
                    "brand": "B",
                    "unit": "1 pc",
                    "category_id": category_id,
                    "mrp": 5_000,
                    "price": 4_500,
                    "currency": "INR",
                    "description": "",
                    "is_active": True,
                    "max_per_order": 10,
                }
                for i, pid in enumerate(product_ids)
            ],
        )
        await s.execute(
            insert(Stock),
            [
                {
                    "store_id": store_id,
                    "product_id": pid,
                    "on_hand": on_hand,
                    "reserved": 0,
                    "aisle": f"A{i % 20}",
                }
                for i, pid in enumerate(product_ids)
            ],
        )
    seeded = Seeded(store_id, product_ids)
    await add_customers(db, seeded, customers)
    await db.dispose()
    return seeded


async def add_customers(db: Any, seeded: Seeded, n: int) -> None:
    from sqlalchemy import insert

    from kirana.kit import security
    from kirana.kit.ids import new_id
    from kirana.users.models import Address, User

    rows, addresses = [], []
    for i in [next(_phones) for _ in range(n)]:
        uid = new_id()
        rows.append(
            {
                "id": uid,
                "phone": f"+9199{i:08d}",
                "password_hash": PASSWORD_HASH,
                "name": f"Buyer {i}",
                "role": "customer",
                "is_active": True,
            }
        )
        addresses.append(
            {
                "id": new_id(),
                "user_id": uid,
                "label": "home",
                "line1": f"Street {i}",
                "city": "Helsinki",
                "pincode": "00100",
                "lat": 60.171,
                "lng": 24.941,
            }
        )
    async with db.transaction() as s:
        for chunk in range(0, n, 2000):
            await s.execute(insert(User), rows[chunk : chunk + 2000])
            await s.execute(insert(Address), addresses[chunk : chunk + 2000])
    for r, a in zip(rows, addresses, strict=True):
        token, _ = security.create_access_token(
            r["id"], SECRET, 240, {"role": "customer", "store_id": None}
        )
        seeded.customers.append((r["id"], a["id"], token))


async def fill_carts(
    url: str, seeded: Seeded, who: list[tuple[str, str, str]], lines: list[dict[str, int]]
) -> None:
    """Every customer's cart filled beforehand (what the app does while they shop)."""
    from sqlalchemy import insert

    from kirana.kit import clock
    from kirana.kit.db import Database
    from kirana.kit.ids import new_id
    from kirana.orders.models import Cart, CartItem

    db = Database(url, pool_size=2)
    carts, items = [], []
    now = clock.now()
    for (uid, _, _), cart_lines in zip(who, lines, strict=True):
        cid = new_id()
        carts.append(
            {
                "id": cid,
                "user_id": uid,
                "store_id": seeded.store_id,
                "coupon_code": None,
                "updated_at": now,
            }
        )
        items += [
            {"cart_id": cid, "product_id": p, "quantity": q, "seen_price": 4_500, "added_at": now}
            for p, q in cart_lines.items()
        ]
    async with db.transaction() as s:
        for chunk in range(0, len(carts), 2000):
            await s.execute(insert(Cart), carts[chunk : chunk + 2000])
        for chunk in range(0, len(items), 4000):
            await s.execute(insert(CartItem), items[chunk : chunk + 4000])
    await db.dispose()


# --- the server -----------------------------------------------------------------------------


class Server:
    def __init__(self, url: str, workers: int) -> None:
        self.port = free_port()
        self.url = url
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115  (open for the server's life)
            prefix="kirana-bench-", suffix=".log", delete=False
        )

    def __enter__(self) -> Server:
        env = dict(os.environ)
        env.update(
            KIRANA_DATABASE_URL=self.url,
            KIRANA_SECRET_KEY=SECRET,
            KIRANA_ENV="development",
            KIRANA_LOG_LEVEL="warning",
            # pool + overflow over all workers stays under 64 connections (max_connections 100)
            KIRANA_DB_POOL_SIZE=str(max(4, 32 // self.workers)),
        )
        kirana = shutil.which("kirana", path=str(Path(sys.executable).parent)) or "kirana"
        self.proc = subprocess.Popen(
            [
                kirana,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.3)
        self.__exit__()
        raise SystemExit(f"kirana serve did not start; see {self.log.name}")

    def cpu_seconds(self) -> float:
        """User + system CPU of the server and its worker processes so far (Linux /proc)."""
        assert self.proc is not None
        pids, total = [self.proc.pid], 0.0
        while pids:
            pid = pids.pop()
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{pid}/task/{pid}/children") as f:
                    pids += [int(c) for c in f.read().split()]
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_: object) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


# --- load -----------------------------------------------------------------------------------


CHECKOUT_LUA = ROOT / "benchmarks" / "checkout.lua"
_runs = itertools.count()


async def checkout_load(
    base: str, customers: list[tuple[str, str, str]], clients: int, seconds: float | None
) -> dict[str, Any]:
    """``clients`` connections placing orders, one per customer: with wrk for ``seconds``, or
    (``seconds=None``) until every customer has been answered, with :func:`checkout_all`."""
    if not base.startswith("http://127.0.0.1:"):
        raise SystemExit("loopback only")
    if seconds is None:
        return await checkout_all(base, customers, clients)
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    threads = 2
    run = next(_runs)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", prefix="kirana-buyers-") as buyers:
        buyers.writelines(
            f"{token} {address} bench-{run}-{n}\n"
            for n, (_, address, token) in enumerate(customers)
        )
        buyers.flush()
        argv = [
            binary,
            f"-t{threads}",
            f"-c{clients}",
            f"-d{seconds:g}s",
            "--timeout",
            "30s",
            "-s",
            str(CHECKOUT_LUA),
            base,
            "--",
            buyers.name,
            str(threads),
        ]
        done = await asyncio.to_thread(
            subprocess.run, argv, capture_output=True, text=True, timeout=seconds + 60
        )
    line = next((x for x in done.stdout.splitlines() if x.startswith("KIRANA ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed: {done.stderr or done.stdout}")
    out = json.loads(line.removeprefix("KIRANA "))
    statuses = {str(k): v for k, v in sorted(out["statuses"].items())}
    return _summary(
        statuses,
        out["codes"],
        out["duration_s"],
        {k: out[k] for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")},
        f"wrk -t{threads} -c{clients} (benchmarks/checkout.lua)",
    )


def _summary(
    statuses: dict[str, int],
    codes: dict[str, int],
    elapsed: float,
    latency: dict[str, float],
    generator: str,
) -> dict[str, Any]:
    answered = sum(statuses.values())
    return {
        "requests": answered,
        "elapsed_s": round(elapsed, 3),
        "per_second": round(answered / elapsed, 1) if elapsed else 0.0,
        "created_per_second": round(statuses.get("201", 0) / elapsed, 1) if elapsed else 0.0,
        **latency,
        "statuses": statuses,
        "codes": codes,
        "load_generator": generator,
    }


async def checkout_all(
    base: str, customers: list[tuple[str, str, str]], clients: int
) -> dict[str, Any]:
    """Every customer checks out once over ``clients`` keep-alive connections; done when the
    last is answered. HTTP/1.1 written and read by hand on asyncio streams (about a tenth of
    httpx's CPU per request), because wrk cannot stop at the end of a list: its main thread
    sleeps for the whole ``-d``."""
    host, port = base.removeprefix("http://").split(":")
    todo = list(enumerate(customers))
    todo.reverse()
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    codes: dict[str, int] = {}
    run = next(_runs)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while todo:
                n, (_, address, token) = todo.pop()
                body = json.dumps({"address_id": address, "payment_method": "card"}).encode()
                head = (
                    f"POST /api/v1/orders HTTP/1.1\r\nHost: {host}\r\n"
                    f"Authorization: Bearer {token}\r\nIdempotency-Key: bench-{run}-{n}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                )
                started = time.perf_counter()
                writer.write(head.encode() + body)
                status_line, *headers = (
                    (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                )
                length = next(
                    int(h.split(":", 1)[1])
                    for h in headers
                    if h.lower().startswith("content-length:")
                )
                answer = await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                status = status_line.split(" ", 2)[1]
                statuses[status] = statuses.get(status, 0) + 1
                if status >= "400":
                    code = json.loads(answer).get("code", "unreadable")
                    codes[code] = codes.get(code, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*[connection() for _ in range(min(clients, len(customers)))])
    elapsed = time.perf_counter() - started
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [lat[0] if lat else 0.0] * 99
    return _summary(
        dict(sorted(statuses.items())),
        codes,
        elapsed,
        {
            "p50_ms": round(q[49] * 1000, 2),
            "p90_ms": round(q[89] * 1000, 2),
            "p99_ms": round(q[98] * 1000, 2),
            "max_ms": round(lat[-1] * 1000, 2) if lat else 0.0,
        },
        f"{clients} keep-alive connections (asyncio streams)",
    )


async def naive_reservation(
    dsn: str, store_id: str, product_id: str, buyers: int
) -> dict[str, Any]:
    """Read-then-write without a lock or condition: how many 'sales' for the units there are?"""
    pool = await asyncpg.create_pool(dsn, min_size=buyers, max_size=buyers)
    sold = 0

    async def buy() -> None:
        nonlocal sold
        async with pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT on_hand - reserved AS available, reserved FROM stock WHERE store_id = $1 AND product_id = $2",
                store_id,
                product_id,
            )
            if row["available"] >= 1:
                await conn.execute(
                    "UPDATE stock SET reserved = $3 WHERE store_id = $1 AND product_id = $2",
                    store_id,
                    product_id,
                    row["reserved"] + 1,
                )
                sold += 1

    units = await pool.fetchval(
        "SELECT on_hand - reserved FROM stock WHERE store_id = $1 AND product_id = $2",
        store_id,
        product_id,
    )
    await asyncio.gather(*[buy() for _ in range(buyers)])
    reserved = await pool.fetchval(
        "SELECT reserved FROM stock WHERE store_id = $1 AND product_id = $2", store_id, product_id
    )
    await pool.close()
    return {
        "units": units,
        "buyers": buyers,
        "sold": sold,
        "reserved_after": reserved,
        "oversold": max(0, sold - units),
        "lost_updates": sold - reserved,
    }


async def stock_state(dsn: str, store_id: str, product_id: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            "SELECT on_hand, reserved FROM stock WHERE store_id = $1 AND product_id = $2",
            store_id,
            product_id,
        )
        held = await conn.fetchval(
            "SELECT coalesce(sum(quantity), 0) FROM stock_reservations "
            "WHERE store_id = $1 AND product_id = $2 AND status = 'open'",
            store_id,
            product_id,
        )
        negative = await conn.fetchval(
            "SELECT count(*) FROM stock WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand"
        )
        orders = await conn.fetchval(
            "SELECT count(*) FROM order_items WHERE product_id = $1", product_id
        )
    finally:
        await conn.close()
    return {
        "on_hand": row["on_hand"],
        "reserved": row["reserved"],
        "open_reservations": int(held),
        "bad_rows": int(negative),
        "orders_with_it": int(orders),
    }


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

        # 3. the single-row baseline, before the server holds any connection
        log("pgbench single-row conditional decrement ...")
        single = await asyncio.to_thread(
            pgbench_hot_row, base, bench_db, args.seconds, args.clients
        )
        result["pgbench_single_row"] = single
        log(f"  pgbench hot row: {single['tps']:.0f} tps")

        with Server(app_url, args.workers) as server:
            # warm-up: a few orders so every worker has its pool and caches
            warm = seeded.customers[-200:]
            await checkout_load(server.base, warm, min(16, args.clients), None)
            # Statistics again, now that the order tables are not empty. PostgreSQL keeps the
            # plans of its foreign-key checks per connection; made while `orders` looked empty
            # they read the whole table on every check, a cost that grows with each order (a
            # live database, analyzed by autovacuum, never plans against an empty table).
            await admin_sql(app_dsn, "ANALYZE")
            # 2. rounds of pgbench -N, then checkouts, each for the same time: the machine's speed
            # drifts by tens of per cent over minutes here, so each checkout round is set beside
            # the pgbench round just before it, and the median round is reported.
            customers = seeded.customers[:-200]
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

            # 3b. the hot product through the API
            from kirana.kit.db import Database

            db = Database(app_url, pool_size=2)
            hot_store = Seeded(seeded.store_id, seeded.products)
            await add_customers(db, hot_store, args.hot_units + args.hot_losers)
            await db.dispose()
            hot_product = seeded.products[0]
            conn2 = await asyncpg.connect(app_dsn)
            # the last units: whatever is held stays held, only hot_units are left to sell
            await conn2.execute(
                "UPDATE stock SET on_hand = reserved + $3 WHERE store_id = $1 AND product_id = $2",
                seeded.store_id,
                hot_product,
                args.hot_units,
            )
            await conn2.close()
            before = await stock_state(app_dsn, seeded.store_id, hot_product)
            buyers = hot_store.customers
            await fill_carts(app_url, hot_store, buyers, [{hot_product: 1}] * len(buyers))
            log(
                f"hot product: {len(buyers)} buyers, {args.clients} at a time, for {args.hot_units} units ..."
            )
            hot = await checkout_load(server.base, buyers, args.clients, None)
            after = await stock_state(app_dsn, seeded.store_id, hot_product)
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
            result["hot_product"] = hot
            log(
                f"  hot product: {hot['per_second']} checkouts/s ({sold} sold, {len(buyers) - sold} refused), "
                f"p99 {hot['p99_ms']} ms, ratio {hot['ratio_to_pgbench']:.1%}, "
                f"oversold {hot['oversold']}, losers clean 409: {hot['losers_clean_409']}, "
                f"invariants: {hot['invariant_ok']}"
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
    parser.add_argument("--customers", type=int, default=24000)
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
