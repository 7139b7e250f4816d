"""The command line against real databases: createuser and migrate, and the mistakes a person
makes setting Kirana up, each ending in one line that says what to do (never a traceback)."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from kirana import cli
from kirana.config import get_settings
from kirana.kit.security import verify_password
from tests.conftest import CI, PG_DSN, _pg_admin, _pg_url, pg_database


def run(
    args: list[str], db: Path | str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    url = db if isinstance(db, str) else f"sqlite+aiosqlite:///{db}"
    env = {"KIRANA_DATABASE_URL": url, "KIRANA_ENV": "test", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "kirana.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """The command failed with ``code`` and said why in a single line naming ``words``."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _pg_reachable() -> bool:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError) as exc:
        if CI:
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable at {PG_DSN}: {exc}")
        return False
    return True


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database that exists but was never migrated, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    if not _pg_reachable():
        pytest.skip(f"PostgreSQL not reachable at {PG_DSN}")
    with pg_database() as url:
        yield url


CREATE = ["createuser", "--role", "admin", "--phone", "+919800000001"]


@pytest.mark.parametrize("role", ["admin", "customer"])
def test_createuser(tmp_path: Path, role: str) -> None:
    db = tmp_path / "k.db"
    assert run(["migrate"], db).returncode == 0
    args = ["createuser", "--role", role, "--phone", "+919800000001", "--password", "long-enough"]
    r = run(args, db)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.strip()) == 26


def test_createuser_bad_input(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    assert run(["migrate"], db).returncode == 0
    one_line(run([*CREATE[:-1], "123", "--password", "long-enough"], db), 2, "phone")
    rider = ["createuser", "--role", "rider", "--phone", "+919800000002", "--password", "x" * 9]
    one_line(run(rider, db), 2, "--store")
    one_line(run([*rider, "--store", "NOPE"], db), 2, "no store")
    king = ["createuser", "--role", "king", "--phone", "+919800000003", "--password", "x" * 9]
    one_line(run(king, db), 1, "role")


def test_createuser_duplicate_phone(empty_db: str) -> None:
    assert run(["migrate"], empty_db).returncode == 0
    assert run([*CREATE, "--password", "long-enough"], empty_db).returncode == 0
    again = run([*CREATE, "--password", "long-enough"], empty_db)
    one_line(again, 1, "+919800000001", "already exists")


def test_createuser_on_an_unmigrated_database(empty_db: str) -> None:
    one_line(run([*CREATE, "--password", "long-enough"], empty_db), 1, "kirana migrate")


def _password_hash(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        (password_hash,) = conn.execute("SELECT password_hash FROM users").fetchone()
    return str(password_hash)


def test_createuser_reads_the_password_from_standard_input(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    assert run(["migrate"], db).returncode == 0
    r = run([*CREATE, "--password", "-"], db, stdin="a secret from stdin\n")
    assert r.returncode == 0, r.stderr
    assert verify_password(_password_hash(db), "a secret from stdin")


def test_createuser_asks_for_the_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "k.db"
    monkeypatch.setenv("KIRANA_DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    monkeypatch.setenv("KIRANA_ENV", "test")
    get_settings.cache_clear()
    try:
        assert run(["migrate"], db).returncode == 0
        r = CliRunner().invoke(cli.app, CREATE, input="typed unseen\ntyped unseen\n")
    finally:
        get_settings.cache_clear()
    assert r.exit_code == 0, r.output
    assert "typed unseen" not in r.output  # the prompt does not echo
    assert verify_password(_password_hash(db), "typed unseen")


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://postgres@127.0.0.1/test", "postgresql+asyncpg://"),
        ("postgres://postgres@127.0.0.1/test", "postgresql+asyncpg://"),
        ("postgresql+psycopg2://postgres@127.0.0.1/test", "postgresql+asyncpg://"),
        ("sqlite:///var/k.db", "sqlite+aiosqlite://"),
        ("mysql://root@127.0.0.1/k", "postgresql+asyncpg://"),
    ],
)
def test_a_database_url_without_an_asyncio_driver(url: str, driver: str) -> None:
    one_line(run(["migrate"], url), 2, "KIRANA_DATABASE_URL", driver)
    if url.startswith("postgresql://"):
        one_line(run([*CREATE, "--password", "long-enough"], url), 2, driver)


def test_a_database_that_does_not_exist() -> None:
    if not _pg_reachable():
        pytest.skip(f"PostgreSQL not reachable at {PG_DSN}")
    url = _pg_url("kirana_no_such_database")
    for command in (["migrate"], [*CREATE, "--password", "long-enough"]):
        one_line(run(command, url), 1, '"kirana_no_such_database" does not exist')


def test_a_database_server_that_is_not_there(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/test"
    one_line(run([*CREATE, "--password", "long-enough"], url), 1, "Cannot reach")


@pytest.mark.parametrize("command", ["up", "serve"])
def test_a_port_already_in_use(tmp_path: Path, command: str) -> None:
    db = tmp_path / "k.db"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = run([command, "--host", "127.0.0.1", "--port", str(port)], db)
    one_line(r, 1, f"Port {port}", "already in use")
    assert "Kirana is up" not in r.stdout
    assert not db.exists()  # refused before migrating anything
