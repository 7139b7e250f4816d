"""``kirana serve`` in a process of its own, and the CPU it spends."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _load import free_port

from _order_bench import SECRET

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
            # every customer signs in from 127.0.0.1 here; in the field each has an address
            KIRANA_AUTH_RATE_LIMIT_PER_MINUTE="10000000",
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
