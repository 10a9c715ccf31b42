"""The one interface every provider implementation offers.

A provider turns a ``ChatRequest`` (OpenAI-shaped messages and parameters, user JSON untouched)
into a ``Completion`` or a stream of ``StreamDelta``; it raises ``ProviderError`` for every
failure, whatever its SDK raised. Providers do not retry (their SDK clients are built with
``max_retries=0``): retries and fallbacks belong to the client, where the prompt's policies live.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from agenta.llm.results import Completion, StreamDelta

DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class ChatRequest:
    """One chat call: provider-side model id, messages and OpenAI-named parameters."""

    model: str
    messages: Sequence[Mapping[str, Any]]
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    timeout: float = DEFAULT_TIMEOUT


class Provider(Protocol):
    """A connection to one provider endpoint with one set of credentials."""

    name: str

    async def complete(self, request: ChatRequest) -> Completion:
        """Send ``request`` and return the whole answer."""
        ...

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamDelta]:
        """Send ``request`` and yield the answer as it arrives (usage on the last delta)."""
        ...

    async def aclose(self) -> None:
        """Release the underlying HTTP connections."""
        ...
