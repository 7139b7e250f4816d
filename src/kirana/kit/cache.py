"""A small in-process TTL cache with a version stamp, for hot reads such as catalog pages.

Writers call ``bump()``; readers key by ``version`` so a change in this process is seen at
once, and the TTL bounds how stale a page may be after a change made by another process.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any


class TTLCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 4096) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.version = 0
        self._entries: OrderedDict[Any, tuple[float, Any]] = OrderedDict()

    def get(self, key: Any) -> Any | None:
        entry = self._entries.get((self.version, key))
        if entry is None:
            return None
        expires, value = entry
        if expires < time.monotonic():
            self._entries.pop((self.version, key), None)
            return None
        return value

    def set(self, key: Any, value: Any) -> None:
        if self.ttl <= 0:
            return
        self._entries[(self.version, key)] = (time.monotonic() + self.ttl, value)
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def bump(self) -> None:
        self.version += 1
        self._entries.clear()
