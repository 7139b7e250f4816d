"""Admins open the last simulation's report; nobody else can."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from kirana.config import Settings
from kirana.kit.db import Database
from tests import factories

URL = "/api/v1/admin/simulations/latest"


def _report(folder: Path, name: str, when: float) -> None:
    (folder / name).mkdir(parents=True)
    (folder / name / "report.html").write_text(f"<!doctype html><h1>{name}</h1>")
    (folder / name / "metrics.json").write_text('{"deliveries": 3}')
    os.utime(folder / name / "report.html", (when, when))


async def test_admins_open_the_newest_report(
    db: Database, client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    settings.simulation_reports_dir = tmp_path / "reports"
    admin = await factories.login(client, await factories.make_user(db, "admin"))
    customer = await factories.login(client, await factories.make_user(db, "customer"))

    r = await client.get(URL, headers=admin)
    assert r.status_code == 404, r.text
    assert r.json()["code"] == "simulation_not_found"

    _report(tmp_path / "reports", "older", 1_000_000)
    _report(tmp_path / "reports", "newer", 2_000_000)
    r = await client.get(URL, headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "newer"
    assert body["html"] == "<!doctype html><h1>newer</h1>"
    assert body["metrics"] == {"deliveries": 3}
    assert body["finished_at"].startswith("1970-01-24")

    r = await client.get(URL, headers=customer)
    assert r.status_code == 403
    assert r.json()["code"] == "role_required"
    assert (await client.get(URL)).status_code == 401
