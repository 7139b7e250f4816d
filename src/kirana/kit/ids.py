"""Identifiers: ULID-style strings, sortable by creation time, 26 Crockford base32 characters."""

from __future__ import annotations

import os
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]  # every 10 bits as two digits


_last = 0
_lock = threading.Lock()


def new_id() -> str:
    """48 bits of milliseconds, then 80 random bits: 128 bits as 26 digits of 5 bits (the first
    holds 3), written two digits at a time. Within a process ids only grow (ULID's monotonic
    mode: an id made in the same millisecond as the last is the last plus one), so the outbox's
    id order is the order in which a process wrote its events."""
    global _last
    value = (time.time_ns() // 1_000_000 << 80) | int.from_bytes(os.urandom(10), "big")
    with _lock:
        if value >> 80 <= _last >> 80:
            value = _last + 1
        _last = value
    return _encode(value)


def _encode(value: int) -> str:
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in range(120, -1, -10)])


def is_id(value: str) -> bool:
    return len(value) == 26 and all(c in _ALPHABET for c in value)


def floor(epoch_seconds: float) -> str:
    """The smallest id made at or after ``epoch_seconds``: ids at least this old sort below it
    (time ranges over an id column use its primary-key index)."""
    return _encode(int(epoch_seconds * 1000) << 80)
