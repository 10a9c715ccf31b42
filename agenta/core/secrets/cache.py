"""A short-lived, per-process cache of each project's decrypted connections.

Every invocation needs the project's connections; reading and decrypting them costs a database
round trip, which would be most of the services' own latency. Entries live ``ttl`` seconds
(``settings.extra["vault_cache_seconds"]``, 5 by default). A change made through this process
(the API or the page) forgets the project's entry at once; another process sees it when its
entry expires, so a deleted or replaced key may serve that process for up to ``ttl`` seconds.

A fill that started before a change must not store what it read: each project has a
generation, bumped by ``forget``, and ``put`` ignores a fill from an older generation.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from agenta.llm import ConnectionRecord

DEFAULT_TTL_SECONDS = 5.0
MAX_PROJECTS = 10_000


@dataclass(frozen=True)
class _Entry:
    connections: tuple[ConnectionRecord, ...]
    expires_at: float


class ConnectionCache:
    """Decrypted connections per project, for ``ttl`` seconds."""

    def __init__(
        self, ttl: float = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[uuid.UUID, _Entry] = {}
        self._generations: dict[uuid.UUID, int] = {}

    def get(self, project_id: uuid.UUID) -> tuple[ConnectionRecord, ...] | None:
        """The cached connections, or None when absent or expired."""
        entry = self._entries.get(project_id)
        if entry is None or entry.expires_at <= self._clock():
            return None
        return entry.connections

    def generation(self, project_id: uuid.UUID) -> int:
        """The project's generation, to hand back to ``put`` after reading."""
        return self._generations.get(project_id, 0)

    def put(
        self, project_id: uuid.UUID, connections: tuple[ConnectionRecord, ...], generation: int
    ) -> None:
        """Keep ``connections`` unless the project changed since ``generation`` was read."""
        if self.ttl <= 0 or generation != self.generation(project_id):
            return
        if len(self._entries) >= MAX_PROJECTS:
            self._entries.clear()
        self._entries[project_id] = _Entry(connections, self._clock() + self.ttl)

    def forget(self, project_id: uuid.UUID) -> None:
        """Drop the project's entry; fills already running will not store theirs."""
        self._entries.pop(project_id, None)
        self._generations[project_id] = self.generation(project_id) + 1
