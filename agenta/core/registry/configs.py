"""Config fetches through the cache: ``fetch`` resolves a query once and serves its bytes after.

A fetch is keyed by the response ``shape`` (the new retrieve envelope, the compact GET shape, the
legacy shape) and the ``ConfigQuery``. On a miss the query is resolved, rendered by the shape's
``render`` function, encoded once and stored with its ETag (see ``ConfigCache`` for how stale
entries are kept out). Renderers may raise (the legacy shape answers 404 on a miss): errors are
never cached.

A hit touches no database: the caller passes ``open_scope``, and a session is opened only on a
miss. That keeps the hot path of a user's app (one fetch per request) to the cache lookup.
Concurrent misses of one key (a burst right after an invalidation) share a single resolution
instead of all querying the database at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from contextlib import AbstractAsyncContextManager
from typing import Any

import msgspec

from agenta.core.registry.authors import author_names
from agenta.core.registry.cache import CachedConfig, Generation, etag_of
from agenta.core.registry.resolution import ConfigQuery, Resolved, resolve
from agenta.core.registry.runtime import RegistryRuntime
from agenta.core.registry.scope import Scope

Names = dict[Any, str]
Render = Callable[[Resolved | None, Names], dict[str, Any]]

_encoder = msgspec.json.Encoder()


ScopeOpener = Callable[[], AbstractAsyncContextManager[Scope]]


async def fetch(
    project_id: Any,
    runtime: RegistryRuntime | None,
    query: ConfigQuery,
    *,
    shape: str,
    render: Render,
    open_scope: ScopeOpener,
) -> CachedConfig:
    """The response body (and ETag) for ``query`` in ``shape``, from the cache when possible."""
    if runtime is None:
        body = await _resolve_and_render(query, render, open_scope)
        return CachedConfig(body, etag_of(body), 0.0)
    key = (shape, query)
    hit = runtime.cache.get(project_id, key)
    if hit is not None:
        return hit
    # Keyed by generation too: a fetch that starts after a change must not join a resolution
    # that may have read the rows from before it.
    generation = runtime.cache.generation(project_id)
    flight = (project_id, key, generation)
    task = runtime.inflight.get(flight)
    if task is None:
        # A task of its own: a caller that goes away does not cancel the others' answer.
        task = asyncio.create_task(
            _fill(runtime, project_id, key, generation, query, render, open_scope)
        )
        runtime.inflight[flight] = task
        task.add_done_callback(lambda done: _forget(runtime, flight, done))
    return await asyncio.shield(task)


async def _fill(
    runtime: RegistryRuntime,
    project_id: Any,
    key: Hashable,
    generation: Generation,
    query: ConfigQuery,
    render: Render,
    open_scope: ScopeOpener,
) -> CachedConfig:
    body = await _resolve_and_render(query, render, open_scope)
    return runtime.cache.put(project_id, key, body, generation)


def _forget(runtime: RegistryRuntime, key: Hashable, done: asyncio.Task[CachedConfig]) -> None:
    runtime.inflight.pop(key, None)
    if not done.cancelled():
        done.exception()  # retrieved here, so an error nobody awaited is not logged as lost


async def _resolve_and_render(query: ConfigQuery, render: Render, open_scope: ScopeOpener) -> bytes:
    async with open_scope() as scope:
        resolved = await resolve(scope, query)
        names = await _names_of(scope, resolved)
        return _encoder.encode(render(resolved, names))


async def _names_of(scope: Scope, resolved: Resolved | None) -> Names:
    if resolved is None:
        return {}
    authors = [resolved.revision.created_by_id]
    if resolved.environment_revision is not None:
        authors.append(resolved.environment_revision.created_by_id)
    return await author_names(scope.session, authors)


def matches(if_none_match: str | None, etag: str) -> bool:
    """True when an ``If-None-Match`` header names ``etag`` (weak comparison, ``*`` matches)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False
