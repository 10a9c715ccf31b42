"""Invoking the built-in services with inline parameters, against the fake OpenAI and Anthropic
servers, through the real provider SDKs: answers, output shapes and the typed errors."""

from __future__ import annotations

import re

from tests.core.services.conftest import Invoke, prompt_body
from tests.fakes.llm_state import FakeLLM
from tests.support.accounts import Persona

HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather of a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


async def test_a_completion_answers_the_rendered_prompt(
    invoke: Invoke, owner: Persona, fake_llm: FakeLLM
) -> None:
    response = await invoke(owner, prompt_body(system="You are terse."))

    assert response.status_code == 200
    body = response.json()
    assert body["data"]["outputs"] == "What is the capital of France?"
    assert body["status"]["code"] == 200
    assert HEX32.match(body["trace_id"]) and HEX16.match(body["span_id"])
    assert response.headers["x-ag-trace-id"] == body["trace_id"]
    assert response.headers["traceparent"] == f"00-{body['trace_id']}-{body['span_id']}-01"
    assert body["meta"]["usage"]["prompt_tokens"] == 9  # the fake counts words
    assert body["meta"]["model"] == "gpt-4o-mini"
    sent = fake_llm.last_request.json()
    assert sent["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "What is the capital of France?"},
    ]


async def test_a_chat_appends_the_history_and_answers_a_message(
    invoke: Invoke, owner: Persona, fake_llm: FakeLLM
) -> None:
    history = [
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Hi! How can I help?"},
        {"role": "user", "content": "Tell me about Lyon"},
    ]
    body = prompt_body(
        {"topic": "cities", "messages": history},
        messages=[{"role": "system", "content": "Talk about {{topic}}."}],
    )

    response = await invoke(owner, body, "chat")

    assert response.json()["data"]["outputs"] == {
        "role": "assistant",
        "content": "Tell me about Lyon",
    }
    sent = fake_llm.last_request.json()["messages"]
    assert sent == [{"role": "system", "content": "Talk about cities."}, *history]


async def test_an_anthropic_model_is_called_through_the_messages_api(
    invoke: Invoke, owner: Persona, fake_llm: FakeLLM
) -> None:
    body = prompt_body(model="anthropic/claude-3-5-haiku-latest", system="Be brief.")

    response = await invoke(owner, body)

    assert response.json()["data"]["outputs"] == "What is the capital of France?"
    request = fake_llm.last_request
    assert request.path == "/v1/messages"
    assert request.json()["system"] in ("Be brief.", [{"type": "text", "text": "Be brief."}])
    assert response.json()["meta"]["provider"] == "anthropic"


async def test_a_json_schema_response_is_answered_as_json(
    invoke: Invoke, owner: Persona, fake_llm: FakeLLM
) -> None:
    schema = {
        "type": "object",
        "properties": {"capital": {"type": "string"}, "confidence": {"type": "number"}},
        "required": ["capital", "confidence"],
    }
    response_format = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}

    for model in ("gpt-4o-mini", "anthropic/claude-3-5-haiku-latest"):
        body = prompt_body(model=model, llm_config={"response_format": response_format})
        outputs = (await invoke(owner, body)).json()["data"]["outputs"]
        assert isinstance(outputs, dict), model
        assert set(outputs) == {"capital", "confidence"}


async def test_tool_calls_are_answered_when_the_model_calls_a_tool(
    invoke: Invoke, owner: Persona
) -> None:
    llm_config = {"tools": [WEATHER_TOOL], "tool_choice": "required"}

    for model in ("gpt-4o-mini", "anthropic/claude-3-5-haiku-latest"):
        completion = await invoke(owner, prompt_body(model=model, llm_config=llm_config))
        chat = await invoke(
            owner,
            prompt_body(
                {"country": "Peru", "messages": [{"role": "user", "content": "Lima?"}]},
                model=model,
                llm_config=llm_config,
            ),
            "chat",
        )
        calls = completion.json()["data"]["outputs"]
        assert [call["function"]["name"] for call in calls] == ["get_weather"], model
        message = chat.json()["data"]["outputs"]
        assert message["role"] == "assistant"
        assert message["tool_calls"][0]["function"]["name"] == "get_weather"


async def test_inputs_wrapped_in_an_inputs_object_are_unwrapped(
    invoke: Invoke, owner: Persona
) -> None:
    body = prompt_body({"inputs": {"country": "Peru"}})

    response = await invoke(owner, body)

    assert response.json()["data"]["outputs"] == "What is the capital of Peru?"


async def test_the_session_id_comes_from_the_body_or_the_headers(
    invoke: Invoke, owner: Persona
) -> None:
    from_body = await invoke(owner, {**prompt_body(), "session_id": "conversation-1"})
    from_header = await invoke(owner, prompt_body(), headers={"x-ag-session-id": "conversation-2"})
    from_baggage = await invoke(
        owner, prompt_body(), headers={"baggage": "ag.user.id=u1,ag.session.id=conversation-3"}
    )

    assert from_body.json()["session_id"] == "conversation-1"
    assert from_header.headers["x-ag-session-id"] == "conversation-2"
    assert from_baggage.json()["session_id"] == "conversation-3"
