"""What evaluators may use from the outside world, injected by the caller.

Evaluators never import the LLM layer, the database or the settings. The caller passes an
``EvaluatorContext`` that holds:
- ``complete`` and ``embed``: async callables provided by the LLM layer (``agenta.llm``), used by
  the LLM judge and by semantic similarity. Missing ones make those evaluators fail with
  ``llm-unavailable`` instead of crashing;
- ``sandbox``: the ``SandboxRunner`` for custom code (a shared runner keeps warm processes; without
  one, each call starts a fresh runner);
- the outbound policy of the webhook evaluator (whether private addresses may be reached, timeout
  and response size cap), which is a deployment decision, never an evaluator setting.

Any object with ``complete`` and ``embed`` methods (the ``LLMAccess`` protocol) is accepted where
a context is expected; ``as_context`` wraps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from agenta.outbound import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_SECONDS

if TYPE_CHECKING:
    from ..sandbox import SandboxRunner

Message = dict[str, str]


class CompleteFn(Protocol):
    """Send chat messages to ``model`` and return the reply text.

    ``response_format`` follows the OpenAI shape: ``None`` for text, ``{"type": "json_object"}``
    or ``{"type": "json_schema", "json_schema": {...}}``.
    """

    async def __call__(
        self, model: str, messages: list[Message], response_format: dict[str, Any] | None
    ) -> str: ...


class EmbedFn(Protocol):
    """Return one embedding vector per text, in order."""

    async def __call__(self, model: str, texts: list[str]) -> list[list[float]]: ...


@runtime_checkable
class LLMAccess(Protocol):
    """An object offering both LLM calls as methods."""

    async def complete(
        self, model: str, messages: list[Message], response_format: dict[str, Any] | None
    ) -> str: ...

    async def embed(self, model: str, texts: list[str]) -> list[list[float]]: ...


@dataclass(frozen=True)
class EvaluatorContext:
    """Capabilities and policy handed to every evaluator call."""

    complete: CompleteFn | None = None
    embed: EmbedFn | None = None
    sandbox: SandboxRunner | None = None
    allow_private_network: bool = False
    webhook_timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    webhook_max_bytes: int = DEFAULT_MAX_BYTES


def as_context(value: EvaluatorContext | LLMAccess | None) -> EvaluatorContext:
    """Accept a full context, a bare LLM access object, or nothing."""
    if value is None:
        return EvaluatorContext()
    if isinstance(value, EvaluatorContext):
        return value
    if isinstance(value, LLMAccess):
        return EvaluatorContext(complete=value.complete, embed=value.embed)
    raise TypeError(f"expected an EvaluatorContext or an object with complete/embed, got {value!r}")
