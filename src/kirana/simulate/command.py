"""``kirana simulate``: the options, a live progress bar, the report, the comparison printed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from kirana.config import Settings
from kirana.maps.errors import MapDataMissing
from kirana.simulate import report
from kirana.simulate.demand import DemandDataMissing
from kirana.simulate.options import Options
from kirana.simulate.run import Outcome, simulate


class SimulationFailed(Exception):
    """Why the run could not be made, in one line."""


def default_folder(settings: Settings) -> Path:
    return settings.simulation_reports / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def run(settings: Settings, options: Options, out: Path | None, *, show_progress: bool) -> Path:
    """Simulate, write the report and print the figures; returns the report's folder."""
    console = Console(stderr=True, soft_wrap=True, highlight=False)
    folder = out or default_folder(settings)
    started = time.perf_counter()
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[clock]}"),
            TimeElapsedColumn(),
            console=console,
            disable=not show_progress,
            transient=False,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(strategy: str, now: float, total: float) -> None:
                if strategy not in tasks:
                    tasks[strategy] = bar.add_task(strategy, total=total, clock="")
                hours, rest = divmod(int(now), 3600)
                bar.update(
                    tasks[strategy],
                    completed=min(now, total),
                    clock=f"{hours}:{rest // 60:02d} simulated",
                )

            outcomes = asyncio.run(simulate(settings, options, progress))
    except (DemandDataMissing, MapDataMissing) as exc:
        raise SimulationFailed(str(exc)) from exc
    wall = time.perf_counter() - started
    report.write(folder, outcomes, options, wall)
    print_figures(console, outcomes, wall)
    console.print(f"report: {folder / 'report.html'}")
    return folder


def print_figures(console: Console, outcomes: Sequence[Outcome], wall: float) -> None:
    for outcome in outcomes:
        m = outcome.metrics
        console.print(
            f"{outcome.strategy}: {m['deliveries']} deliveries, on time {m['on_time_share']}, "
            f"{m['orders_per_rider_hour']} orders per rider-hour, P50 {m['p50_delivery_minutes']} "
            f"min, P90 {m['p90_delivery_minutes']} min, P90 ETA covers {m['eta_p90_coverage']}"
        )
    if len(outcomes) > 1:
        first, other = outcomes[0], outcomes[1]
        for name, row in report.comparison(outcomes).items():
            change = row.get(f"{other.strategy}_change_percent")
            diff = row.get(f"{other.strategy}_minus_{first.strategy}")
            if diff is not None:
                pct = f" ({change:+.1f} %)" if change is not None else ""
                console.print(f"  {name}: {other.strategy} {diff:+g}{pct} against {first.strategy}")
    minutes = max(o.metrics["simulated_minutes"] for o in outcomes) * len(outcomes)
    console.print(f"{minutes:.0f} simulated minutes in {wall:.1f} s")
