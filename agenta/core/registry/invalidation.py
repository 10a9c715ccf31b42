"""``ChangeFeed``: tells every serve process's config cache that a project's registry changed.

Service code calls ``changed(session, project_id)`` inside its transaction. Nothing happens until
that transaction commits (a rolled-back change invalidates nothing, and an invalidation before the
commit could be undone by a fetch re-reading the old rows); then the local cache drops the
project and, when Redis is configured, the project id is published on ``CHANNEL``.

Every serve process runs ``listen()``: it subscribes to ``CHANNEL`` and drops the projects it
hears about. While the subscription is down, messages could be missed, so the cache is disabled
(nothing is stored) and emptied; it is re-enabled once subscribed again. Without Redis there is
nothing to listen to: the cache relies on its short TTL for changes made by other processes.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.registry.cache import ConfigCache

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger("agenta.registry")

CHANNEL = "agenta:registry:changed"
_PENDING = "agenta.registry.changed_projects"
RECONNECT_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0)


class ChangeFeed:
    """Invalidates the local cache after commit and relays invalidations between processes."""

    def __init__(self, cache: ConfigCache, redis: Redis | None = None) -> None:
        self.cache = cache
        self.redis = redis
        # With Redis, nothing is cached until the subscription is up (see ``listen``).
        cache.enabled = redis is None
        self.subscribed = asyncio.Event()
        self._publishes: set[asyncio.Task[None]] = set()

    def changed(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        """Invalidate ``project_id`` everywhere once ``session``'s transaction commits."""
        pending: set[uuid.UUID] = session.info.setdefault(_PENDING, set())
        if not pending:
            event.listen(session.sync_session, "after_commit", self._after_commit, once=True)
        pending.add(project_id)

    def _after_commit(self, sync_session: Any) -> None:
        projects: set[uuid.UUID] = sync_session.info.pop(_PENDING, set())
        for project_id in projects:
            self.cache.invalidate(project_id)
        if self.redis is not None and projects:
            task = asyncio.get_running_loop().create_task(self._publish(projects))
            self._publishes.add(task)
            task.add_done_callback(self._publishes.discard)

    async def _publish(self, projects: set[uuid.UUID]) -> None:
        assert self.redis is not None
        try:
            for project_id in projects:
                await self.redis.publish(CHANNEL, str(project_id))
        except Exception:
            log.exception("could not publish a registry invalidation")

    async def listen(self) -> None:
        """Apply invalidations from other processes until cancelled."""
        if self.redis is None:
            return
        failures = 0
        while True:
            try:
                await self._listen_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._lost_subscription()
                delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
                failures += 1
                log.warning(
                    "registry invalidation feed lost (%s); retrying in %.1f s",
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
            else:
                failures = 0

    async def _listen_once(self) -> None:
        assert self.redis is not None
        pubsub = self.redis.pubsub()
        try:
            await pubsub.subscribe(CHANNEL)
            self.cache.clear()
            self.cache.enabled = True
            self.subscribed.set()
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                if message is not None:
                    self._apply(message.get("data"))
        finally:
            self._lost_subscription()
            await pubsub.aclose()

    def _lost_subscription(self) -> None:
        self.subscribed.clear()
        self.cache.enabled = False
        self.cache.clear()

    def _apply(self, data: object) -> None:
        text = data.decode() if isinstance(data, bytes) else str(data)
        try:
            self.cache.invalidate(uuid.UUID(text))
        except ValueError:
            log.warning("ignored a malformed registry invalidation: %r", text[:100])

    async def drain(self) -> None:
        """Wait for pending publishes (shutdown, tests)."""
        while self._publishes:
            await asyncio.gather(*list(self._publishes), return_exceptions=True)
