"""pgbench on a scratch database, and the CPU PostgreSQL spends while it runs."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

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


def postgres_cpu_by_backend(database: str) -> dict[int, float]:
    """User + system CPU so far of each PostgreSQL backend connected to ``database`` (Linux
    /proc; a backend's title names its database). The server's other databases are other
    people's work on this shared machine, so its shared processes are left out too."""
    seconds: dict[int, float] = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            text = (proc / "stat").read_text()
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if not text.split("(", 1)[1].split(")", 1)[0].startswith("postgres"):
            continue
        if f" {database} " in title:
            fields = text.rsplit(")", 1)[1].split()
            seconds[int(proc.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def postgres_cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """The CPU the backends alive at the end spent since ``before`` (a backend that ended in
    between took its counters along and is left out; one that started counts from zero)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def pgbench(base: str, db: str, extra: list[str], seconds: int, clients: int) -> dict[str, float]:
    """pgbench's figures, and the CPU the database spent per transaction (sampled while it runs:
    pgbench's connections end with it, taking their CPU counters along)."""
    env, conn = pg_env(base)
    cmd = ["pgbench", *conn, "-c", str(clients), "-j", "2", "-T", str(seconds), "-r", *extra, db]
    for attempt in range(6):
        proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        time.sleep(1)
        cpu0, t0 = postgres_cpu_by_backend(db), time.monotonic()
        time.sleep(max(1, seconds - 2))
        cpu = postgres_cpu_between(cpu0, postgres_cpu_by_backend(db))
        cpu_per_second = cpu / (time.monotonic() - t0)
        out, err = proc.communicate()
        # the server is shared with other work: its connection slots may all be taken a while
        if proc.returncode == 0 or "too many clients" not in err or attempt == 5:
            break
        time.sleep(5)
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
