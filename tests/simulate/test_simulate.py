"""kirana simulate: a short run of the real services writes a sane report, the same seed gives
the same figures, and bad options end in one line with exit code 2."""

from __future__ import annotations

import heapq
import random
import subprocess
import sys
from collections import deque
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import update

import kirana
from kirana.config import Settings
from kirana.kit.outbox import relay_once
from kirana.logistics.models import Delivery
from kirana.maps.geocoding import Place
from kirana.simulate.api import latest_report
from kirana.simulate.city import riders_by_demand
from kirana.simulate.command import run
from kirana.simulate.demand import arrivals, load
from kirana.simulate.engine import START
from kirana.simulate.run import Options, city_simulation, simulate

# A few minutes of a small city: about eight orders.
SHORT = Options(stores=1, riders=3, pickers=2, orders_per_hour=60, hours=0.15, speed=1e6, seed=7)


SOURCE = str(Path(kirana.__file__).resolve().parents[1])


def _settings(tmp_path: Path) -> Settings:
    return Settings(env="test", simulation_reports_dir=tmp_path / "reports")


def test_a_short_run_writes_a_sane_report(tmp_path: Path) -> None:
    folder = run(_settings(tmp_path), SHORT, tmp_path / "out", show_progress=False)
    metrics = orjson.loads((folder / "metrics.json").read_bytes())
    page = (folder / "report.html").read_text()

    assert metrics["orders"] >= 3
    assert metrics["refused"] == 0
    # every order of a lightly loaded city is delivered, and the services recorded each one
    assert metrics["deliveries"] == metrics["orders"]
    assert 0.0 <= metrics["on_time_share"] <= 1.0
    assert 0.0 <= metrics["eta_p90_coverage"] <= 1.0
    assert metrics["orders_per_rider_hour"] > 0
    # a store two or three minutes' ride away: picking, riding, handing over take minutes
    assert 3 < metrics["p50_delivery_minutes"] <= metrics["p90_delivery_minutes"] < 60
    assert metrics["strategy"] == "nearest" and metrics["seed"] == 7
    # the run ends once the last order is handed over (and its rider is back), long before
    # the two hours it may take to deliver the rest
    assert metrics["simulated_minutes"] < SHORT.hours * 60 + 60
    assert page.startswith("<!doctype html>")
    assert page.count("<svg") == 5
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org", "")


async def test_the_run_ends_at_the_last_hand_over(tmp_path: Path) -> None:
    """Once ordering is over and every order is handed over, nothing is left to wait for:
    not the riders' rides back, nor the two hours the rest may take."""
    [outcome] = await simulate(_settings(tmp_path), replace(SHORT, hours=0.1))
    trace = outcome.trace
    last = max(o.delivered_at or 0.0 for o in trace.orders.values())
    assert outcome.metrics["undelivered"] == 0 and last > 0.1 * 3600  # after ordering
    assert trace.simulated_seconds == last
    assert outcome.metrics["simulated_minutes"] == round(last / 60, 2)


def test_the_same_seed_gives_the_same_metrics(tmp_path: Path) -> None:
    shorter = replace(SHORT, hours=0.1)
    first = run(_settings(tmp_path), shorter, tmp_path / "a", show_progress=False)
    second = run(_settings(tmp_path), shorter, tmp_path / "b", show_progress=False)
    assert (first / "metrics.json").read_bytes() == (second / "metrics.json").read_bytes()


def test_demand_follows_the_instacart_day() -> None:
    demand = load()
    assert demand.orders > 10_000
    assert abs(sum(demand.hour_share) - 1) < 1e-9
    # Instacart's customers order by day, hardly at night
    assert demand.rate_factor(14) > 5 * demand.rate_factor(3)
    assert 5 < demand.mean_basket < 15

    times = arrivals(demand, random.Random(1), orders_per_hour=600, start_hour=9, hours=2)
    assert 1000 < len(times) < 1400  # 600 an hour on average over the two hours
    assert times == sorted(times) and times[-1] < 7200


def _cli(*args: str, tmp_path: Path, out: bool = True) -> subprocess.CompletedProcess[str]:
    where = ["--out", str(tmp_path / "x")] if out else []
    return subprocess.run(
        [sys.executable, "-m", "kirana.cli", "simulate", *args, *where],
        capture_output=True,
        text=True,
        env={
            "KIRANA_ENV": "test",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": SOURCE,  # the kirana under test, wherever it is checked out
            "KIRANA_SIMULATION_REPORTS_DIR": str(tmp_path / "reports"),
            "KIRANA_VAR_DIR": str(Path("var").resolve()),  # the street graph's cache
        },
        timeout=120,
    )


def test_the_command_writes_to_the_reports_folder_the_admins_read(tmp_path: Path) -> None:
    result = _cli(
        *("--stores", "1", "--riders", "2", "--pickers", "1"),
        *("--orders-per-hour", "30", "--hours", "0.05", "--speed", "1e6"),
        tmp_path=tmp_path,
        out=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    folder = latest_report(tmp_path / "reports")
    assert folder is not None
    assert f"report: {folder / 'report.html'}" in result.stderr
    metrics = orjson.loads((folder / "metrics.json").read_bytes())
    assert metrics["options"] == {
        "stores": 1,
        "riders": 2,
        "pickers": 1,
        "orders_per_hour": 30.0,
        "hours": 0.05,
    }
    assert "deliveries" in result.stderr.splitlines()[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--stores", "0"], ["--stores"]),
        (["--stores", "2", "--riders", "1"], ["--riders", "one per store"]),
        (["--hours", "-1"], ["--hours"]),
        (["--speed", "0"], ["--speed"]),
        (["--strategy", "fastest"], ["unknown strategy", "fastest"]),
        (["--compare", "nearest"], ["--compare", "two strategies"]),
        (["--compare", "nearest,nearest"], ["--compare", "once"]),
    ],
)
def test_bad_options_end_in_one_line(tmp_path: Path, args: list[str], words: list[str]) -> None:
    result = _cli(*args, tmp_path=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kirana simulate: ")
    for word in words:
        assert word in lines[0]
    assert not (tmp_path / "x").exists()


@pytest.mark.skipif(
    "dispatch_strategy" not in Settings.model_fields,
    reason="this build's dispatch has no strategy setting (batched dispatch) yet",
)
def test_compare_runs_both_strategies_on_the_same_demand(tmp_path: Path) -> None:
    options = replace(SHORT, hours=0.07, strategies=("nearest", "batched"))
    folder = run(_settings(tmp_path), options, tmp_path / "cmp", show_progress=False)
    both = orjson.loads((folder / "metrics.json").read_bytes())
    assert set(both) == {"nearest", "batched"}
    assert both["nearest"]["orders"] == both["batched"]["orders"] > 0
    for strategy in ("nearest", "batched"):
        own = orjson.loads((folder / strategy / "metrics.json").read_bytes())
        assert own == both[strategy] and own["strategy"] == strategy
        assert (folder / strategy / "report.html").is_file()
    comparison = orjson.loads((folder / "comparison.json").read_bytes())
    assert comparison["deliveries"]["batched_minus_nearest"] == (
        both["batched"]["deliveries"] - both["nearest"]["deliveries"]
    )
    page = (folder / "report.html").read_text()
    assert "Comparison" in page and page.count("<svg") == 10


async def test_pickers_wait_for_the_pick_after_dispatch_plans(tmp_path: Path) -> None:
    """Just in time: an order whose bag dispatch wants picked later (``pick_after``, as a
    batched trip's rider is due) is not started before then; a picker comes back to it then."""
    options = replace(SHORT, riders=1, pickers=1)
    async with city_simulation(_settings(tmp_path), options, "nearest", tmp_path) as sim:
        with sim.running():
            await sim._order(0)  # nobody on shift yet: its delivery waits for a rider
            [order_id] = sim.trace.orders
            store_id = sim.trace.orders[order_id].store_id
            await relay_once(sim.db)  # the delivery is made; the pickers not told yet
            sim._confirmed.clear()
            due = START + timedelta(minutes=10)
            async with sim.db.transaction() as session:
                await session.execute(
                    update(Delivery).where(Delivery.order_id == order_id).values(pick_after=due)
                )
            await sim._start_picking(store_id)
            assert sim._stage[order_id] == "waiting_pick"  # the free picker left it
            assert [(at, kind) for at, _, kind, *_ in sim._queue] == [(600.0, "pick_wake")]
            at, _, kind, who, what = heapq.heappop(sim._queue)
            sim.now = at
            await sim._handle(kind, who, what)
            assert sim._stage[order_id] == "picking"
            assert sim.free_pickers[store_id] == deque()


def test_riders_go_to_the_stores_in_proportion_to_their_customers() -> None:
    """Staffed for its demand: a store nearest to most customers gets most riders, each at
    least one, all of them shared out."""
    west, east = (60.17, 24.90), (60.17, 24.99)

    def home(lng: float) -> Place:
        return Place("Test 1", "Test", "1", "00100", "Helsinki", 60.17, lng)

    homes = [home(24.90)] * 6 + [home(24.91)] * 2 + [home(24.99)] * 2
    assert riders_by_demand([west, east], homes, 10) == [8, 2]
    assert riders_by_demand([west, east], homes, 2) == [1, 1]
    assert riders_by_demand([west, east, (60.2, 25.1)], homes, 7) == [5, 1, 1]
    assert sum(riders_by_demand([west, east], homes, 11)) == 11
