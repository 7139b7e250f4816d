"""Pricing: explainable fees and the order total, as pure functions (no I/O, no clock).

Each fee is a rule with a code and a label; its defaults live here and an admin may override
them (the ``fee_rules`` table). The total is always ``subtotal + fees - discount + tip`` and is
never negative, because a discount never exceeds the subtotal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kirana.kit import market

MAX_TIP = 50_000  # 500 in the currency's major unit
_HHMM = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")


@dataclass(frozen=True, slots=True)
class FeeRule:
    code: str
    label: str
    amount: int
    enabled: bool = True
    params: Mapping[str, Any] = field(default_factory=dict)


DEFAULT_RULES: dict[str, FeeRule] = {
    rule.code: rule
    for rule in (
        FeeRule("delivery", "Delivery fee", 2_500, params={"free_above": 19_900}),
        FeeRule("small_cart", "Small cart fee", 2_000, params={"below": 9_900}),
        FeeRule("handling", "Handling fee", 400),
        FeeRule(
            "late_night",
            "Late night fee",
            3_000,
            # An empty timezone is the deployment's (KIRANA_TIME_ZONE).
            params={"start": "23:00", "end": "05:00", "timezone": ""},
        ),
        FeeRule("surge", "High demand fee", 2_000, params={"orders_per_rider": 3.0}),
    )
}


@dataclass(frozen=True, slots=True)
class Fee:
    code: str
    label: str
    amount: int

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "amount": self.amount}


@dataclass(frozen=True, slots=True)
class StoreLoad:
    """How busy the store is: orders in progress, riders online and those of them idle."""

    open_orders: int = 0
    online_riders: int = 0
    idle_riders: int = 0


@dataclass(frozen=True, slots=True)
class Quote:
    subtotal: int
    fees: tuple[Fee, ...]
    discount: int
    tip: int
    total: int

    @property
    def fees_total(self) -> int:
        return sum(f.amount for f in self.fees)


def merge_rules(overrides: Mapping[str, FeeRule]) -> dict[str, FeeRule]:
    """The defaults with an admin's overrides laid over them (unknown codes are ignored)."""
    rules = dict(DEFAULT_RULES)
    for code, rule in overrides.items():
        if code in rules:
            base = rules[code]
            rules[code] = replace(rule, params={**base.params, **rule.params})
    return rules


def param_problems(code: str, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(parameter, message) for every parameter value the rule ``code`` cannot use."""
    problems: list[tuple[str, str]] = []
    for name, value in params.items():
        if name in ("free_above", "below"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                problems.append((name, "must be a whole number of paise, 0 or more"))
        elif name in ("start", "end"):
            if not isinstance(value, str) or not _HHMM.fullmatch(value):
                problems.append((name, "must be a time of day as HH:MM"))
        elif name == "timezone" and value != "":
            try:
                ZoneInfo(str(value))
            except (ZoneInfoNotFoundError, ValueError):
                problems.append((name, "must be an IANA time zone such as Europe/Helsinki"))
        elif name == "orders_per_rider" and (
            not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= 1000
        ):
            problems.append((name, "must be a number above 0"))
    return problems


def _parse_hhmm(value: Any, default: str) -> time:
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        hours, minutes = default.split(":")
        return time(int(hours), int(minutes))


def in_late_night(at: datetime, params: Mapping[str, Any]) -> bool:
    """Whether ``at`` (aware) falls in the window, read in the store's local time."""
    try:
        zone = ZoneInfo(str(params.get("timezone") or market.current().time_zone))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = at.astimezone(zone).time()
    start = _parse_hhmm(params.get("start"), "23:00")
    end = _parse_hhmm(params.get("end"), "05:00")
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the window wraps past midnight


def is_overloaded(load: StoreLoad, params: Mapping[str, Any]) -> bool:
    ratio = float(params.get("orders_per_rider", 3.0))
    return load.open_orders > ratio * max(load.online_riders, 1)


def fees_for(
    subtotal: int, at: datetime, load: StoreLoad, rules: Mapping[str, FeeRule]
) -> tuple[Fee, ...]:
    """Every fee that applies to a cart of ``subtotal`` at ``at``; none for an empty cart."""
    if subtotal <= 0:
        return ()
    fees: list[Fee] = []

    def add(code: str, applies: bool) -> None:
        rule = rules.get(code)
        if rule is not None and rule.enabled and rule.amount > 0 and applies:
            fees.append(Fee(rule.code, rule.label, rule.amount))

    delivery = rules.get("delivery")
    add("delivery", delivery is not None and subtotal < int(delivery.params.get("free_above", 0)))
    small = rules.get("small_cart")
    add("small_cart", small is not None and subtotal < int(small.params.get("below", 0)))
    add("handling", True)
    late = rules.get("late_night")
    add("late_night", late is not None and in_late_night(at, late.params))
    surge = rules.get("surge")
    add("surge", surge is not None and is_overloaded(load, surge.params))
    return tuple(fees)


def quote(
    subtotal: int,
    *,
    at: datetime,
    load: StoreLoad,
    rules: Mapping[str, FeeRule],
    discount: int = 0,
    tip: int = 0,
) -> Quote:
    """The full price of a cart. ``discount`` is capped at the subtotal; ``tip`` at MAX_TIP."""
    if subtotal < 0 or discount < 0 or tip < 0:
        raise ValueError("amounts must not be negative")
    fees = fees_for(subtotal, at, load, rules)
    discount = min(discount, subtotal)
    tip = min(tip, MAX_TIP)
    total = subtotal + sum(f.amount for f in fees) - discount + tip
    return Quote(subtotal=subtotal, fees=fees, discount=discount, tip=tip, total=max(total, 0))
