"""Embeddings through the openai SDK against the fake server: vectors, usage, cost and refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from agenta.llm import (
    ConnectionRecord,
    CredentialsError,
    EmbeddingsUnsupportedError,
    ErrorKind,
    ProviderError,
    ProviderPool,
    embed_texts,
)
from tests.fakes.llm_state import FakeLLM
from tests.fakes.openai_wire import embed


@pytest.fixture
async def pool() -> AsyncIterator[ProviderPool]:
    providers = ProviderPool()
    yield providers
    await providers.aclose()


async def test_openai_embeddings_come_back_in_order_with_usage_and_cost(
    fake_llm: FakeLLM, pool: ProviderPool
) -> None:
    texts = ["the cat sat", "stock prices fell today"]
    result = await embed_texts(pool, "text-embedding-3-small", texts, env=fake_llm.env())
    assert result.vectors == [pytest.approx(embed(text), abs=1e-6) for text in texts]
    assert (result.model, result.provider) == ("text-embedding-3-small", "openai")
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (7, 0)
    assert result.cost == pytest.approx(7 * 0.02 / 1_000_000)
    request = fake_llm.last_request
    assert request.path == "/v1/embeddings"
    assert request.json()["input"] == texts
    assert request.headers["authorization"] == "Bearer fake-openai-key"


async def test_ada_embeddings_are_priced_from_the_catalog(
    fake_llm: FakeLLM, pool: ProviderPool
) -> None:
    result = await embed_texts(pool, "text-embedding-ada-002", ["one two"], env=fake_llm.env())
    assert result.cost == pytest.approx(2 * 0.1 / 1_000_000)


async def test_a_custom_compatible_connection_serves_embeddings_without_a_price(
    fake_llm: FakeLLM, pool: ProviderPool
) -> None:
    ollama = ConnectionRecord(
        slug="lab",
        kind="ollama",
        base_url=fake_llm.openai_base_url,
        models=("nomic-embed-text",),
        custom=True,
    )
    result = await embed_texts(pool, "lab/nomic-embed-text", ["hello"], connections=(ollama,))
    assert result.vectors[0] == pytest.approx(embed("hello"), abs=1e-6)
    assert (result.provider, result.usage.prompt_tokens, result.cost) == ("ollama", 1, None)
    assert fake_llm.last_request.json()["model"] == "nomic-embed-text"


async def test_azure_embeddings_go_to_the_deployment_url(
    fake_llm: FakeLLM, pool: ProviderPool, azure_connection: ConnectionRecord
) -> None:
    connections = (azure_connection,)
    result = await embed_texts(pool, "azure-eu/embedder", ["hi there"], connections=connections)
    assert len(result.vectors) == 1
    request = fake_llm.last_request
    assert request.path == "/openai/deployments/embedder/embeddings"
    assert request.headers["api-key"] == "az-secret"


async def test_a_provider_refusal_is_a_provider_error_with_its_status(
    fake_llm: FakeLLM, pool: ProviderPool
) -> None:
    fake_llm.fail_next(401, message="bad key")
    with pytest.raises(ProviderError) as raised:
        await embed_texts(pool, "text-embedding-3-small", ["x"], env=fake_llm.env())
    error = raised.value
    assert (error.status, error.kind, error.message) == (401, ErrorKind.AUTH, "bad key")
    assert (error.provider, error.model) == ("openai", "text-embedding-3-small")


async def test_anthropic_models_are_refused_before_any_request(
    fake_llm: FakeLLM, pool: ProviderPool
) -> None:
    with pytest.raises(EmbeddingsUnsupportedError, match="Anthropic has no embeddings API"):
        await embed_texts(pool, "anthropic/claude-haiku-4-5", ["x"], env=fake_llm.env())
    assert fake_llm.requests == []
    assert len(pool) == 0


async def test_a_model_without_a_key_names_what_to_configure(
    fake_llm: FakeLLM, pool: ProviderPool
) -> None:
    with pytest.raises(CredentialsError, match="add an OpenAI API key") as raised:
        await embed_texts(pool, "text-embedding-3-small", ["x"], env={})
    assert raised.value.reason == "missing-secret"
    assert fake_llm.requests == []
