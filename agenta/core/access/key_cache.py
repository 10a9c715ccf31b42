"""A small in-process cache of verified credentials, so the hot path skips the database.

Entries map the SHA-256 of an API key (never the key) to the ``Principal`` it resolved to, and
``(user, project)`` pairs to a member's standing, for a few seconds. Revoking a key, or changing
or removing a member, drops the matching entries at once in this process and, when Redis is
configured, in every other process through a pub/sub message (``agenta:access:invalidate``).
The short lifetime bounds staleness if a message is ever lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

DEFAULT_TTL = 10.0
MAX_ENTRIES = 20_000


class TTLCache(Generic[K, V]):
    """A dictionary whose entries expire ``ttl`` seconds after being stored."""

    def __init__(self, ttl: float = DEFAULT_TTL, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        """The live value of ``key``, or None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            self._entries.pop(key, None)
            return None
        return entry[1]

    def put(self, key: K, value: V) -> None:
        """Store ``value`` for ``ttl`` seconds (evicting the oldest entries when full)."""
        if len(self._entries) >= self.max_entries:
            self._evict()
        self._entries[key] = (time.monotonic() + self.ttl, value)

    def discard_where(self, predicate: Callable[[K, V], bool]) -> int:
        """Drop every entry for which ``predicate(key, value)`` holds; returns how many."""
        doomed = [key for key, (_, value) in self._entries.items() if predicate(key, value)]
        for key in doomed:
            self._entries.pop(key, None)
        return len(doomed)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _evict(self) -> None:
        now = time.monotonic()
        expired = [key for key, (ends, _) in self._entries.items() if ends <= now]
        for key in expired:
            del self._entries[key]
        if len(self._entries) >= self.max_entries:
            for key in list(self._entries)[: self.max_entries // 10 or 1]:
                del self._entries[key]
