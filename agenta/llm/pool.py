"""Reuse of providers (and so of SDK clients and their connection pools) across calls.

Building an SDK client costs far more than a call's own overhead, and each client keeps its HTTP
connections alive, so providers are cached per credentials identity: kind, base URL, key and
extras. The cache belongs to a ``ProviderPool`` instance (one per ``LLMClient``, owned by the
app), never to the module. It is bounded: the least recently used provider is dropped when full;
a call may still be using it, so it is closed only ``RETIRED_CLOSE_DELAY_SECONDS`` later (its
aiohttp session must be closed, not just forgotten, or it is reported as leaked).
"""

from __future__ import annotations

import asyncio
import importlib
from collections import OrderedDict
from typing import Any

from agenta.llm.credentials import ProviderCredentials
from agenta.llm.errors import CredentialsError
from agenta.llm.provider_kinds import provider_kind
from agenta.llm.providers.anthropic_provider import AnthropicProvider
from agenta.llm.providers.base import Provider
from agenta.llm.providers.openai_provider import OpenAIProvider

# What building an OpenAI-wire provider imports: the SDK and its aiohttp transport.
_OPENAI_MODULES = ("openai", "aiohttp")
# Longer than any call a dropped provider may still be serving.
RETIRED_CLOSE_DELAY_SECONDS = 600.0


def preload_openai_sdk() -> None:
    """Import the openai SDK and its HTTP stack now rather than on a process's first call.

    The import costs most of a second of CPU; a process that runs jobs (evaluation runs call
    models from their first row) pays it at start-up, in a thread, instead of inside the first
    run. Most provider kinds speak the OpenAI wire; Anthropic's SDK still loads on first use.
    """
    for name in _OPENAI_MODULES:
        importlib.import_module(name)


class ProviderPool:
    """Providers built on demand and kept per credentials identity."""

    def __init__(self, max_providers: int = 128) -> None:
        self._max_providers = max_providers
        self._providers: OrderedDict[tuple[Any, ...], Provider] = OrderedDict()
        self._retired: set[Provider] = set()
        self._closing: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._providers)

    def provider_for(self, credentials: ProviderCredentials) -> Provider:
        """The provider for ``credentials``, reused if one was built before."""
        key = credentials.cache_key()
        provider = self._providers.get(key)
        if provider is None:
            provider = build_provider(credentials)
            self._providers[key] = provider
            if len(self._providers) > self._max_providers:
                self._retire(self._providers.popitem(last=False)[1])
        else:
            self._providers.move_to_end(key)
        return provider

    async def aclose(self) -> None:
        """Close every cached (or dropped, not yet closed) provider's connections."""
        providers = [*self._providers.values(), *self._retired]
        self._providers.clear()
        self._retired.clear()
        for provider in providers:
            await provider.aclose()

    def _retire(self, provider: Provider) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop, so no call in flight and nothing opened yet
            return
        self._retired.add(provider)
        loop.call_later(RETIRED_CLOSE_DELAY_SECONDS, self._close_retired, provider)

    def _close_retired(self, provider: Provider) -> None:
        if provider not in self._retired:  # the pool was closed meanwhile
            return
        self._retired.discard(provider)
        task = asyncio.ensure_future(provider.aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)


def build_provider(credentials: ProviderCredentials) -> Provider:
    """A new provider speaking the wire protocol of ``credentials.kind``."""
    kind = provider_kind(credentials.kind)
    if kind is None:
        raise CredentialsError(
            f"unknown provider kind {credentials.kind!r}", reason="unknown-provider"
        )
    if kind.wire == "anthropic":
        return AnthropicProvider(credentials, kind)
    return OpenAIProvider(credentials, kind)
