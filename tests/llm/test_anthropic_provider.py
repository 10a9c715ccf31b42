"""The anthropic SDK through our provider, against the fake server.

The request is reshaped for the Messages API while the user's JSON (schemas, tool parameters)
travels as the very same values.
"""

from __future__ import annotations

import json

import pytest

from agenta.llm import LLMClient, ProviderError, StreamEnd
from tests.fakes.llm_state import FakeLLM
from tests.llm.conftest import MakePlan

CLAUDE = "anthropic/claude-haiku-4-5"
LOOKUP_TOOL = {
    "type": "function",
    "function": {
        "name": "lookup_order",
        "description": "Find an order",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string"}, "verbose": {"type": "boolean"}},
            "required": ["order_id"],
        },
    },
}
VERDICT_SCHEMA = {
    "type": "object",
    "properties": {"verdict": {"enum": ["pass", "fail"]}, "notes": {"type": "string"}},
    "required": ["verdict", "notes"],
    "additionalProperties": False,
}


async def test_a_plain_call_moves_system_messages_and_sets_required_max_tokens(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    plan = make_plan(model=CLAUDE, system="Be brief.", user="Hi {{who}}", inputs={"who": "there"})
    completion = await llm_client.complete(plan)
    assert (completion.content, completion.finish_reason) == ("Hi there", "stop")
    assert (completion.provider, completion.model) == ("anthropic", CLAUDE)
    request = fake_llm.last_request
    assert request.path == "/v1/messages"
    assert request.headers["authorization"] == "Bearer fake-anthropic-key"
    assert "anthropic-version" in request.headers
    body = request.json()
    assert body["system"] == [{"type": "text", "text": "Be brief."}]
    assert body["messages"] == [{"role": "user", "content": "Hi there"}]
    assert (body["model"], body["max_tokens"]) == ("claude-haiku-4-5", 4096)


async def test_parameters_without_a_messages_api_equivalent_are_left_out(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    llm_config = {"temperature": 0.2, "top_p": 0.5, "seed": 3, "max_tokens": 99, "stop": "###"}
    await llm_client.complete(make_plan(model=CLAUDE, llm_config=llm_config))
    body = fake_llm.last_request.json()
    assert not {"temperature", "top_p", "seed"} & body.keys()
    assert (body["max_tokens"], body["stop_sequences"]) == (99, ["###"])


@pytest.mark.parametrize(
    ("effort", "expected"),
    [("high", {"output_config": {"effort": "high"}}), ("none", {"thinking": {"type": "disabled"}})],
)
async def test_reasoning_effort_becomes_effort_or_disables_thinking(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan, effort: str, expected: dict
) -> None:
    await llm_client.complete(make_plan(model=CLAUDE, llm_config={"reasoning_effort": effort}))
    body = fake_llm.last_request.json()
    assert {key: body[key] for key in expected} == expected


async def test_a_stream_follows_the_event_sequence_and_counts_cached_input(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    fake_llm.cached_tokens = 2
    events = [event async for event in llm_client.stream(make_plan(model=CLAUDE, user="a b c"))]
    assert [event.content for event in events[:-1] if event.content] == ["a ", "b ", "c"]
    end = events[-1]
    assert isinstance(end, StreamEnd)
    assert end.completion.content == "a b c"
    assert end.completion.finish_reason == "stop"
    usage = end.completion.usage
    assert (usage.prompt_tokens, usage.cached_tokens, usage.completion_tokens) == (3, 2, 3)


async def test_json_schema_output_sends_the_users_schema_as_the_same_value(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "v", "schema": VERDICT_SCHEMA},
    }
    plan = make_plan(model=CLAUDE, user="Judge", llm_config={"response_format": response_format})
    completion = await llm_client.complete(plan)
    assert json.loads(completion.content or "") == {"verdict": "pass", "notes": "Judge"}
    sent = fake_llm.last_request.json()["output_config"]["format"]
    assert sent["type"] == "json_schema"
    assert json.dumps(sent["schema"]) == json.dumps(VERDICT_SCHEMA)


async def test_tools_are_translated_keeping_their_parameter_schema_byte_for_byte(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    llm_config = {"tools": [LOOKUP_TOOL], "tool_choice": "required"}
    completion = await llm_client.complete(
        make_plan(model=CLAUDE, user="A-17", llm_config=llm_config)
    )
    [call] = completion.tool_calls
    assert call["type"] == "function"
    assert call["function"]["name"] == "lookup_order"
    assert json.loads(call["function"]["arguments"]) == {"order_id": "A-17", "verbose": True}
    assert completion.finish_reason == "tool_calls"
    body = fake_llm.last_request.json()
    [tool] = body["tools"]
    assert (tool["name"], tool["description"]) == ("lookup_order", "Find an order")
    assert json.dumps(tool["input_schema"]) == json.dumps(LOOKUP_TOOL["function"]["parameters"])
    assert body["tool_choice"] == {"type": "any"}


async def test_a_named_tool_choice_and_streamed_tool_calls(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    choice = {"type": "function", "function": {"name": "lookup_order"}}
    plan = make_plan(
        model=CLAUDE, user="B-2", llm_config={"tools": [LOOKUP_TOOL], "tool_choice": choice}
    )
    events = [event async for event in llm_client.stream(plan)]
    assert fake_llm.last_request.json()["tool_choice"] == {"type": "tool", "name": "lookup_order"}
    end = events[-1]
    assert isinstance(end, StreamEnd)
    [call] = end.completion.tool_calls
    assert json.loads(call["function"]["arguments"])["order_id"] == "B-2"


async def test_a_tool_conversation_becomes_tool_use_and_tool_result_blocks(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    messages = [
        {"role": "user", "content": "Where is lookup_order A-1?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "toolu_1",
                    "type": "function",
                    "function": {"name": "lookup_order", "arguments": '{"order_id": "A-1"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "toolu_1", "content": "shipped"},
    ]
    plan = make_plan(model=CLAUDE, messages=messages, llm_config={"tools": [LOOKUP_TOOL]})
    completion = await llm_client.complete(plan)
    assert completion.content == "tool result: shipped"
    sent = fake_llm.last_request.json()["messages"]
    assert sent[1] == {
        "role": "assistant",
        "content": [
            {
                "type": "tool_use",
                "id": "toolu_1",
                "name": "lookup_order",
                "input": {"order_id": "A-1"},
            }
        ],
    }
    assert sent[2] == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "shipped"}],
    }


async def test_image_parts_become_image_blocks_from_data_or_web_urls(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    content = [
        {"type": "text", "text": "Compare"},
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}},
        {"type": "image_url", "image_url": {"url": "https://img.test/cat.png"}},
    ]
    plan = make_plan(model=CLAUDE, messages=[{"role": "user", "content": content}])
    completion = await llm_client.complete(plan)
    assert completion.usage.prompt_tokens == 1 + 2 * 85
    assert fake_llm.last_request.json()["messages"][0]["content"] == [
        {"type": "text", "text": "Compare"},
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"},
        },
        {"type": "image", "source": {"type": "url", "url": "https://img.test/cat.png"}},
    ]


@pytest.mark.parametrize(
    ("status", "kind"), [(429, "rate_limit"), (529, "server"), (403, "permission")]
)
async def test_anthropic_errors_become_provider_errors(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan, status: int, kind: str
) -> None:
    fake_llm.fail_next(status, message="nope")
    with pytest.raises(ProviderError) as caught:
        await llm_client.complete(make_plan(model=CLAUDE))
    assert (caught.value.provider, caught.value.status, caught.value.kind) == (
        "anthropic",
        status,
        kind,
    )
    assert caught.value.message == "nope"
