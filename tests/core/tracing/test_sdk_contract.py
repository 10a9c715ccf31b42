"""The official `agenta` SDK (from PyPI, in its own venv) against our tracing library.

The SDK's own tracer exports a small instrumented workflow; its spans are captured in
memory and encoded exactly as its OTLP exporter would send them. We decode, normalise and
render them, and the SDK's own models then parse our read-back bodies the way its client
and evaluation runtime do.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from agenta.core.tracing.normalize import normalize_spans
from agenta.core.tracing.otlp import decode_export_request
from agenta.core.tracing.span import Span, TokenUsage
from agenta.core.tracing.trees import build_trees, trace_response, tracing_response
from tests.support.sdk_venv import require_sdk, run_sdk_script

pytestmark = pytest.mark.slow

EXPORT_SCRIPT = """
import base64, json
import agenta as ag
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

ag.init(host="http://127.0.0.1:9", api_key="unused")
memory = InMemorySpanExporter()
ag.tracing.tracer_provider.add_span_processor(SimpleSpanProcessor(memory))

@ag.instrument(spankind="chat")
def call_llm(prompt: str):
    ag.tracing.store_meta({"response": {"model": "gpt-4o-mini"}})
    usage = {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
    return {"message": "Paris", "usage": usage, "cost": 0.0001}

@ag.instrument(spankind="tool")
def lookup(city: str):
    raise LookupError(f"no data for {city}")

@ag.instrument()
def generate(country: str, config: dict):
    ag.tracing.store_refs({"application.slug": "geo-qa", "environment.slug": "production"})
    ag.tracing.store_session(session_id="s-1")
    ag.tracing.store_user(user_id="u-1")
    ag.tracing.store_internals({"context": {"docs": [1, 2]}})
    try:
        lookup("Paris")
    except LookupError:
        pass
    return {"answer": call_llm(f"Capital of {country}?")["message"]}

generate("France", {"temperature": 0.2, "nested": {"deep": {"x": [1]}}})
ag.tracing.tracer_provider.force_flush()
body = encode_spans(memory.get_finished_spans()).SerializeToString()
print(json.dumps({"body": base64.b64encode(body).decode()}))
"""

READ_BACK_SCRIPT = """
import json, pathlib
from agenta.client.core.pydantic_utilities import parse_obj_as
from agenta.client.types.trace_response import TraceResponse
from agenta.sdk.models.tracing import Trace

bodies = json.loads(pathlib.Path("../bodies.json").read_text())
typed = parse_obj_as(type_=TraceResponse, object_=bodies["traces"])
Trace.model_validate(bodies["traces"]["trace"])

# What the evaluation runtime does with GET /api/tracing/traces/{id}.
traces = bodies["tracing"].get("traces", {})
trace_content = next(iter(traces.values()))
root = next(iter(trace_content["spans"].values()))
print(json.dumps({
    "count": typed.count,
    "root_name": next(iter(typed.trace.spans)),
    "root_span_id": root["span_id"],
    "outputs": root["attributes"]["ag"]["data"]["outputs"],
}))
"""


@pytest.fixture(scope="module")
def sdk_python() -> Path:
    return require_sdk()


@pytest.fixture(scope="module")
def sdk_spans(sdk_python: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Span]:
    env = {"AGENTA_OTLP_ASYNC_EXPORT": "false"}
    result = run_sdk_script(sdk_python, EXPORT_SCRIPT, tmp_path_factory.mktemp("export"), env=env)
    body = base64.b64decode(str(result["body"]))
    return _ingest(body)


def _ingest(body: bytes) -> dict[str, Span]:
    batch = decode_export_request(body, content_type="application/x-protobuf")
    assert batch.rejected == []
    return {span.name: span for span in normalize_spans(batch.spans)}


def test_sdk_spans_normalise_to_the_documented_shape(sdk_spans: dict[str, Span]) -> None:
    root, chat, tool = sdk_spans["generate"], sdk_spans["call_llm"], sdk_spans["lookup"]

    assert (root.span_type, chat.span_type, tool.span_type) == ("workflow", "chat", "tool")
    assert root.kind == "SPAN_KIND_SERVER"
    assert root.inputs == {
        "country": "France",
        "config": {"temperature": 0.2, "nested": {"deep": {"x": [1]}}},
    }
    assert root.outputs == {"answer": "Paris"}
    assert root.internals == {"context": {"docs": [1, 2]}}
    assert (root.session_id, root.user_id) == ("s-1", "u-1")
    assert {(ref["key"], ref["slug"]) for ref in root.references} >= {
        ("application", "geo-qa"),
        ("environment", "production"),
    }
    assert chat.model == "gpt-4o-mini"
    assert chat.tokens == TokenUsage(prompt=12, completion=3, total=15)
    assert chat.cost is not None
    assert chat.cost.total == 0.0001
    assert tool.is_error
    assert tool.exception is not None
    assert tool.exception["type"] == "LookupError"
    assert root.mapping.unmapped == ()


def test_the_sdk_parses_both_read_back_shapes(
    sdk_python: Path, sdk_spans: dict[str, Span], tmp_path: Path
) -> None:
    (tree,) = build_trees(sdk_spans.values())
    bodies: dict[str, Any] = {"traces": trace_response(tree), "tracing": tracing_response(tree)}
    (tmp_path / "bodies.json").write_text(json.dumps(bodies))
    result = run_sdk_script(sdk_python, READ_BACK_SCRIPT, tmp_path, env={})

    assert result == {
        "count": 1,
        "root_name": "generate",
        "root_span_id": sdk_spans["generate"].span_id,
        "outputs": {"answer": "Paris"},
    }


def test_roll_ups_count_the_failed_tool_and_the_chat_cost(sdk_spans: dict[str, Span]) -> None:
    (tree,) = build_trees(sdk_spans.values())
    assert tree.root is not None

    cumulative = tree.root.cumulative
    assert cumulative.errors == 1
    assert cumulative.tokens == TokenUsage(prompt=12, completion=3, total=15)
    assert cumulative.cost is not None
    assert cumulative.cost.total == 0.0001
