"""A small in-process cache of verified credentials, so the hot path skips the database.

Entries map the SHA-256 of an API key (never the key) to the ``Principal`` it resolved to, and
``(user, project)`` pairs to a member's standing, for a few seconds. Revoking a key, or changing
or removing a member, drops the matching entries at once in this process and, when Redis is
configured, in every other process through a pub/sub message (``agenta:access:invalidate``).
The short lifetime bounds staleness if a message is ever lost.

A busy key must never fall out of the cache for every concurrent request at once: when it did,
each request in flight at that moment, and each one arriving while they queued for the
database, verified the key again, which slowed the event loop, which let more requests miss (a
one-second stall every lifetime at 1,500 requests/s). So:

- loads are single-flight: concurrent misses of one key share one load (``load``);
- hot entries are refreshed ahead: a hit in the last ``REFRESH_SHARE`` of an entry's lifetime
  starts one background load and is still answered from the cache (``fresh``). An entry is never
  served past its lifetime, so staleness is bounded exactly as before; a refresh that fails
  (the key was revoked, the database is down) drops the entry, so the next request re-checks;
- a load that was running when entries were dropped is not stored (a generation counter), so a
  revocation cannot be undone by a verification that read the key just before it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

log = logging.getLogger("agenta.access")

DEFAULT_TTL = 10.0
MAX_ENTRIES = 20_000
REFRESH_SHARE = 0.2

Loader = Callable[[], Awaitable[V]]


class TTLCache(Generic[K, V]):
    """A dictionary whose entries expire ``ttl`` seconds after being stored."""

    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        max_entries: int = MAX_ENTRIES,
        refresh_share: float = REFRESH_SHARE,
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.refresh_after = ttl * (1.0 - refresh_share)
        # key -> (refresh_at, expires_at, value)
        self._entries: dict[K, tuple[float, float, V]] = {}
        self._generation = 0
        self._loads: dict[tuple[K, int], asyncio.Task[V]] = {}

    def get(self, key: K) -> V | None:
        """The live value of ``key``, or None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= time.monotonic():
            self._entries.pop(key, None)
            return None
        return entry[2]

    def fresh(self, key: K, load: Loader[V]) -> V | None:
        """The live value of ``key`` (refreshed in the background when due), or None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        now = time.monotonic()
        if entry[1] <= now:
            self._entries.pop(key, None)
            return None
        if entry[0] <= now:
            self._flight(key, load, background=True)
        return entry[2]

    async def load(self, key: K, load: Loader[V]) -> V:
        """Run ``load`` and store its value, sharing one run among concurrent callers.

        Its errors reach every caller waiting on it and are never cached.
        """
        # Shielded: a caller that goes away does not cancel the others' answer.
        return await asyncio.shield(self._flight(key, load, background=False))

    async def get_or_load(self, key: K, load: Loader[V]) -> V:
        """The live value of ``key``, else the value ``load`` returns (see ``load``)."""
        value = self.fresh(key, load)
        if value is not None:
            return value
        return await self.load(key, load)

    def put(self, key: K, value: V) -> None:
        """Store ``value`` for ``ttl`` seconds (evicting the oldest entries when full)."""
        if len(self._entries) >= self.max_entries:
            self._evict()
        now = time.monotonic()
        self._entries[key] = (now + self.refresh_after, now + self.ttl, value)

    def discard_where(self, predicate: Callable[[K, V], bool]) -> int:
        """Drop every entry for which ``predicate(key, value)`` holds; returns how many.

        Loads running now are not stored: they may have read what the caller just changed.
        """
        self._generation += 1
        doomed = [key for key, entry in self._entries.items() if predicate(key, entry[2])]
        for key in doomed:
            self._entries.pop(key, None)
        return len(doomed)

    def clear(self) -> None:
        self._generation += 1
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _flight(self, key: K, load: Loader[V], *, background: bool) -> asyncio.Task[V]:
        # Keyed by generation: a caller arriving after an invalidation must not join a load
        # that may have read the state from before it.
        flight = (key, self._generation)
        task = self._loads.get(flight)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._load_and_store(key, load))
            self._loads[flight] = task
            task.add_done_callback(lambda done: self._landed(flight, done, background))
        return task

    async def _load_and_store(self, key: K, load: Loader[V]) -> V:
        generation = self._generation
        try:
            value = await load()
        except BaseException:
            if generation == self._generation:
                # Whatever went wrong, the entry is no longer known to be valid.
                self._entries.pop(key, None)
            raise
        if generation == self._generation:
            self.put(key, value)
        return value

    def _landed(self, flight: tuple[K, int], done: asyncio.Task[V], background: bool) -> None:
        self._loads.pop(flight, None)
        if done.cancelled():
            return
        error = done.exception()  # retrieved here, so an error nobody awaited is not "lost"
        if error is not None and background:
            log.info("cached credential dropped: its refresh failed", extra={"error": repr(error)})

    def _evict(self) -> None:
        now = time.monotonic()
        expired = [key for key, entry in self._entries.items() if entry[1] <= now]
        for key in expired:
            del self._entries[key]
        if len(self._entries) >= self.max_entries:
            for key in list(self._entries)[: self.max_entries // 10 or 1]:
                del self._entries[key]
