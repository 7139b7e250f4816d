""".ci/run sets up a clean Debian machine for the tests: it installs what the tests need and the
machine lacks (and nothing for benchmarks), starts PostgreSQL and Redis when they do not answer,
lets the tests in to PostgreSQL, creates the `test` database, and then runs `make test`.

The script itself runs here, on a stand-in machine: its PATH holds only the shell's basic tools and
stub programs that log each call and keep the machine's state (packages installed, services up)
in files. apt-get "installs" a package by putting its programs' stubs on that PATH, and refuses a
package it does not know, as apt-get does.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "run"

# What each package the script may install is for, and the programs it brings.
PACKAGES: dict[str, tuple[str, ...]] = {
    "make": ("make",),  # make test
    "git": ("git",),
    "python3": (),
    "python3-venv": (),  # make's .venv
    "nodejs": ("node",),  # the web build and its unit tests
    "npm": ("npm",),
    "chromium": ("chromium",),  # the browser tests
    "fonts-liberation": ("fc-list",),  # the screenshots' text
    "postgresql": ("pg_isready", "psql", "pg_lsclusters", "pg_ctlcluster"),
    "redis-server": ("redis-server", "redis-cli"),
    "nginx-light": ("nginx",),  # tests/ops
    "prometheus": ("prometheus", "promtool"),  # tests/ops
    "openssl": ("openssl",),  # tests/ops
    "mosquitto": ("mosquitto", "mosquitto_ctrl"),  # tests/live
}
BASIC = (
    "bash",
    "basename",
    "dirname",
    "cp",
    "touch",
    "sed",
    "grep",
    "sort",
    "tail",
    "head",
    "seq",
    "mkdir",
)
# The interpreter running the tests, itself rather than a venv's or a version manager's link to it.
PYTHON = os.path.realpath(sys.executable)

LOG = 'echo "$(basename "$0") $*" >> "$CI_LOG"\n'
STUBS: dict[str, str] = {
    "apt-get": """
[ "$1" = update ] && exit 0
for pkg in "$@"; do
  case "$pkg" in -*) continue ;; install) continue ;; esac
  [ -d "$CI_PACKAGES/$pkg" ] || { echo "E: Unable to locate package $pkg" >&2; exit 100; }
  cp -p "$CI_PACKAGES/$pkg/." "$CI_BIN/" -r
done
""",
    "runuser": 'while [ "$1" != -- ]; do shift; done; shift; exec "$@"\n',
    "sleep": "",
    "node": "",
    "fc-list": 'echo "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf: Liberation"\n',
    "pg_isready": '[ -e "$CI_STATE/pg_up" ] || { echo "127.0.0.1:5432 - no response"; exit 2; }\n',
    "pg_lsclusters": """
[ -e "$CI_STATE/pg_up" ] && s=online || s=down
echo "15 main 5432 $s postgres /var/lib/postgresql/15/main /var/log/postgresql/15-main.log"
""",
    "pg_ctlcluster": '[ "$*" = "--skip-systemctl-redirect 15 main start" ] && touch "$CI_STATE/pg_up"\n',
    # Over TCP (-h) PostgreSQL asks for a password until pg_hba.conf trusts local connections;
    # as the postgres user on its socket it lets them in (peer).
    "psql": """
[ -e "$CI_STATE/pg_up" ] || exit 2
sql="${@: -1}"
case " $* " in
  *" -h "*) [ -e "$CI_STATE/trusted" ] || { echo "password authentication failed" >&2; exit 2; } ;;
esac
case "$sql" in
  "SHOW hba_file") echo "$CI_STATE/pg_hba.conf" ;;
  "SELECT pg_reload_conf()")
    grep -q "^host all all 127.0.0.1/32 trust" "$CI_STATE/pg_hba.conf" && touch "$CI_STATE/trusted" ;;
  *"datname = 'test'"*) [ -e "$CI_STATE/db_test" ] && echo 1 || echo 0 ;;
  "CREATE DATABASE test") touch "$CI_STATE/db_test" ;;
esac
""",
    "redis-cli": '[ -e "$CI_STATE/redis_up" ] && echo PONG || exit 1\n',
    "redis-server": 'case " $* " in *" --port 6379 "*) touch "$CI_STATE/redis_up" ;; esac\n',
}


def _write_stub(path: Path, body: str) -> None:
    path.write_text("#!/bin/bash\n" + LOG + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _machine(tmp_path: Path, installed: set[str]) -> tuple[Path, dict[str, str]]:
    """A stand-in machine with ``installed`` packages; its PATH, and the environment to run in."""
    bin_dir, packages, state = tmp_path / "bin", tmp_path / "packages", tmp_path / "state"
    for d in (bin_dir, packages, state):
        d.mkdir()
    (state / "pg_hba.conf").write_text("local all postgres peer\n")
    for tool in BASIC:
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    (bin_dir / "python3").symlink_to(PYTHON)
    for name in ("apt-get", "runuser", "sleep"):
        _write_stub(bin_dir / name, STUBS[name])
    for package, programs in PACKAGES.items():
        (packages / package).mkdir()
        for program in programs:
            _write_stub(packages / package / program, STUBS.get(program, ""))
            if package in installed:
                shutil.copy2(packages / package / program, bin_dir / program)
    repo = tmp_path / "repo"
    (repo / ".ci").mkdir(parents=True)
    shutil.copy2(SCRIPT, repo / ".ci" / "run")
    env = {
        "PATH": str(bin_dir),
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "CI_LOG": str(tmp_path / "calls.log"),
        "CI_BIN": str(bin_dir),
        "CI_PACKAGES": str(packages),
        "CI_STATE": str(state),
    }
    return repo, env


def _run(repo: Path, env: dict[str, str]) -> list[str]:
    """Runs the script on the stand-in machine; the programs it called, in order."""
    done = subprocess.run(
        ["/bin/bash", str(repo / ".ci" / "run")],
        env=env,
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return Path(env["CI_LOG"]).read_text().splitlines()


def _asked_for(calls: list[str]) -> set[str]:
    """The packages apt-get was asked to install (in one command, or none)."""
    installs = [c.split()[2:] for c in calls if c.startswith("apt-get install")]
    assert len(installs) <= 1, calls
    return {word for words in installs for word in words if not word.startswith("-")}


def _lacking_venv() -> set[str]:
    """python3-venv, when this machine's python3 (the stand-in's too) lacks it."""
    probe = [PYTHON, "-c", "import ensurepip, venv"]
    return {"python3-venv"} if subprocess.run(probe, capture_output=True).returncode else set()


def test_a_clean_machine_gets_what_the_tests_need_and_its_services_started(
    tmp_path: Path,
) -> None:
    repo, env = _machine(tmp_path, installed=set())
    calls = _run(repo, env)
    wanted = set(PACKAGES) - {"python3", "python3-venv"}
    assert _asked_for(calls) == wanted | _lacking_venv()
    assert calls.index("apt-get update -qq") < calls.index(next(c for c in calls if "install" in c))

    assert "pg_ctlcluster --skip-systemctl-redirect 15 main start" in calls
    hba = (Path(env["CI_STATE"]) / "pg_hba.conf").read_text().splitlines()
    assert hba[:2] == ["host all all 127.0.0.1/32 trust", "host all all ::1/128 trust"]
    assert hba[2] == "local all postgres peer"
    assert any(c.startswith("psql") and c.endswith("CREATE DATABASE test") for c in calls)
    started = [c for c in calls if c.startswith("redis-server")]
    assert len(started) == 1 and "--daemonize yes" in started[0], calls
    assert calls[-1] == "make test"  # the README's command, once everything is up


def test_a_ready_machine_is_left_as_it_is(tmp_path: Path) -> None:
    repo, env = _machine(tmp_path, installed=set(PACKAGES))
    for up in ("pg_up", "trusted", "db_test", "redis_up"):
        (Path(env["CI_STATE"]) / up).touch()
    calls = _run(repo, env)
    changed = ("pg_ctlcluster", "redis-server", "runuser")
    assert [c for c in calls if c.startswith(changed)] == []
    assert _asked_for(calls) == _lacking_venv()
    assert not [c for c in calls if "CREATE DATABASE" in c]
    assert (Path(env["CI_STATE"]) / "pg_hba.conf").read_text() == "local all postgres peer\n"
    assert calls[-1] == "make test"


def test_the_script_is_executable() -> None:
    assert os.access(SCRIPT, os.X_OK)
