"""Failure-based rate limits for logins and credential checks.

A limiter counts failures per key (an e-mail address, a client address) in a fixed window; once
a key reaches its maximum, further attempts get 429 with ``Retry-After`` until the window ends.
Successes do not count, so a legitimate user is never slowed down by their own traffic. With
Redis configured the counts are shared by every server process; otherwise they live in memory.
A Redis outage lets attempts through (logged) rather than locking everybody out.
"""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING, Any

from litestar.exceptions import HTTPException

from agenta.core.access.digests import digest

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger("agenta.access")

MAX_MEMORY_KEYS = 50_000


class TooManyAttempts(HTTPException):
    """429 with ``Retry-After`` in whole seconds."""

    status_code = 429

    def __init__(self, message: str, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            detail=f"{message}; try again in {seconds} s",
            status_code=429,
            headers={"Retry-After": str(seconds)},
        )


class FailureLimiter:
    """At most ``max_failures`` failures per key in ``window`` seconds."""

    def __init__(
        self, name: str, max_failures: int, window: float, redis: Redis | None = None
    ) -> None:
        self.name = name
        self.max_failures = max_failures
        self.window = window
        self.redis = redis
        self._memory: dict[str, tuple[float, int]] = {}

    async def check(self, key: str, message: str) -> None:
        """Raise ``TooManyAttempts`` (with ``message``) when ``key`` is locked out."""
        count, retry_after = await self._state(key)
        if count >= self.max_failures:
            log.warning("rate limited", extra={"limiter": self.name, "retry_after": retry_after})
            raise TooManyAttempts(message, retry_after)

    async def record_failure(self, key: str) -> None:
        """Count one failure for ``key``."""
        if self.redis is not None:
            await self._redis_incr(key)
            return
        now = time.monotonic()
        ends, count = self._memory.get(key, (0.0, 0))
        if ends <= now:
            ends, count = now + self.window, 0
        self._memory[key] = (ends, count + 1)
        if len(self._memory) > MAX_MEMORY_KEYS:
            self._prune(now)

    async def reset(self, key: str) -> None:
        """Forget ``key``'s failures (after a success)."""
        if self.redis is not None:
            try:
                await self.redis.delete(self._redis_key(key))
            except Exception:
                log.warning("rate limit reset failed: Redis unavailable")
            return
        self._memory.pop(key, None)

    async def _state(self, key: str) -> tuple[int, float]:
        if self.redis is not None:
            return await self._redis_state(key)
        now = time.monotonic()
        ends, count = self._memory.get(key, (0.0, 0))
        return (count, ends - now) if ends > now else (0, 0.0)

    def _redis_key(self, key: str) -> str:
        return f"agenta:ratelimit:{self.name}:{digest(key)}"

    async def _redis_incr(self, key: str) -> None:
        assert self.redis is not None
        name = self._redis_key(key)
        try:
            pipe: Any = self.redis.pipeline()
            pipe.incr(name)
            pipe.expire(name, math.ceil(self.window), nx=True)
            await pipe.execute()
        except Exception:
            log.warning("rate limit not recorded: Redis unavailable")

    async def _redis_state(self, key: str) -> tuple[int, float]:
        assert self.redis is not None
        name = self._redis_key(key)
        try:
            pipe: Any = self.redis.pipeline()
            pipe.get(name)
            pipe.pttl(name)
            raw, ttl_ms = await pipe.execute()
        except Exception:
            log.warning("rate limit not checked: Redis unavailable")
            return 0, 0.0
        return int(raw or 0), max(0, ttl_ms) / 1000

    def _prune(self, now: float) -> None:
        for key in [key for key, (ends, _) in self._memory.items() if ends <= now]:
            del self._memory[key]
