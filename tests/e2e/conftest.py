"""Browser end-to-end harness: a real `kirana up` on a free port with a temporary SQLite database,
and Debian's chromium driven by Playwright.

Under CI=true nothing here skips: a missing browser or web build fails the run. Elsewhere the
tests skip with a message saying what is missing.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
WEB_BUILD = ROOT / "src" / "kirana" / "static" / "app" / "index.html"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOGIN_LINE = re.compile(
    r"^\s+(customer|store_staff|rider|admin)\s+(\+\d+)\s+(\S+)\s+(.+?)(?:\s+@\s+(.+))?\s*$"
)


@dataclass
class Login:
    role: str
    phone: str
    password: str
    name: str
    store: str | None


@dataclass
class Server:
    url: str
    logins: list[Login] = field(default_factory=list)
    # The server's output while it runs (the console SMS channel writes login codes there).
    log: Path | None = None

    def first(self, role: str, store: str | None = None) -> Login:
        for login in self.logins:
            if login.role == role and (store is None or login.store == store):
                return login
        raise LookupError(f"no demo login for {role} at {store}")


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not WEB_BUILD.exists():
        return "the web app is not built (npm --prefix web ci && npm --prefix web run build)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def e2e_ready() -> None:
    reason = _missing()
    if reason:
        if CI:
            pytest.fail(f"e2e tests must run under CI: {reason}")
        pytest.skip(f"e2e skipped: {reason}")


@pytest.fixture(scope="session")
def server(e2e_ready: None) -> Iterator[Server]:
    """One demo city shared by the tests that only read it or make orders of their own."""
    with kirana_up() as running:
        yield running


@pytest.fixture
def fresh_server(e2e_ready: None) -> Iterator[Server]:
    """A demo city of its own, for a test that needs every rider free (the shared city's riders
    may be carrying other tests' orders)."""
    with kirana_up() as running:
        yield running


@contextlib.contextmanager
def kirana_up(extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """A demo city of its own; ``extra_env``: settings of the test's (providers' keys, fakes'
    URLs) over the harness's."""
    tmp = Path(tempfile.mkdtemp(prefix="kirana-e2e-"))
    port = _free_port()
    env = {
        **os.environ,
        "KIRANA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'k.db'}",
        "KIRANA_ENV": "test",
        # Every browser and API client of the suite signs in from 127.0.0.1, dozens of times
        # in a minute on the shared server; in the field each person has an address of their
        # own. The limit itself is tested in tests/users/test_rate_limit.py.
        "KIRANA_AUTH_RATE_LIMIT_PER_MINUTE": "1000",
        **(extra_env or {}),
    }
    env.pop("KIRANA_REDIS_URL", None)
    kirana = Path(sys.executable).parent / "kirana"
    log_path = tmp / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [str(kirana), "up", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"kirana up exited:\n{log_path.read_text()}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"kirana up did not answer in time:\n{log_path.read_text()}")
            time.sleep(0.3)
        logins = []
        for line in log_path.read_text().splitlines():
            m = LOGIN_LINE.match(line)
            if m:
                logins.append(Login(m[1], m[2], m[3], m[4].strip(), m[5]))
        assert logins, f"no demo logins printed:\n{log_path.read_text()}"
        yield Server(url, logins, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(log_path, ARTIFACTS / f"e2e-server-{port}.log")
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(e2e_ready: None) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def people(tag: str) -> Iterator[list[Any]]:
    """The browser contexts of a test's people, appended by the test: if it fails, every page
    they show is saved as ``FAILED-<tag>-<i>-<j>.png``; all are closed at the end."""
    contexts: list[Any] = []
    try:
        yield contexts
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for i, ctx in enumerate(contexts):
            for j, page in enumerate(ctx.pages):
                page.screenshot(path=str(SCREENSHOTS / f"FAILED-{tag}-{i}-{j}.png"), full_page=True)
        raise
    finally:
        for ctx in contexts:
            ctx.close()
