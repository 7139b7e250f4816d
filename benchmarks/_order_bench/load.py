"""Checkouts over loopback HTTP: wrk with benchmarks/checkout.lua for a timed run, a small asyncio
client for a fixed list of buyers."""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from typing import Any

from _load import ROOT

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
