"""The one source of "now": UTC-aware, and replaceable so the simulator and tests can move time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731
_offset = timedelta(0)


def now() -> datetime:
    return _now() + _offset


def advance(delta: timedelta) -> None:
    """Move the clock forward (tests and the simulator)."""
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = timedelta(0)


def set_source(source: Callable[[], datetime]) -> None:
    global _now
    _now = source


def ensure_aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
