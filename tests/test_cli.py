"""The command line: createuser and migrate against a real database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run(args: list[str], db: Path) -> subprocess.CompletedProcess[str]:
    env = {"KIRANA_DATABASE_URL": f"sqlite+aiosqlite:///{db}", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "kirana.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("role", ["admin", "customer"])
def test_createuser(tmp_path: Path, role: str) -> None:
    db = tmp_path / "k.db"
    assert run(["migrate"], db).returncode == 0
    r = run(
        ["createuser", "--role", role, "--phone", "+919800000001", "--password", "long-enough"], db
    )
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.strip()) == 26
    again = run(
        ["createuser", "--role", role, "--phone", "+919800000001", "--password", "long-enough"], db
    )
    assert again.returncode == 1 and "exists" in again.stderr


def test_createuser_bad_input(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    assert run(["migrate"], db).returncode == 0
    assert (
        run(
            ["createuser", "--role", "admin", "--phone", "123", "--password", "long-enough"], db
        ).returncode
        == 2
    )
    assert (
        run(
            [
                "createuser",
                "--role",
                "rider",
                "--phone",
                "+919800000002",
                "--password",
                "long-enough",
            ],
            db,
        ).returncode
        == 2
    )
    r = run(
        [
            "createuser",
            "--role",
            "rider",
            "--phone",
            "+919800000002",
            "--password",
            "long-enough",
            "--store",
            "NOPE",
        ],
        db,
    )
    assert r.returncode == 2 and "no store" in r.stderr
    assert (
        run(
            [
                "createuser",
                "--role",
                "king",
                "--phone",
                "+919800000003",
                "--password",
                "long-enough",
            ],
            db,
        ).returncode
        == 1
    )
