"""Normalising OpenTelemetry GenAI and OpenLLMetry (Traceloop) spans."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from opentelemetry.trace import SpanKind

from agenta.core.tracing.span import Span, TokenUsage
from tests.core.tracing.conftest import Recorder

Ingest = Callable[..., dict[str, Span]]


def one_span(recorder: Callable[..., Recorder], ingest: Ingest, attributes: dict[str, Any]):
    record = recorder(service="app", scope="opentelemetry.instrumentation.openai")
    with record.span("chat gpt-4o", attributes, SpanKind.CLIENT):
        pass
    return ingest(record.export())["chat gpt-4o"]


def test_it_reads_a_current_genai_chat_span(recorder, ingest: Ingest) -> None:
    messages = [{"role": "user", "parts": [{"type": "text", "content": "Hi"}]}]
    span = one_span(
        recorder,
        ingest,
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.request.temperature": 0.2,
            "gen_ai.response.model": "gpt-4o-2024-08-06",
            "gen_ai.response.finish_reasons": ["stop"],
            "gen_ai.usage.input_tokens": 20,
            "gen_ai.usage.output_tokens": 7,
            "gen_ai.usage.cache_read.input_tokens": 5,
            "gen_ai.usage.reasoning.output_tokens": 2,
            "gen_ai.input.messages": json.dumps(messages),
            "gen_ai.conversation.id": "conv-9",
        },
    )

    assert span.span_type == "chat"
    assert span.model == "gpt-4o-2024-08-06"
    assert span.tokens == TokenUsage(prompt=20, completion=7, total=27, cached=5, reasoning=2)
    assert span.inputs == {"prompt": messages}
    assert span.session_id == "conv-9"
    meta = span.attributes["ag"]["meta"]
    assert meta["provider"] == "openai"
    assert meta["request"] == {"model": "gpt-4o", "temperature": 0.2}
    assert meta["response"]["finish_reasons"] == ["stop"]
    assert span.mapping.conventions == ("gen_ai",)
    assert span.mapping.unmapped == ()


def test_it_reads_older_numbered_prompt_and_completion_attributes(recorder, ingest) -> None:
    span = one_span(
        recorder,
        ingest,
        {
            "gen_ai.system": "openai",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.usage.prompt_tokens": 11,
            "gen_ai.usage.completion_tokens": 4,
            "gen_ai.prompt.0.role": "system",
            "gen_ai.prompt.0.content": "Be brief.",
            "gen_ai.prompt.1.role": "user",
            "gen_ai.prompt.1.content": "Capital of France?",
            "gen_ai.completion.0.role": "assistant",
            "gen_ai.completion.0.content": "Paris",
            "gen_ai.completion.0.finish_reason": "stop",
        },
    )

    assert span.inputs == {
        "prompt": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Capital of France?"},
        ]
    }
    assert span.outputs == {
        "completion": [{"role": "assistant", "content": "Paris", "finish_reason": "stop"}]
    }
    assert span.tokens == TokenUsage(prompt=11, completion=4, total=15)
    assert span.span_type == "chat"


def test_it_orders_numbered_messages_by_number_not_by_text(recorder, ingest) -> None:
    attributes = {f"gen_ai.prompt.{index}.content": f"m{index}" for index in (10, 2, 0, 1)}
    span = one_span(recorder, ingest, {"gen_ai.request.model": "m", **attributes})

    assert [message["content"] for message in span.inputs["prompt"]] == ["m0", "m1", "m2", "m10"]


def test_it_types_genai_tool_and_agent_operations(recorder, ingest) -> None:
    tool = one_span(
        recorder,
        ingest,
        {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": "get_weather",
            "gen_ai.tool.call.arguments": '{"city": "Paris"}',
            "gen_ai.tool.call.result": "sunny",
        },
    )

    assert tool.span_type == "tool"
    assert tool.inputs == {"city": "Paris"}
    assert tool.outputs == "sunny"
    assert tool.attributes["ag"]["meta"]["tool"] == {"name": "get_weather"}


def test_it_reads_an_openllmetry_workflow_span(recorder, ingest) -> None:
    span = one_span(
        recorder,
        ingest,
        {
            "traceloop.span.kind": "workflow",
            "traceloop.entity.name": "answer_question",
            "traceloop.entity.input": json.dumps({"inputs": {"question": "Why?"}, "tags": []}),
            "traceloop.entity.output": json.dumps({"outputs": {"answer": "Because."}}),
            "traceloop.association.properties.session_id": "sess-1",
            "traceloop.association.properties.user_id": "user-1",
            "traceloop.association.properties.tenant": "acme",
        },
    )

    assert span.span_type == "workflow"
    assert span.inputs == {"question": "Why?"}
    assert span.outputs == {"answer": "Because."}
    assert (span.session_id, span.user_id) == ("sess-1", "user-1")
    meta = span.attributes["ag"]["meta"]
    assert meta["entity"] == {"name": "answer_question"}
    assert meta["association"]["tenant"] == "acme"
    assert span.mapping.conventions == ("openllmetry",)


def test_it_reads_an_openllmetry_llm_span(recorder, ingest) -> None:
    span = one_span(
        recorder,
        ingest,
        {
            "llm.request.type": "chat",
            "gen_ai.system": "OpenAI",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.prompt_tokens": 9,
            "gen_ai.usage.completion_tokens": 1,
            "llm.usage.total_tokens": 10,
            "llm.is_streaming": False,
            "gen_ai.prompt.0.role": "user",
            "gen_ai.prompt.0.content": "Hi",
            "llm.request.functions.0.name": "lookup",
            "llm.request.functions.0.parameters": '{"type": "object"}',
        },
    )

    assert span.span_type == "chat"
    assert span.tokens == TokenUsage(prompt=9, completion=1, total=10)
    assert span.attributes["ag"]["meta"]["request"]["streaming"] is False
    assert span.inputs["functions"] == [{"name": "lookup", "parameters": '{"type": "object"}'}]
    assert set(span.mapping.conventions) == {"gen_ai", "openllmetry"}


def test_it_treats_an_unknown_traceloop_kind_as_unknown(recorder, ingest) -> None:
    span = one_span(recorder, ingest, {"traceloop.span.kind": "mystery"})

    assert span.span_type == "unknown"


def test_it_leaves_unrecognised_gen_ai_keys_unmapped(recorder, ingest) -> None:
    span = one_span(recorder, ingest, {"gen_ai.request.model": "m", "gen_ai.novel.thing": 1})

    assert span.mapping.unmapped == ("gen_ai.novel.thing",)
    assert span.attributes["gen_ai"] == {"novel": {"thing": 1}}
