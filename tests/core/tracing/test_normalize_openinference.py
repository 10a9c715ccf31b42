"""Normalising OpenInference spans (attributes shaped as openinference-instrumentation-openai
writes them; the end-to-end instrumented run belongs to the integration suite)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from agenta.core.tracing.span import Span, TokenUsage
from tests.core.tracing.conftest import Recorder

Ingest = Callable[..., dict[str, Span]]

TOOL_SCHEMA = {"type": "function", "function": {"name": "get_weather", "parameters": {}}}
REQUEST = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Weather?"}]}


def llm_attributes(**extra: Any) -> dict[str, Any]:
    return {
        "openinference.span.kind": "LLM",
        "input.value": json.dumps(REQUEST),
        "input.mime_type": "application/json",
        "output.value": json.dumps({"id": "chatcmpl-1", "choices": []}),
        "output.mime_type": "application/json",
        "llm.model_name": "gpt-4o-mini-2024-07-18",
        "llm.provider": "openai",
        "llm.system": "openai",
        "llm.invocation_parameters": json.dumps({"temperature": 0.1}),
        "llm.input_messages.0.message.role": "system",
        "llm.input_messages.0.message.content": "You are terse.",
        "llm.input_messages.1.message.role": "user",
        "llm.input_messages.1.message.contents.0.message_content.type": "text",
        "llm.input_messages.1.message.contents.0.message_content.text": "Weather?",
        "llm.output_messages.0.message.role": "assistant",
        "llm.output_messages.0.message.tool_calls.0.tool_call.id": "call_1",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": "{}",
        "llm.tools.0.tool.json_schema": json.dumps(TOOL_SCHEMA),
        "llm.token_count.prompt": 30,
        "llm.token_count.completion": 8,
        "llm.token_count.total": 38,
        "llm.token_count.prompt_details.cache_read": 10,
        "llm.token_count.completion_details.reasoning": 3,
        **extra,
    }


def one_span(recorder: Callable[..., Recorder], ingest: Ingest, attributes: dict[str, Any]):
    record = recorder(service="app", scope="openinference.instrumentation.openai")
    with record.span("ChatCompletion", attributes):
        pass
    return ingest(record.export())["ChatCompletion"]


def test_it_reads_an_openinference_llm_span(recorder, ingest: Ingest) -> None:
    span = one_span(recorder, ingest, llm_attributes())

    assert span.span_type == "chat"
    assert span.model == "gpt-4o-mini-2024-07-18"
    assert span.tokens == TokenUsage(prompt=30, completion=8, total=38, cached=10, reasoning=3)
    meta = span.attributes["ag"]["meta"]
    assert (meta["provider"], meta["system"]) == ("openai", "openai")
    assert meta["request"]["temperature"] == 0.1
    assert span.mapping.conventions == ("openinference",)
    assert span.mapping.unmapped == ()


def test_it_turns_flattened_messages_into_plain_message_lists(recorder, ingest) -> None:
    span = one_span(recorder, ingest, llm_attributes())

    assert span.inputs["prompt"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "contents": [{"type": "text", "text": "Weather?"}]},
    ]
    assert span.outputs == {
        "completion": [
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": "call_1", "function": {"name": "get_weather", "arguments": "{}"}}
                ],
            }
        ]
    }
    assert span.inputs["tools"] == [TOOL_SCHEMA]


def test_messages_supersede_the_raw_request_body(recorder, ingest) -> None:
    span = one_span(recorder, ingest, llm_attributes())

    assert "input" not in span.inputs
    assert "input" not in span.attributes
    assert "output" not in span.attributes


def test_it_reads_chain_inputs_and_outputs_from_values(recorder, ingest) -> None:
    span = one_span(
        recorder,
        ingest,
        {
            "openinference.span.kind": "CHAIN",
            "input.value": json.dumps({"question": "Why?"}),
            "input.mime_type": "application/json",
            "output.value": "Because.",
            "output.mime_type": "text/plain",
            "session.id": "sess-2",
            "user.id": "user-2",
            "metadata": json.dumps({"team": "search"}),
            "tag.tags": ["beta"],
        },
    )

    assert span.span_type == "chain"
    assert span.inputs == {"question": "Why?"}
    assert span.outputs == "Because."
    assert (span.session_id, span.user_id) == ("sess-2", "user-2")
    assert span.attributes["ag"]["meta"]["metadata"] == {"team": "search"}
    assert span.attributes["ag"]["meta"]["tags"] == ["beta"]


def test_it_wraps_a_plain_text_input_so_inputs_stay_an_object(recorder, ingest) -> None:
    span = one_span(recorder, ingest, {"openinference.span.kind": "AGENT", "input.value": "hi"})

    assert span.span_type == "agent"
    assert span.inputs == {"input": "hi"}


def test_it_reads_retrieved_documents(recorder, ingest) -> None:
    span = one_span(
        recorder,
        ingest,
        {
            "openinference.span.kind": "RETRIEVER",
            "input.value": "capital of France",
            "retrieval.documents.0.document.id": "doc-1",
            "retrieval.documents.0.document.content": "Paris is the capital.",
            "retrieval.documents.0.document.score": 0.92,
            "retrieval.documents.1.document.id": "doc-2",
        },
    )

    assert span.span_type == "query"
    assert span.inputs == {"input": "capital of France"}
    assert span.outputs == {
        "documents": [
            {"id": "doc-1", "content": "Paris is the capital.", "score": 0.92},
            {"id": "doc-2"},
        ]
    }


def test_it_reads_embedding_spans(recorder, ingest) -> None:
    span = one_span(
        recorder,
        ingest,
        {
            "openinference.span.kind": "EMBEDDING",
            "embedding.model_name": "text-embedding-3-small",
            "embedding.embeddings.0.embedding.text": "hello",
            "embedding.embeddings.0.embedding.vector": [0.1, 0.2],
            "llm.token_count.prompt": 1,
        },
    )

    assert span.span_type == "embedding"
    assert span.model == "text-embedding-3-small"
    assert span.inputs == {"embeddings": [{"text": "hello", "vector": [0.1, 0.2]}]}
    assert span.tokens == TokenUsage(prompt=1, total=1)


def test_it_keeps_a_cost_openinference_reported(recorder, ingest) -> None:
    attributes = llm_attributes(
        **{"llm.cost.prompt": 0.001, "llm.cost.completion": 0.002, "llm.cost.total": 0.003}
    )
    span = one_span(recorder, ingest, attributes)

    assert span.cost is not None
    assert (span.cost.prompt, span.cost.completion, span.cost.total) == (0.001, 0.002, 0.003)


def test_it_keeps_tool_metadata_and_unknown_keys(recorder, ingest) -> None:
    span = one_span(
        recorder,
        ingest,
        {
            "openinference.span.kind": "TOOL",
            "tool.name": "get_weather",
            "tool.parameters": json.dumps({"city": "string"}),
            "image.url": "https://example.test/cat.png",
        },
    )

    assert span.span_type == "tool"
    assert span.attributes["ag"]["meta"]["tool"] == {
        "name": "get_weather",
        "parameters": {"city": "string"},
    }
    assert span.mapping.unmapped == ("image.url",)
    assert span.attributes["image"] == {"url": "https://example.test/cat.png"}
