"""``kirana simulate``'s options, checked before anything heavy is imported: a mistake is
answered in a moment, in one line."""

from __future__ import annotations

from dataclasses import dataclass

from kirana.config import Settings

STRATEGIES = ("nearest", "batched")
STRATEGY_SETTING = "dispatch_strategy"


class BadOptions(ValueError):
    """An option the simulator cannot run with; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Options:
    stores: int = 3
    riders: int = 18
    pickers: int = 3
    orders_per_hour: float = 120.0
    hours: float = 2.0
    speed: float = 60.0
    strategies: tuple[str, ...] = ("nearest",)
    seed: int = 1

    def check(self, settings: Settings) -> None:
        problems = []
        if not 1 <= self.stores <= 50:
            problems.append("--stores must be between 1 and 50")
        if not self.stores <= self.riders <= 2000:
            problems.append("--riders must be at least one per store and at most 2000")
        if not 1 <= self.pickers <= 100:
            problems.append("--pickers must be between 1 and 100 (per store)")
        if not 0 < self.orders_per_hour <= 20_000:
            problems.append("--orders-per-hour must be above 0 and at most 20000")
        if not 0 < self.hours <= 24:
            problems.append("--hours must be above 0 and at most 24")
        if not self.speed > 0:
            problems.append("--speed must be above 0 (60 runs an hour in a minute)")
        for name in self.strategies:
            if name not in STRATEGIES:
                problems.append(f"unknown strategy {name!r}: use nearest or batched")
            elif name != "nearest" and STRATEGY_SETTING not in type(settings).model_fields:
                problems.append(
                    f"the {name} strategy needs the {STRATEGY_SETTING} setting, "
                    "which this build of Kirana does not have yet"
                )
        if len(set(self.strategies)) != len(self.strategies):
            problems.append("--compare names each strategy once")
        if problems:
            raise BadOptions("; ".join(problems))


def strategies(strategy: str, compare: str | None) -> tuple[str, ...]:
    """``--strategy``, or the strategies ``--compare`` names (two or more)."""
    if compare is None:
        return (strategy.strip(),)
    names = tuple(n.strip() for n in compare.split(",") if n.strip())
    if len(names) < 2:
        raise BadOptions("--compare takes two strategies or more, e.g. nearest,batched")
    return names
