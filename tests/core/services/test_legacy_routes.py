"""The pre-0.96 services routes: flat bodies, old targets, the old answer shape."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.core.services.conftest import prompt
from tests.support.accounts import Persona

Deploy = Callable[..., Awaitable[dict[str, Any]]]
Legacy = Callable[..., Awaitable[Any]]


@pytest.fixture
def legacy(client: AsyncTestClient[Any]) -> Legacy:
    async def call(persona: Persona, body: Any, action: str, service: str = "completion") -> Any:
        return await client.post(
            f"/services/{service}/{action}", json=body, headers=persona.headers
        )

    return call


async def test_generate_runs_a_draft_config_and_answers_the_old_shape(
    legacy: Legacy, owner: Persona
) -> None:
    body = {"inputs": {"country": "Peru"}, "ag_config": {"prompt": prompt()}}

    response = await legacy(owner, body, "generate")

    assert response.status_code == 200
    answer = response.json()
    assert answer["version"] == "3.0"
    assert answer["data"] == "What is the capital of Peru?"
    assert answer["content_type"] == "text/plain"
    assert answer["tree"] is None
    assert uuid.UUID(answer["tree_id"]).hex == answer["trace_id"]


async def test_generate_deployed_runs_production_by_default(
    legacy: Legacy, owner: Persona, deploy_prompt: Deploy
) -> None:
    await deploy_prompt(owner, "geo", prompt("Deployed {{country}}"), environment="production")

    response = await legacy(owner, {"app": "geo", "country": "Chile"}, "generate_deployed")

    assert response.json()["data"] == "Deployed Chile"


async def test_a_chat_takes_its_messages_and_a_variant_by_slug(
    legacy: Legacy, owner: Persona, deploy_prompt: Deploy
) -> None:
    stored = await deploy_prompt(
        owner, "bot", prompt(messages=[{"role": "system", "content": "Hi"}])
    )
    body = {
        "app_slug": "bot",
        "variant_slug": stored["application_variant"]["slug"],
        "messages": [{"role": "user", "content": "How are you?"}],
    }

    response = await legacy(owner, body, "run", "chat")

    answer = response.json()
    assert answer["data"] == {"role": "assistant", "content": "How are you?"}
    assert answer["content_type"] == "application/json"


async def test_a_legacy_call_fails_with_the_typed_status(legacy: Legacy, owner: Persona) -> None:
    response = await legacy(owner, {"app": "missing-app", "environment": "staging"}, "test")

    assert response.status_code == 404
    assert response.json()["status"]["message"] == "Workflow not found"
