"""Which key an invocation calls with: the project's vault first, the environment as fallback,
custom connections by their slug; and no key ever shows in an answer."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.core.services.conftest import Invoke, prompt_body
from tests.fakes.llm_state import FakeLLM
from tests.support.accounts import Persona

VAULT_KEY = "sk-vault-key-0123456789abcdef"


async def add_secret(client: AsyncTestClient[Any], persona: Persona, body: dict[str, Any]) -> None:
    response = await client.post("/api/secrets/", json=body, headers=persona.headers)
    assert response.status_code == 201, response.text


def standard(provider: str, key: str) -> dict[str, Any]:
    return {
        "secret": {"kind": "provider_key", "data": {"kind": provider, "provider": {"key": key}}}
    }


async def test_the_projects_vault_key_wins_over_the_environment(
    client: AsyncTestClient[Any], invoke: Invoke, owner: Persona, fake_llm: FakeLLM
) -> None:
    await add_secret(client, owner, standard("openai", VAULT_KEY))

    response = await invoke(owner, prompt_body())

    assert response.status_code == 200
    assert fake_llm.last_request.headers["authorization"] == f"Bearer {VAULT_KEY}"


async def test_a_replaced_or_deleted_key_is_not_used_again(
    client: AsyncTestClient[Any], invoke: Invoke, owner: Persona, fake_llm: FakeLLM
) -> None:
    await add_secret(client, owner, standard("openai", VAULT_KEY))
    await invoke(owner, prompt_body())  # the project's connections are now cached

    replaced = standard("openai", "sk-replacement-key-000111")
    await client.put("/api/secrets/openai", json=replaced, headers=owner.headers)
    await invoke(owner, prompt_body())
    after_replace = fake_llm.last_request.headers["authorization"]
    await client.delete("/api/secrets/openai", headers=owner.headers)
    await invoke(owner, prompt_body())
    after_delete = fake_llm.last_request.headers["authorization"]

    assert after_replace == "Bearer sk-replacement-key-000111"
    assert after_delete == "Bearer fake-openai-key"  # back to the environment's key


async def test_the_environment_key_serves_a_project_without_one(
    invoke: Invoke, owner: Persona, fake_llm: FakeLLM
) -> None:
    response = await invoke(owner, prompt_body(model="anthropic/claude-3-5-haiku-latest"))

    assert response.status_code == 200
    assert "fake-anthropic-key" in fake_llm.last_request.headers["authorization"]


class TestWithoutEnvironmentKeys:
    @pytest.fixture
    def env_keys(self) -> bool:
        return False

    async def test_a_model_without_any_key_is_a_typed_400(
        self, invoke: Invoke, owner: Persona, fake_llm: FakeLLM
    ) -> None:
        response = await invoke(owner, prompt_body())

        assert response.status_code == 400
        status = response.json()["status"]
        assert status["type"].endswith("schemas:missing-secret")
        assert "add an OpenAI API key to the project's vault" in status["message"]
        assert fake_llm.requests == []

    async def test_a_custom_connection_serves_its_models_by_slug(
        self, client: AsyncTestClient[Any], invoke: Invoke, owner: Persona, fake_llm: FakeLLM
    ) -> None:
        custom = {
            "header": {"name": "Local box"},
            "secret": {
                "kind": "custom_provider",
                "data": {
                    "kind": "custom",
                    "provider_slug": "box",
                    "provider": {"url": f"{fake_llm.url}/box/v1", "key": "box-key-123456"},
                    "models": ["llama-3.1-8b"],
                },
            },
        }
        await add_secret(client, owner, custom)

        response = await invoke(owner, prompt_body(model="box/llama-3.1-8b"))

        assert response.status_code == 200
        request = fake_llm.last_request
        assert request.path == "/box/v1/chat/completions"
        assert request.json()["model"] == "llama-3.1-8b"
        assert request.headers["authorization"] == "Bearer box-key-123456"

    async def test_a_provider_echoing_the_key_does_not_leak_it(
        self, client: AsyncTestClient[Any], invoke: Invoke, owner: Persona, fake_llm: FakeLLM
    ) -> None:
        await add_secret(client, owner, standard("openai", VAULT_KEY))
        fake_llm.fail_next(401, message=f"Incorrect API key provided: {VAULT_KEY}")

        response = await invoke(owner, prompt_body())

        assert response.status_code == 424
        assert "Incorrect API key provided" in response.json()["status"]["message"]
        assert VAULT_KEY not in response.text
