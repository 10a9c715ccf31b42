"""``ConfigCache``: resolved configs kept in memory, per project, ready to send.

A config fetch is cheap because its answer is cached as the exact bytes of the response body,
with an ETag derived from them. Entries are grouped by project: any change to a project's
registry (commit, deploy, rollback, archive, rename) drops all of that project's entries, which is
simpler than tracking which fetches a change affects and costs one database round of misses.

Races: a fetch reads ``generation(project)`` before it queries the database and ``put`` refuses
the entry if the generation moved meanwhile, so a fetch that read old data while a change was
committing can never store it after the invalidation. Entries also expire after ``ttl`` seconds,
which bounds staleness when invalidations from other processes cannot arrive (no Redis, or while
the subscription is down: then ``enabled`` is false and nothing is stored at all).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Hashable
from dataclasses import dataclass

Generation = tuple[int, int]


@dataclass(frozen=True, slots=True)
class CachedConfig:
    """A response body and its ETag (quoted, as sent in the header)."""

    body: bytes
    etag: str
    expires_at: float


def etag_of(body: bytes) -> str:
    """A strong ETag for ``body``: the first 32 hex digits of its SHA-256, quoted."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class ConfigCache:
    """A bounded in-memory map from ``(project, query)`` to a cached response."""

    def __init__(self, *, ttl: float, max_entries: int = 20_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.enabled = True
        self._entries: dict[tuple[uuid.UUID, Hashable], CachedConfig] = {}
        self._keys_by_project: dict[uuid.UUID, set[Hashable]] = {}
        self._generations: dict[uuid.UUID, int] = {}
        self._epoch = 0

    def generation(self, project_id: uuid.UUID) -> Generation:
        """Read before querying the database; hand it back to ``put``."""
        return self._epoch, self._generations.get(project_id, 0)

    def get(self, project_id: uuid.UUID, key: Hashable) -> CachedConfig | None:
        """The live entry for ``key`` in the project, if any."""
        entry = self._entries.get((project_id, key))
        if entry is None:
            return None
        if entry.expires_at <= time.monotonic():
            self._drop(project_id, key)
            return None
        return entry

    def put(
        self, project_id: uuid.UUID, key: Hashable, body: bytes, generation: Generation
    ) -> CachedConfig:
        """The entry for ``body``; stored only if nothing changed since ``generation``."""
        entry = CachedConfig(body, etag_of(body), time.monotonic() + self.ttl)
        if not self.enabled or generation != self.generation(project_id):
            return entry
        if len(self._entries) >= self.max_entries:
            oldest_project, oldest_key = next(iter(self._entries))
            self._drop(oldest_project, oldest_key)
        self._entries[(project_id, key)] = entry
        self._keys_by_project.setdefault(project_id, set()).add(key)
        return entry

    def invalidate(self, project_id: uuid.UUID) -> None:
        """Forget every entry of the project and refuse fetches that started before now."""
        self._generations[project_id] = self._generations.get(project_id, 0) + 1
        for key in self._keys_by_project.pop(project_id, set()):
            self._entries.pop((project_id, key), None)

    def clear(self) -> None:
        """Forget everything (the invalidation feed lost messages)."""
        self._epoch += 1
        self._entries.clear()
        self._keys_by_project.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, project_id: uuid.UUID, key: Hashable) -> None:
        self._entries.pop((project_id, key), None)
        keys = self._keys_by_project.get(project_id)
        if keys is not None:
            keys.discard(key)
