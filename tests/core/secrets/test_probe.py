"""Testing a connection: one small call through it, reported without ever showing the key."""

from __future__ import annotations

from collections.abc import Callable

from tests.core.secrets.conftest import PersonaClient, new_secret
from tests.fakes.llm_state import FakeLLM
from tests.support.accounts import Persona

RAW_KEY = "sk-test-0123456789abcdefWXYZ"
Api = Callable[[Persona], PersonaClient]


async def test_a_stored_key_is_tested_with_a_real_call(
    api: Api, owner: Persona, fake_llm: FakeLLM
) -> None:
    await api(owner).post("/api/secrets/", new_secret(key=RAW_KEY, models=["gpt-4o-mini"]))

    result = (await api(owner).post("/api/secrets/openai/test")).json()

    assert result["ok"] is True
    assert result["model"] == "gpt-4o-mini"
    request = fake_llm.last_request
    assert request.path.endswith("/chat/completions")
    assert request.headers["authorization"] == f"Bearer {RAW_KEY}"


async def test_a_rejected_key_is_reported_without_the_key(
    api: Api, owner: Persona, fake_llm: FakeLLM
) -> None:
    await api(owner).post("/api/secrets/", new_secret(key=RAW_KEY))
    fake_llm.fail_next(401, message=f"Incorrect API key provided: {RAW_KEY}")

    response = await api(owner).post("/api/secrets/openai/test")

    result = response.json()
    assert (result["ok"], result["status"]) == (False, 401)
    assert "Incorrect API key provided" in result["message"]
    assert RAW_KEY not in response.text


async def test_a_connection_can_be_tested_before_it_is_saved(
    api: Api, owner: Persona, fake_llm: FakeLLM
) -> None:
    body = {
        **new_secret("anthropic", "sk-ant-unsaved-key-123456"),
        "model": "claude-3-5-haiku-latest",
    }

    result = (await api(owner).post("/api/providers/probe", body)).json()

    assert result["ok"] is True
    request = fake_llm.last_request
    assert request.path.endswith("/v1/messages")
    assert "sk-ant-unsaved-key-123456" in request.headers["authorization"]
    assert (await api(owner).get("/api/secrets/")).json() == []


async def test_a_custom_provider_is_tested_at_its_own_url_with_its_first_model(
    api: Api, owner: Persona, fake_llm: FakeLLM
) -> None:
    body = new_secret(
        "custom",
        None,
        kind="custom_provider",
        slug="local",
        url=f"{fake_llm.url}/custom/v1",
        models=["llama-3.1-8b", "qwen"],
    )
    await api(owner).post("/api/secrets/", body)

    result = (await api(owner).post("/api/secrets/local/test")).json()

    assert result["ok"] is True
    request = fake_llm.last_request
    assert request.path == "/custom/v1/chat/completions"
    assert request.json()["model"] == "llama-3.1-8b"


async def test_a_custom_provider_without_models_asks_for_one(api: Api, owner: Persona) -> None:
    body = new_secret("custom", None, kind="custom_provider", slug="bare", url="http://box:1/v1")
    await api(owner).post("/api/secrets/", body)

    result = (await api(owner).post("/api/secrets/bare/test")).json()

    assert result == {
        "ok": False,
        "message": "List at least one model to test this connection with.",
        "model": None,
        "status": None,
        "latency_ms": None,
    }


async def test_a_viewer_cannot_spend_tokens_testing_connections(
    api: Api, owner: Persona, make_persona: Callable[..., object]
) -> None:
    viewer = await make_persona("viewer")  # type: ignore[misc]
    await api(owner).post("/api/secrets/", new_secret())

    refused = await api(viewer).post("/api/secrets/openai/test")  # type: ignore[arg-type]

    assert refused.status_code == 403
