"""The vault's per-process state: the box that opens credentials and the environment snapshot.

``secrets_lifespan`` (one of the app's lifespans, after the platform's) creates the runtime when
the server starts, which is when the provider variables are read from ``os.environ``; later
calls of ``vault_runtime(platform)`` return that same object. Code running without the app (a
CLI command) gets one built on first use.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from litestar import Litestar

from agenta.core.secrets.environment import ProviderEnvironment
from agenta.core.secrets.vault import vault_box
from agenta.crypto import SecretBox
from agenta.platform import Platform
from agenta.settings import Settings

SERVICE_KEY = "secrets"


@dataclass(frozen=True)
class VaultRuntime:
    """What every vault operation of this process shares."""

    box: SecretBox
    environment: ProviderEnvironment


def build_vault_runtime(settings: Settings, environ: Mapping[str, str]) -> VaultRuntime:
    """A runtime for ``settings``, with the provider variables of ``environ``."""
    enabled = bool(settings.extra.get("env_provider_keys", True))
    return VaultRuntime(
        box=vault_box(settings.secret_key),
        environment=ProviderEnvironment.from_environ(environ, enabled=enabled),
    )


def vault_runtime(platform: Platform) -> VaultRuntime:
    """This process's vault runtime (created at start-up by ``secrets_lifespan``)."""
    return platform.service(SERVICE_KEY, lambda: build_vault_runtime(platform.settings, os.environ))


@asynccontextmanager
async def secrets_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Read the provider variables once, when the app starts."""
    vault_runtime(app.state.platform)
    yield
