"""Embeddings of texts through the project's provider connections.

A model is resolved exactly as for completions (``resolve_model``: vault connections, then the
environment when allowed), so ``text-embedding-3-small``, ``azure/<deployment>`` or a custom
connection's ``ollama/nomic-embed-text`` reach the same credentials a chat model would.
``embed_texts`` sends one ``embeddings.create`` request through the openai SDK client that the
``ProviderPool`` keeps for those credentials (OpenAI, Azure and every OpenAI-compatible kind).
Anthropic has no embeddings API: a model it serves is refused before any request is sent.

There are no retries here: callers that need them (the evaluation runs' rate gate) wrap the
call. Usage counts input tokens only, and the cost comes from the price table's input price;
a model without a price has no cost (``None``), as for completions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from agenta.llm.credentials import ConnectionRecord, ResolvedModel, resolve_model
from agenta.llm.errors import EmbeddingsUnsupportedError
from agenta.llm.pool import ProviderPool
from agenta.llm.pricing import PriceOverrides, cost_of
from agenta.llm.provider_kinds import provider_kind
from agenta.llm.providers.base import DEFAULT_TIMEOUT
from agenta.llm.providers.openai_provider import OpenAIProvider
from agenta.llm.results import Usage


@dataclass(frozen=True)
class Embeddings:
    """One vector per input text, in order, with the call's usage and cost (USD or ``None``)."""

    vectors: list[list[float]]
    model: str
    provider: str
    usage: Usage = field(default_factory=Usage)
    cost: float | None = None


async def embed_texts(
    pool: ProviderPool,
    model: str,
    texts: Sequence[str],
    *,
    connections: Sequence[ConnectionRecord] = (),
    env: Mapping[str, str] | None = None,
    allow_env: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    price_overrides: PriceOverrides | None = None,
) -> Embeddings:
    """Embed ``texts`` with ``model``, served by the project's connections.

    Raises ``CredentialsError`` when no connection serves the model,
    ``EmbeddingsUnsupportedError`` when its provider has no embeddings API and
    ``ProviderError`` when the provider refuses or fails the request.
    """
    resolved = resolve_model(model, connections=connections, env=env, allow_env=allow_env)
    provider = _embeddings_provider(pool, resolved)
    if not texts:
        return Embeddings([], resolved.name, resolved.provider)
    vectors, usage = await provider.embed(resolved.model_id, texts, timeout)
    cost = cost_of(
        resolved.name,
        usage,
        provider=resolved.provider,
        model_id=resolved.model_id,
        overrides=price_overrides,
    )
    return Embeddings(vectors, resolved.name, resolved.provider, usage, cost)


def _embeddings_provider(pool: ProviderPool, model: ResolvedModel) -> OpenAIProvider:
    kind = provider_kind(model.credentials.kind)
    if kind is not None and kind.wire == "anthropic":
        raise EmbeddingsUnsupportedError(
            f"{kind.label} has no embeddings API (model {model.name!r}): choose an OpenAI, "
            "Azure or OpenAI-compatible embeddings model"
        )
    provider = pool.provider_for(model.credentials)
    # Every other wire protocol is spoken by the openai SDK.
    assert isinstance(provider, OpenAIProvider)
    return provider
