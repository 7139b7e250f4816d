"""The one source of "now": UTC-aware, and replaceable so the simulator and tests can move time."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def _wall() -> datetime:
    return datetime.now(UTC)


_now: Callable[[], datetime] = _wall
_offset = timedelta(0)


def now() -> datetime:
    return _now() + _offset


def monotonic() -> float:
    """Seconds that only go forward, for how long something has been kept (the caches' time to
    live): the process's monotonic clock, moved on by :func:`advance`; on a source set with
    :func:`set_source` (the simulator's virtual clock), that source's seconds, so a cache kept
    for a second is kept for a virtual second."""
    if _now is _wall:
        return time.monotonic() + _offset.total_seconds()
    return (_now() + _offset).timestamp()


def advance(delta: timedelta) -> None:
    """Move the clock forward (tests and the simulator)."""
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = timedelta(0)


def set_source(source: Callable[[], datetime] | None) -> None:
    """Read "now" from ``source``; None: the wall clock again."""
    global _now
    _now = _wall if source is None else source


def ensure_aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
