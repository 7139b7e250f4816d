"""The last simulation's report for admins: what ``kirana simulate`` wrote into the reports
folder (the ``simulation_reports_dir`` setting), newest first."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from fastapi import APIRouter
from pydantic import BaseModel

from kirana.deps import AdminUser, AppSettings
from kirana.kit.errors import NotFound
from kirana.kit.openapi import problems

router = APIRouter(tags=["simulation"])


class SimulationReportRead(BaseModel):
    """The newest report in the reports folder."""

    name: str  # the run's folder, inside the reports folder
    finished_at: datetime
    metrics: dict[str, Any]  # metrics.json as written (one strategy's, or each strategy's by name)
    html: str  # report.html: one self-contained page (inline SVG, no scripts, nothing to load)


def latest_report(reports: Path) -> Path | None:
    """The folder of the newest ``report.html`` directly inside ``reports``."""
    if not reports.is_dir():
        return None
    found = [(p.stat().st_mtime, p.parent.name, p.parent) for p in reports.glob("*/report.html")]
    return max(found)[2] if found else None


@router.get(
    "/api/v1/admin/simulations/latest",
    operation_id="latestSimulationReport",
    responses=problems(404),
)
async def latest_simulation_report(_: AdminUser, settings: AppSettings) -> SimulationReportRead:
    """The last report ``kirana simulate`` wrote to the reports folder; 404
    ``simulation_not_found`` before the first run."""
    folder = latest_report(settings.simulation_reports)
    if folder is None:
        raise NotFound(
            "No simulation report yet: run `kirana simulate`", code="simulation_not_found"
        )
    page = folder / "report.html"
    metrics_file = folder / "metrics.json"
    metrics = orjson.loads(metrics_file.read_bytes()) if metrics_file.is_file() else {}
    return SimulationReportRead(
        name=folder.name,
        finished_at=datetime.fromtimestamp(page.stat().st_mtime, UTC),
        metrics=metrics,
        html=page.read_text(),
    )
