"""The access layer's per-process state: credential caches, rate limiters, invalidation.

One ``AccessRuntime`` lives in ``platform.services["access"]`` (created on first use). Its knobs
come from ``settings.extra`` so tests and operators can tighten them without new settings:
``access_cache_seconds`` (10), ``login_max_failures`` (10 per ``login_window_seconds``, 300) and
``key_max_failures`` (30 per ``key_window_seconds``, 60). ``access_lifespan`` runs the Redis
subscriber that applies other processes' invalidations to this process's caches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any
from uuid import UUID

from agenta.core.access.key_cache import TTLCache
from agenta.core.access.principal import Principal
from agenta.core.access.rate_limit import FailureLimiter
from agenta.platform import Platform
from agenta.settings import Settings

if TYPE_CHECKING:
    from litestar import Litestar
    from redis.asyncio import Redis

    from agenta.core.accounts.tenancy import ProjectAccess

log = logging.getLogger("agenta.access")

CHANNEL = "agenta:access:invalidate"
SERVICE_NAME = "access"


class AccessRuntime:
    """Caches and limiters shared by every request of this process."""

    def __init__(self, settings: Settings, redis: Redis | None) -> None:
        extra = settings.extra
        ttl = float(extra.get("access_cache_seconds", 10.0))
        self.redis = redis
        self.keys: TTLCache[str, Principal] = TTLCache(ttl)
        self.members: TTLCache[tuple[UUID, UUID], ProjectAccess] = TTLCache(ttl)
        self.login_limiter = FailureLimiter(
            "login",
            int(extra.get("login_max_failures", 10)),
            float(extra.get("login_window_seconds", 300)),
            redis,
        )
        self.key_limiter = FailureLimiter(
            "credentials",
            int(extra.get("key_max_failures", 30)),
            float(extra.get("key_window_seconds", 60)),
            redis,
        )

    def forget_locally(
        self, *, api_key_id: UUID | None = None, user_id: UUID | None = None
    ) -> None:
        """Drop cached entries of a key or of a user, in this process only."""
        if api_key_id is not None:
            self.keys.discard_where(lambda _, principal: principal.api_key_id == api_key_id)
        if user_id is not None:
            self.keys.discard_where(lambda _, principal: principal.user_id == user_id)
            self.members.discard_where(lambda key, _: key[0] == user_id)

    async def invalidate(
        self, *, api_key_id: UUID | None = None, user_id: UUID | None = None
    ) -> None:
        """Drop cached entries here and tell the other processes to do the same."""
        self.forget_locally(api_key_id=api_key_id, user_id=user_id)
        if self.redis is None:
            return
        message = f"key:{api_key_id}" if api_key_id is not None else f"user:{user_id}"
        try:
            await self.redis.publish(CHANNEL, message)
        except Exception:
            log.warning("cache invalidation not published: Redis unavailable")

    def apply(self, message: str) -> None:
        """Apply an invalidation message received from another process."""
        kind, _, raw_id = message.partition(":")
        try:
            target = UUID(raw_id)
        except ValueError:
            return
        if kind == "key":
            self.forget_locally(api_key_id=target)
        elif kind == "user":
            self.forget_locally(user_id=target)


def access_runtime(platform: Platform) -> AccessRuntime:
    """This process's runtime, created on first use."""
    runtime = platform.services.get(SERVICE_NAME)
    if runtime is None:
        runtime = AccessRuntime(platform.settings, platform.redis)
        platform.services[SERVICE_NAME] = runtime
    return runtime  # type: ignore[no-any-return]


async def _listen(runtime: AccessRuntime, redis: Redis) -> None:
    while True:
        try:
            pubsub: Any = redis.pubsub()
            await pubsub.subscribe(CHANNEL)
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    data = message["data"]
                    runtime.apply(data.decode() if isinstance(data, bytes) else str(data))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("access invalidation listener lost Redis; retrying")
            runtime.keys.clear()
            runtime.members.clear()
            await asyncio.sleep(1.0)


@asynccontextmanager
async def access_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Listen for invalidations while the app runs (only when Redis is configured)."""
    platform: Platform = app.state.platform
    runtime = access_runtime(platform)
    if platform.redis is None:
        yield
        return
    task = asyncio.create_task(_listen(runtime, platform.redis))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
