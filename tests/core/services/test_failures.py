"""How invocations fail, and recover: typed statuses, 424 for provider refusals, retries,
fallbacks, timeouts, and format negotiation."""

from __future__ import annotations

import pytest

from agenta.settings import Settings
from tests.core.services.conftest import Invoke, prompt_body
from tests.fakes.llm_state import FakeLLM
from tests.support.accounts import Persona

ERRORS = "https://agenta.ai/docs/misc/errors#v0:"


@pytest.fixture
def llm_timeout() -> float:
    """Generous, so a loaded machine never turns an answer into a timeout; the timeout test
    parametrizes a short one."""
    return 10.0


@pytest.fixture
def app_settings(settings: Settings, llm_timeout: float) -> Settings:
    return settings.with_overrides(extra={"llm_timeout_seconds": llm_timeout})


@pytest.mark.parametrize("provider_status", [401, 403, 429])
async def test_a_provider_refusal_is_answered_424(
    invoke: Invoke, owner: Persona, fake_llm: FakeLLM, provider_status: int
) -> None:
    fake_llm.fail_next(provider_status)

    response = await invoke(owner, prompt_body())

    assert response.status_code == 424
    status = response.json()["status"]
    assert status["code"] == 424
    assert status["type"] == ERRORS + "workflows:llm-error"
    assert f"answered {provider_status}" in status["message"]
    assert response.json()["trace_id"]


async def test_other_provider_errors_keep_their_status(
    invoke: Invoke, owner: Persona, fake_llm: FakeLLM
) -> None:
    fake_llm.fail_next(400, message="messages: too many images")

    response = await invoke(owner, prompt_body())

    assert response.status_code == 400
    assert "too many images" in response.json()["status"]["message"]


@pytest.mark.parametrize("llm_timeout", [0.5])
async def test_a_provider_that_does_not_answer_in_time_is_503(
    invoke: Invoke, owner: Persona, fake_llm: FakeLLM
) -> None:
    fake_llm.hang_next(seconds=5)

    response = await invoke(owner, prompt_body())

    assert response.status_code == 503
    assert response.json()["status"]["type"] == ERRORS + "workflows:llm-unavailable"


async def test_a_retry_recovers_from_a_passing_failure(
    invoke: Invoke, owner: Persona, fake_llm: FakeLLM
) -> None:
    fake_llm.fail_next(503)
    body = prompt_body(retry_config={"max_retries": 2, "base_delay": 100})

    response = await invoke(owner, body)

    assert response.status_code == 200
    assert response.json()["meta"]["attempts"] == 2
    assert len(fake_llm.requests) == 2


async def test_a_fallback_model_answers_when_the_primary_fails(
    invoke: Invoke, owner: Persona, fake_llm: FakeLLM
) -> None:
    body = prompt_body(
        model="gpt-4o-mini-fake-error-500",
        fallback_configs=[{"model": "anthropic/claude-3-5-haiku-latest"}],
        fallback_policy="availability",
    )

    response = await invoke(owner, body)

    assert response.status_code == 200
    meta = response.json()["meta"]
    assert (meta["model"], meta["provider"], meta["attempts"]) == (
        "anthropic/claude-3-5-haiku-latest",
        "anthropic",
        2,
    )
    assert [request.path for request in fake_llm.requests] == [
        "/v1/chat/completions",
        "/v1/messages",
    ]


async def test_configuration_problems_are_typed_400s_naming_the_field(
    invoke: Invoke, owner: Persona
) -> None:
    cases = [
        ({"data": {"inputs": {}}}, "schemas:missing-parameter", "data.parameters is required"),
        (
            {"data": {"inputs": {}, "parameters": {}}},
            "schemas:missing-parameter",
            "parameters.prompt is required",
        ),
        (
            prompt_body(llm_config={"temperature": 9}),
            "schemas:invalid-parameters",
            "prompt.llm_config.temperature: must be between 0 and 2",
        ),
        (prompt_body({}), "workflows:prompt-formatting-error", "country"),
        (
            prompt_body({}, input_keys=["country"]),
            "schemas:missing-input",
            "inputs.country: is required",
        ),
        (
            {"data": {"inputs": ["France"], "parameters": {}}},
            "schemas:invalid-inputs",
            "data.inputs must be an object",
        ),
        (
            prompt_body(model="mystery-model"),
            "schemas:invalid-secrets",
            "cannot tell which provider serves model 'mystery-model'",
        ),
        (
            prompt_body(llm_config={"connection": "nowhere"}),
            "schemas:unknown-connection",
            "unknown connection 'nowhere'",
        ),
    ]
    for body, kind, message in cases:
        response = await invoke(owner, body)
        assert response.status_code == 400, body
        status = response.json()["status"]
        assert status["type"] == ERRORS + kind, body
        assert message in status["message"], status["message"]


async def test_an_unsupported_answer_format_is_refused_with_406(
    invoke: Invoke, owner: Persona, fake_llm: FakeLLM
) -> None:
    html = await invoke(owner, prompt_body(), headers={"accept": "text/html"})
    contradiction = await invoke(
        owner, {**prompt_body(), "flags": {"stream": True}}, headers={"accept": "application/json"}
    )

    assert html.status_code == 406
    assert html.json()["requested"] == "text/html"
    assert "text/event-stream" in html.json()["supported"]
    assert contradiction.status_code == 406
    assert contradiction.json()["supported"] == [
        "text/event-stream",
        "application/x-ndjson",
        "application/jsonl",
    ]
    assert fake_llm.requests == []


async def test_an_invocation_needs_valid_credentials(client: object, fake_llm: FakeLLM) -> None:
    response = await client.post(  # type: ignore[attr-defined]
        "/services/completion/v0/invoke",
        json=prompt_body(),
        headers={"Authorization": "ApiKey not-a-real-key"},
    )

    assert response.status_code == 401
    assert fake_llm.requests == []
