"""README.md, docs/ and the OpenAPI document stand on their own: no link leads out of the
repository, every requirement is named, and the demo logins written in the README are the ones
the demo city makes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from kirana.config import Settings
from kirana.main import create_app
from kirana.seed.demo import DEMO_PASSWORD, _logins

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"https?://[^\s)>\]`'\"|]+")
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def _documents() -> dict[str, str]:
    texts = {"README.md": (ROOT / "README.md").read_text()}
    for path in sorted((ROOT / "docs").rglob("*.md")):
        texts[str(path.relative_to(ROOT))] = path.read_text()
    app = create_app(Settings(env="test", database_url="sqlite+aiosqlite:///:memory:"))
    texts["OpenAPI document"] = json.dumps(app.openapi(), ensure_ascii=False)
    return texts


def _leaves(url: str) -> bool:
    """Whether a URL points out of this machine. Reserved example domains (RFC 2606) and
    single-label names (a proxy's upstream, such as ``http://kirana``) are not links out."""
    host = urlsplit(url).hostname or ""
    if host in LOCAL_HOSTS or "." not in host:
        return False
    return not re.search(r"(^|\.)example\.(com|org|net)$", host)


def test_no_link_leads_out_of_the_repository() -> None:
    outside = []
    for name, text in _documents().items():
        outside += [(name, url) for url in URL.findall(text) if _leaves(url)]
        outside += [(name, m[0]) for m in re.finditer(r"\.\./shared|\bshared/[A-Z]+\.md", text)]
        if name.endswith(".md"):
            base = (ROOT / name).parent
            for target in MARKDOWN_LINK.findall(text):
                if target.startswith(("http://", "https://", "#", "mailto:")):
                    continue
                path = (base / target.split("#")[0]).resolve()
                if not (path.is_relative_to(ROOT) and path.exists()):
                    outside.append((name, target))
    assert outside == []


def _programs_the_tests_need() -> set[str]:
    """Every program a test runs and, under CI=true, fails without: those named to
    tests/ops/servers.need(), the live tests' Mosquitto and the Redis restart test's server."""
    found = {"mosquitto", "mosquitto_ctrl", "redis-server", "chromium"}
    for path in (ROOT / "tests").rglob("*.py"):
        found |= set(re.findall(r'\bneed\("([\w-]+)"\)', path.read_text()))
    return found


def test_the_readme_names_every_requirement() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## What you need", 1)[1].split("\n## ", 1)[0]
    for requirement in ("Python 3.11", "Node.js 20", "PostgreSQL", "Redis", "chromium", "make"):
        assert requirement in section, requirement
    programs = _programs_the_tests_need()
    assert {"nginx", "prometheus", "promtool", "openssl"} <= programs  # the scan finds need()
    missing = sorted(p for p in programs if f"`{p}`" not in section)
    assert not missing, f"README.md's 'What you need' does not name {missing}"
    assert (ROOT / "docs" / "design.md").is_file() and (ROOT / "docs" / "api.md").is_file()


def test_the_readme_writes_the_demo_logins() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Demo logins", 1)[1].split("\n## ", 1)[0]
    assert f"`{DEMO_PASSWORD}`" in section
    logins = _logins()
    by_role: dict[str, object] = {}
    for login in logins:
        by_role.setdefault(login.role, login.phone)
    for role in ("admin", "store_staff", "rider", "customer"):
        assert f"`{by_role[role]}`" in section, role
    for login in logins:
        if login.role in ("admin", "customer"):
            assert login.phone in section and login.name in section, login
