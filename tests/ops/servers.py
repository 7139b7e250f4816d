"""Real processes for the operations tests: ``kirana serve`` replicas, nginx, Prometheus.

Each is started on free loopback ports with files in the test's own directory, waited for
until it answers, and stopped (SIGTERM, then SIGKILL) when the test ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SECRET = "ops-test-secret-key-0123456789abcdef0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def need(binary: str) -> str:
    """The path of a program the test runs; under CI=true its absence fails the test."""
    path = shutil.which(binary) or next(
        (p for p in (f"/usr/sbin/{binary}", f"/usr/bin/{binary}") if os.path.exists(p)), None
    )
    if path is None:
        message = f"{binary} is not installed (Debian package: {binary}); .ci/run installs it"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def wait_until(check: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} did not come up in {seconds:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def spawn(
    command: list[str], url: str, directory: Path, log_path: Path, **extra: str
) -> subprocess.Popen[bytes]:
    """``kirana COMMAND`` in a process group of its own, over the database at ``url``, with
    this checkout's code, its output in ``log_path``."""
    env = {
        **os.environ,
        "KIRANA_DATABASE_URL": url,
        "KIRANA_SECRET_KEY": SECRET,
        "KIRANA_ENV": "development",
        "KIRANA_MEDIA_DIR": str(directory / "media"),
        "KIRANA_DB_POOL_SIZE": "4",
        "PYTHONPATH": str(ROOT / "src"),  # this checkout's code, from any directory
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "kirana.cli", *command],
            cwd=directory,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


class Worker:
    """One ``kirana worker`` process: the outbox relay, the consumers, the scheduled jobs."""

    def __init__(self, url: str, directory: Path, **env: str) -> None:
        self.url, self.directory, self.extra = url, directory, env
        self.log = directory / f"worker-{free_port()}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        self.proc = spawn(["worker"], self.url, self.directory, self.log, **self.extra)
        try:
            wait_until(self.ready, f"kirana worker (log: {self.log})", 90)
        except BaseException:
            self.stop()
            raise
        return self

    def ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"kirana worker exited: {self.log.read_text()[-2000:]}")
        return "Worker running" in self.log.read_text()

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


class Replica:
    """One ``kirana serve`` process (``workers`` uvicorn workers) on a port of its own."""

    def __init__(self, url: str, directory: Path, *, workers: int = 1, **env: str) -> None:
        self.url, self.workers, self.extra = url, workers, env
        self.port = free_port()
        self.directory = directory
        self.log = directory / f"serve-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Replica:
        command = ["serve", "--port", str(self.port), "--workers", str(self.workers)]
        self.proc = spawn(command, self.url, self.directory, self.log, **self.extra)
        try:
            wait_until(self.ready, f"kirana serve on port {self.port} (log: {self.log})", 90)
        except BaseException:
            self.stop()  # never leave a half-started server behind
            raise
        return self

    def ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"kirana serve exited: {self.log.read_text()[-2000:]}")
        return httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


@contextmanager
def replicas(url: str, directory: Path, count: int = 2, **env: str) -> Iterator[list[Replica]]:
    started: list[Replica] = []
    try:
        for _ in range(count):
            started.append(Replica(url, directory, **env).start())
        yield started
    finally:
        for replica in started:
            replica.stop()


def metric_sum(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include ``labels``, in Prometheus text."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        series, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in series for k, v in labels.items()):
            total += float(value)
    return total
