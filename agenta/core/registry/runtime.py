"""The registry's per-process resources: the config cache and its change feed.

``lifespan`` (listed in the app's lifespans, after the platform's) creates one
``RegistryRuntime`` per serve process, keeps it in ``platform.services`` and runs the change
feed's Redis listener for as long as the app runs. ``runtime_of(platform)`` finds it again; code
running without the app (CLI commands, project-created hooks) gets ``None`` and skips caching.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from litestar import Litestar

from agenta.core.registry.cache import CachedConfig, ConfigCache
from agenta.core.registry.invalidation import ChangeFeed
from agenta.platform import Platform

SERVICE_KEY = "registry"
# Other processes' changes reach this one through Redis; without it, only expiry bounds them.
TTL_WITH_FEED = 300.0
TTL_WITHOUT_FEED = 2.0


@dataclass(frozen=True)
class RegistryRuntime:
    cache: ConfigCache
    feed: ChangeFeed
    # Fetches being resolved right now, so concurrent misses of one key share one resolution.
    inflight: dict[Hashable, asyncio.Task[CachedConfig]] = field(default_factory=dict)


def runtime_of(platform: Platform) -> RegistryRuntime | None:
    """The process's registry runtime, or None outside a running app."""
    found = platform.services.get(SERVICE_KEY)
    return found if isinstance(found, RegistryRuntime) else None


def build_runtime(platform: Platform) -> RegistryRuntime:
    """A cache sized for the platform's mode and a feed over its Redis, if any."""
    ttl = TTL_WITH_FEED if platform.redis is not None else TTL_WITHOUT_FEED
    cache = ConfigCache(ttl=ttl)
    return RegistryRuntime(cache=cache, feed=ChangeFeed(cache, platform.redis))


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Create the runtime and run the invalidation listener while the app runs."""
    platform: Platform = app.state.platform
    runtime = build_runtime(platform)
    platform.services[SERVICE_KEY] = runtime
    listener = asyncio.create_task(runtime.feed.listen(), name="registry-invalidation-feed")
    try:
        yield
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        await runtime.feed.drain()
        platform.services.pop(SERVICE_KEY, None)
