"""The vault's per-process state: the box that opens credentials, the environment snapshot and
the cache of decrypted connections.

``secrets_lifespan`` (one of the app's lifespans, after the platform's) creates the runtime when
the server starts, which is when the provider variables are read from ``os.environ``; later
calls of ``vault_runtime(platform)`` return that same object. Code running without the app (a
CLI command) gets one built on first use.

``cached_connections`` is what invocations use: the project's connections from the cache, or
read (in a session of its own, only on a miss) and cached.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from litestar import Litestar

from agenta.core.secrets.cache import DEFAULT_TTL_SECONDS, ConnectionCache
from agenta.core.secrets.environment import ProviderEnvironment
from agenta.core.secrets.vault import project_connections, vault_box
from agenta.crypto import SecretBox
from agenta.llm import ConnectionRecord
from agenta.platform import Platform
from agenta.settings import Settings

SERVICE_KEY = "secrets"


@dataclass(frozen=True)
class VaultRuntime:
    """What every vault operation of this process shares."""

    box: SecretBox
    environment: ProviderEnvironment
    connections: ConnectionCache = field(default_factory=ConnectionCache)


def build_vault_runtime(settings: Settings, environ: Mapping[str, str]) -> VaultRuntime:
    """A runtime for ``settings``, with the provider variables of ``environ``."""
    enabled = bool(settings.extra.get("env_provider_keys", True))
    ttl = float(settings.extra.get("vault_cache_seconds", DEFAULT_TTL_SECONDS))
    return VaultRuntime(
        box=vault_box(settings.secret_key),
        environment=ProviderEnvironment.from_environ(environ, enabled=enabled),
        connections=ConnectionCache(ttl),
    )


def vault_runtime(platform: Platform) -> VaultRuntime:
    """This process's vault runtime (created at start-up by ``secrets_lifespan``)."""
    return platform.service(SERVICE_KEY, lambda: build_vault_runtime(platform.settings, os.environ))


async def cached_connections(
    platform: Platform, project_id: uuid.UUID
) -> tuple[ConnectionRecord, ...]:
    """The project's usable connections, from this process's cache when fresh."""
    runtime = vault_runtime(platform)
    found = runtime.connections.get(project_id)
    if found is not None:
        return found
    generation = runtime.connections.generation(project_id)
    async with platform.db.session() as session:
        connections = tuple(await project_connections(session, runtime.box, project_id))
    runtime.connections.put(project_id, connections, generation)
    return connections


def vault_changed(platform: Platform, project_id: uuid.UUID) -> None:
    """Forget the project's cached connections after a change."""
    vault_runtime(platform).connections.forget(project_id)


@asynccontextmanager
async def secrets_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Read the provider variables once, when the app starts."""
    vault_runtime(app.state.platform)
    yield
