"""Shared load-test helpers for the benchmarks: scratch PostgreSQL databases, servers started as
subprocesses on loopback, and ``wrk`` runs parsed into numbers.

Everything here talks to 127.0.0.1 only and cleans up after itself (servers are terminated,
scratch databases dropped) even when a run fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
LOOPBACK = "127.0.0.1"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def dsn_for(base: str, name: str) -> str:
    """``base`` (any database on the server) with its database name replaced by ``name``."""
    return base.rsplit("/", 1)[0] + "/" + name


def sqlalchemy_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


async def admin_sql(base: str, sql: str) -> None:
    conn = await asyncpg.connect(base, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.contextmanager
def scratch_database(base: str, prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (its DSN), dropped on the way out."""
    name = f"{prefix}_{os.getpid()}"
    asyncio.run(admin_sql(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    asyncio.run(admin_sql(base, f"CREATE DATABASE {name}"))
    try:
        yield dsn_for(base, name)
    finally:
        asyncio.run(admin_sql(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@contextlib.contextmanager
def server(
    name: str, argv: Sequence[str], env: Mapping[str, str], port: int, ready_path: str = "/healthz"
) -> Iterator[str]:
    """Run ``argv`` (a server on ``port``), wait until ``ready_path`` answers; yield its base URL."""
    base = f"http://{LOOPBACK}:{port}"
    # Its standard error goes to a file, read when it fails: a pipe nobody reads would stop
    # a server that logs more than the pipe holds.
    errors = tempfile.TemporaryFile()  # noqa: SIM115  (open for the server's life)
    proc = subprocess.Popen(
        list(argv),
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=errors,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                errors.seek(0)
                err = errors.read().decode(errors="replace")
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{err[-3000:]}")
            try:
                if httpx.get(base + ready_path, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not become ready on {base}{ready_path}")
            time.sleep(0.2)
        log(f"  {name} is up at {base}")
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        errors.close()


def uvicorn_flags(port: int) -> list[str]:
    """How ``kirana serve`` runs uvicorn (cli._serve), for serving a comparison app the same way."""
    from kirana.config import Settings

    return [
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--workers",
        "1",
        "--loop",
        Settings().event_loop,
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


@dataclass(frozen=True)
class LoadResult:
    url: str
    connections: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"cannot read a wrk latency from {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str, url: str, connections: int, seconds: float) -> LoadResult:
    def percentile(p: str) -> float:
        match = re.search(rf"^\s+{p}%\s+(\S+)\s*$", output, re.MULTILINE)
        if not match:
            raise ValueError(f"wrk printed no {p}% latency:\n{output}")
        return _ms(match.group(1))

    requests = re.search(r"(\d+) requests in", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if not requests or not rps:
        raise ValueError(f"unexpected wrk output:\n{output}")
    return LoadResult(
        url=url,
        connections=connections,
        seconds=seconds,
        requests=int(requests.group(1)),
        rps=float(rps.group(1)),
        p50_ms=percentile("50"),
        p90_ms=percentile("90"),
        p99_ms=percentile("99"),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(g) for g in errors.groups()) if errors else 0,
    )


def wrk(
    url: str,
    *,
    connections: int = 64,
    seconds: float = 10,
    threads: int = 2,
    script: Path | None = None,
) -> LoadResult:
    """Drive ``url`` (loopback only) with wrk at ``connections`` for ``seconds``; ``script`` is
    a wrk Lua script that shapes the requests (method, body, headers)."""
    if not url.startswith(f"http://{LOOPBACK}:"):
        raise ValueError("benchmarks send traffic to loopback only")
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    argv = [
        binary,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "5s",
        "--latency",
        *(("-s", str(script)) if script else ()),
        url,
    ]
    out = subprocess.run(argv, check=True, capture_output=True, text=True, timeout=seconds + 60)
    return parse_wrk(out.stdout, url, connections, seconds)


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }


def load_note() -> str:
    """How busy the machine was over the last five minutes, for the report's reader."""
    five = os.getloadavg()[1]
    cpus = os.cpu_count() or 1
    if five <= cpus * 0.75:
        return f"quiet machine ({cpus} cores, 5-minute load average {five:.1f})"
    return f"busy machine ({cpus} cores, 5-minute load average {five:.1f}): times are indicative"


def write_results(out: str, report: dict[str, Any], md: str) -> None:
    """``benchmarks/results/<out>.json`` and ``.md``; the markdown printed too."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{out}.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / f"{out}.md").write_text(md)
    print(md)
