"""Config fetches through the cache: ``fetch`` resolves a query once and serves its bytes after.

A fetch is keyed by the response ``shape`` (the new retrieve envelope, the compact GET shape, the
legacy shape) and the ``ConfigQuery``. On a miss the query is resolved, rendered by the shape's
``render`` function, encoded once and stored with its ETag (see ``ConfigCache`` for how stale
entries are kept out). Renderers may raise (the legacy shape answers 404 on a miss): errors are
never cached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from agenta.core.registry.authors import author_names
from agenta.core.registry.cache import CachedConfig, etag_of
from agenta.core.registry.resolution import ConfigQuery, Resolved, resolve
from agenta.core.registry.runtime import RegistryRuntime
from agenta.core.registry.scope import Scope

Names = dict[Any, str]
Render = Callable[[Resolved | None, Names], dict[str, Any]]

_encoder = msgspec.json.Encoder()


async def fetch(
    scope: Scope,
    runtime: RegistryRuntime | None,
    query: ConfigQuery,
    *,
    shape: str,
    render: Render,
) -> CachedConfig:
    """The response body (and ETag) for ``query`` in ``shape``, from the cache when possible."""
    cache = runtime.cache if runtime is not None else None
    key = (shape, query)
    if cache is not None:
        hit = cache.get(scope.project_id, key)
        if hit is not None:
            return hit
        generation = cache.generation(scope.project_id)
    resolved = await resolve(scope, query)
    names = await _names_of(scope, resolved)
    body = _encoder.encode(render(resolved, names))
    if cache is None:
        return CachedConfig(body, etag_of(body), 0.0)
    return cache.put(scope.project_id, key, body, generation)


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
