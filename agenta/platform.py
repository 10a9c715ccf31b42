"""The running platform's shared resources, created once per process by the app lifespan.

``Platform`` owns the database engine, the Redis client, the job queue and, in embedded mode, the
in-process job runner. Request handlers reach it through dependencies (``agenta.deps``); nothing
here lives in module globals, so tests can build as many apps as they like side by side.

Features keep their per-process singletons (caches, an LLM client with pooled connections) in
``services``; ``service(key, factory, close=...)`` creates one on first use and registers its
cleanup, and ``on_stop(hook)`` adds any other cleanup. ``stop`` runs those hooks newest first,
before the shared resources they may still use are closed; a failing hook is logged and does not
keep the others (or the database) from closing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from agenta.db import Database
from agenta.jobs.catalog import build_registry
from agenta.jobs.queue import JobQueue
from agenta.jobs.registry import JobContext, JobRegistry
from agenta.jobs.runner import InProcessRunner
from agenta.settings import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger("agenta")

STOP_HOOK_TIMEOUT = 10.0

T = TypeVar("T")
StopHook = Callable[[], Awaitable[None]]


class Platform:
    """Shared resources of one process (a plain class: request validation leaves it alone)."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        registry: JobRegistry,
        queue: JobQueue,
        redis: Redis | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.registry = registry
        self.queue = queue
        self.redis = redis
        self.runner: InProcessRunner | None = None
        # Feature-owned singletons (caches, provider pools), created lazily by their features.
        self.services: dict[str, Any] = {}
        self._stop_hooks: list[StopHook] = []

    def on_stop(self, hook: StopHook) -> None:
        """Run ``hook`` when the platform stops (hooks run newest first)."""
        self._stop_hooks.append(hook)

    def service(
        self,
        key: str,
        factory: Callable[[], T],
        *,
        close: Callable[[T], Awaitable[None]] | None = None,
    ) -> T:
        """The singleton kept under ``key``, built by ``factory`` on first use.

        ``close``, if given, is called with it when the platform stops.
        """
        if key in self.services:
            return self.services[key]  # type: ignore[no-any-return]
        created = factory()
        self.services[key] = created
        if close is not None:

            async def close_service() -> None:
                await close(created)

            self.on_stop(close_service)
        return created

    @classmethod
    async def start(
        cls, settings: Settings, *, registry: JobRegistry | None = None, run_jobs: bool = True
    ) -> Platform:
        """Connect to the database (and Redis), and start the in-process runner if embedded."""
        registry = registry or build_registry()
        db = Database(settings.database_url)
        redis = arq = None
        if settings.redis_url is not None:
            from arq.connections import ArqRedis
            from redis.asyncio import ConnectionPool

            # Connect lazily: a server whose Redis is down still starts and says so on /ready.
            arq = ArqRedis(connection_pool=ConnectionPool.from_url(settings.redis_url))
            redis = arq
        queue = JobQueue(db, registry, arq=arq)
        platform = cls(settings=settings, db=db, registry=registry, queue=queue, redis=redis)
        if settings.embedded and run_jobs:
            context = JobContext(settings=settings, db=db, queue=queue, redis=redis)
            platform.runner = InProcessRunner(
                queue,
                context,
                concurrency=settings.job_concurrency,
                poll_interval=settings.job_poll_interval,
                lease=settings.job_lease_seconds,
            )
            platform.runner.start()
        return platform

    async def stop(self) -> None:
        """Run the stop hooks, then stop the runner and close the shared resources."""
        await self._run_stop_hooks()
        if self.runner is not None:
            await self.runner.stop()
        await self.queue.drain()
        if self.redis is not None:
            await self.redis.aclose()
        await self.db.dispose()

    async def _run_stop_hooks(self) -> None:
        hooks, self._stop_hooks = self._stop_hooks, []
        for hook in reversed(hooks):
            name = getattr(hook, "__qualname__", "")
            try:
                # A stuck hook (a server that never answers a goodbye) must not hang shutdown.
                async with asyncio.timeout(STOP_HOOK_TIMEOUT):
                    await hook()
            except TimeoutError:
                log.warning("a stop hook timed out", extra={"hook": name})
            except Exception:
                log.exception("a stop hook failed", extra={"hook": name})
