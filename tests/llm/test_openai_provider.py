"""The openai SDK through our provider, against the fake server: what goes out, what comes back."""

from __future__ import annotations

import json

from agenta.llm import ConnectionRecord, LLMClient, StreamDelta, StreamEnd
from tests.fakes.llm_state import FakeLLM
from tests.llm.conftest import MakePlan

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"unit": {"enum": ["celsius", "fahrenheit"]}, "city": {"type": "string"}},
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}
ANSWER_FORMAT = {
    "type": "json_schema",
    "json_schema": {
        "name": "answer",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {
                "score": {"type": "integer", "minimum": 1},
                "reason": {"type": "string"},
            },
            "required": ["score", "reason"],
            "additionalProperties": False,
        },
    },
}


async def test_a_plain_call_echoes_and_reports_usage_and_cost(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    plan = make_plan(user="Hello {{name}}", system="Be brief.", inputs={"name": "Ada"})
    completion = await llm_client.complete(plan)
    assert completion.content == "Hello Ada"
    assert completion.finish_reason == "stop"
    assert (completion.model, completion.provider, completion.attempts) == (
        "gpt-4o-mini",
        "openai",
        1,
    )
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (4, 2)
    assert completion.cost == (4 * 0.15 + 2 * 0.6) / 1_000_000
    request = fake_llm.last_request
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer fake-openai-key"


async def test_parameters_reach_openai_under_their_api_names(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    llm_config = {
        "temperature": 0.3,
        "max_tokens": 200,
        "top_p": 0.9,
        "frequency_penalty": 0.5,
        "presence_penalty": -0.5,
        "reasoning_effort": "low",
        "stop": ["END"],
        "seed": 7,
    }
    await llm_client.complete(make_plan(llm_config=llm_config))
    body = fake_llm.last_request.json()
    assert body["max_completion_tokens"] == 200
    assert "max_tokens" not in body
    for name in ("temperature", "top_p", "frequency_penalty", "presence_penalty", "stop", "seed"):
        assert body[name] == llm_config[name]
    assert body["reasoning_effort"] == "low"


async def test_compatible_servers_get_max_tokens_and_chat_template_kwargs(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    vllm = ConnectionRecord(
        slug="lab-vllm",
        kind="vllm",
        base_url=fake_llm.openai_base_url,
        models=("qwen3",),
        custom=True,
    )
    llm_config = {"max_tokens": 64, "chat_template_kwargs": {"enable_thinking": False}}
    completion = await llm_client.complete(
        make_plan(model="lab-vllm/qwen3", llm_config=llm_config, connections=(vllm,))
    )
    assert completion.content == "Hello"
    body = fake_llm.last_request.json()
    assert (body["model"], body["max_tokens"]) == ("qwen3", 64)
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert fake_llm.last_request.headers["authorization"] == "Bearer not-needed"


async def test_a_stream_yields_pieces_then_the_assembled_answer_with_usage(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    events = [event async for event in llm_client.stream(make_plan(user="one two three"))]
    deltas = [event for event in events if isinstance(event, StreamDelta)]
    assert "".join(delta.content or "" for delta in deltas) == "one two three"
    assert len([delta for delta in deltas if delta.content]) == 3
    end = events[-1]
    assert isinstance(end, StreamEnd)
    assert end.completion.content == "one two three"
    assert end.completion.usage.completion_tokens == 3
    assert end.completion.cost is not None
    assert fake_llm.last_request.json()["stream_options"] == {"include_usage": True}


async def test_json_schema_output_is_requested_with_the_schema_byte_for_byte(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    plan = make_plan(user="Rate this", llm_config={"response_format": ANSWER_FORMAT})
    completion = await llm_client.complete(plan)
    assert json.loads(completion.content or "") == {"score": 1, "reason": "Rate this"}
    sent = fake_llm.last_request.json()["response_format"]
    assert json.dumps(sent) == json.dumps(ANSWER_FORMAT)


async def test_tools_and_tool_choice_go_out_unchanged_and_tool_calls_come_back(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    llm_config = {"tools": [WEATHER_TOOL], "tool_choice": "required"}
    completion = await llm_client.complete(make_plan(user="Paris?", llm_config=llm_config))
    assert completion.finish_reason == "tool_calls"
    assert completion.content is None
    [call] = completion.tool_calls
    assert call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"unit": "celsius", "city": "Paris?"}
    body = fake_llm.last_request.json()
    assert json.dumps(body["tools"]) == json.dumps([WEATHER_TOOL])
    assert body["tool_choice"] == "required"
    assert completion.output() == completion.tool_calls


async def test_streamed_tool_calls_are_assembled_from_fragments(
    llm_client: LLMClient, make_plan: MakePlan
) -> None:
    plan = make_plan(user="Use get_weather for Oslo", llm_config={"tools": [WEATHER_TOOL]})
    events = [event async for event in llm_client.stream(plan)]
    end = events[-1]
    assert isinstance(end, StreamEnd)
    [call] = end.completion.tool_calls
    assert call["id"] == "call_0"
    assert json.loads(call["function"]["arguments"])["city"] == "Use get_weather for Oslo"
    assert end.completion.message()["tool_calls"] == [call]


async def test_image_parts_are_passed_through_untouched(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    content = [
        {"type": "text", "text": "What is in {{thing}}?"},
        {
            "type": "image_url",
            "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"},
        },
    ]
    plan = make_plan(
        messages=[{"role": "user", "content": content}], inputs={"thing": "the picture"}
    )
    completion = await llm_client.complete(plan)
    sent = fake_llm.last_request.json()["messages"][0]["content"]
    assert sent == [{"type": "text", "text": "What is in the picture?"}, content[1]]
    assert completion.usage.prompt_tokens == 5 + 85


async def test_cached_and_reasoning_tokens_are_read_from_usage_details(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    fake_llm.cached_tokens = 3
    fake_llm.reasoning_tokens = 10
    completion = await llm_client.complete(make_plan(user="a b c d", model="o4-mini"))
    usage = completion.usage
    assert (usage.prompt_tokens, usage.cached_tokens) == (4, 3)
    assert (usage.completion_tokens, usage.reasoning_tokens) == (14, 10)
    assert completion.cost == (1 * 1.1 + 3 * 0.275 + 14 * 4.4) / 1_000_000


async def test_a_stream_reads_cached_and_reasoning_tokens_from_its_usage_chunk(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    fake_llm.cached_tokens = 3
    fake_llm.reasoning_tokens = 10
    events = [
        event async for event in llm_client.stream(make_plan(user="a b c d", model="o4-mini"))
    ]
    end = events[-1]
    assert isinstance(end, StreamEnd)
    usage = end.completion.usage
    assert (usage.prompt_tokens, usage.cached_tokens) == (4, 3)
    assert (usage.completion_tokens, usage.reasoning_tokens) == (14, 10)


async def test_azure_deployments_use_their_url_api_version_and_key_header(
    fake_llm: FakeLLM,
    llm_client: LLMClient,
    make_plan: MakePlan,
    azure_connection: ConnectionRecord,
) -> None:
    completion = await llm_client.complete(
        make_plan(model="azure-eu/gpt4o-deployment", connections=(azure_connection,))
    )
    assert completion.content == "Hello"
    request = fake_llm.last_request
    assert request.path == "/openai/deployments/gpt4o-deployment/chat/completions"
    assert request.query == "api-version=2024-10-21"
    assert request.headers["api-key"] == "az-secret"
