"""Real exporters against a real `agenta serve` (embedded mode), read back through the API.

- the stock OpenTelemetry OTLP/HTTP exporter, plain and gzip, with each API key header form;
- OpenInference's OpenAI instrumentation around the real `openai` SDK calling the fake
  OpenAI-compatible server: model, tokens and a cost priced from the price table;
- the official `agenta` SDK's `@ag.instrument` (in its own venv), read back through
  `/api/tracing/traces/{id}` the way its evaluation runtime does;
- OTLP/JSON, garbage, truncated and oversized bodies sent over real HTTP.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openai import OpenAI
from openinference.instrumentation.openai import OpenAIInstrumentor
from opentelemetry.trace import SpanKind

from tests.core.tracing.e2e_support import (
    OTLP_PATH,
    exporter_provider,
    seed_owner,
    server_env,
    wait_for_trace,
)
from tests.core.tracing.storage_support import (
    new_span_id,
    new_trace_id,
    otlp_json_body,
    otlp_json_span,
)
from tests.support import databases
from tests.support.accounts import Persona
from tests.support.processes import ServerProcess
from tests.support.sdk_venv import require_sdk, run_sdk_script

pytestmark = pytest.mark.slow

MAX_BYTES = 256 * 1024


@pytest.fixture(scope="module")
def stack(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, Persona]]:
    folder = tmp_path_factory.mktemp("tracing-e2e")
    database_url = databases.fresh_sqlite(sqlite_template, folder)
    owner = seed_owner(database_url)
    env = server_env(folder, database_url, AGENTA_TRACING_OTLP_MAX_BYTES=str(MAX_BYTES))
    server = ServerProcess(env, folder / "serve.log")
    server.start()
    try:
        server.wait_ready()
        yield server, owner
    finally:
        server.stop()


def key_of(owner: Persona) -> str:
    assert owner.api_key is not None
    return owner.api_key


@pytest.mark.parametrize(
    ("scheme", "compressed"), [("ApiKey", False), ("Bearer", True), ("", True)]
)
def test_the_stock_otlp_exporter_delivers_traces_that_read_back(
    stack: tuple[ServerProcess, Persona], scheme: str, compressed: bool
) -> None:
    server, owner = stack
    header = f"{scheme} {key_of(owner)}".strip()
    provider = exporter_provider(server.url, {"Authorization": header}, gzip=compressed)
    tracer = provider.get_tracer("e2e")
    attributes = {"ag.type.node": "workflow", "ag.data.inputs.country": "France"}
    with (
        tracer.start_as_current_span(
            "generate", kind=SpanKind.SERVER, attributes=attributes
        ) as root,
        tracer.start_as_current_span("lookup", attributes={"ag.type.node": "tool"}),
    ):
        pass
    provider.shutdown()

    trace_id = format(root.get_span_context().trace_id, "032x")
    body = wait_for_trace(server.url, key_of(owner), trace_id, spans=2)
    node = body["trace"]["spans"]["generate"]
    assert node["attributes"]["ag"]["data"]["inputs"] == {"country": "France"}
    assert node["spans"]["lookup"]["span_type"] == "tool"


def test_openai_calls_traced_by_openinference_get_model_tokens_and_cost(
    stack: tuple[ServerProcess, Persona], fake_llm: Any
) -> None:
    server, owner = stack
    provider = exporter_provider(server.url, {"Authorization": f"ApiKey {key_of(owner)}"})
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    try:
        client = OpenAI(base_url=fake_llm.url + "/v1", api_key="sk-test")
        with provider.get_tracer("app").start_as_current_span("answer") as root:
            reply = client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "Capital of France?"}]
            )
    finally:
        instrumentor.uninstrument()
        provider.shutdown()

    trace_id = format(root.get_span_context().trace_id, "032x")
    body = wait_for_trace(server.url, key_of(owner), trace_id, spans=2)
    [(name, llm)] = body["trace"]["spans"]["answer"]["spans"].items()
    metrics = llm["attributes"]["ag"]["metrics"]
    assert llm["span_type"] in ("chat", "llm")
    assert llm["model"].startswith("gpt-4o-mini")
    assert llm["attributes"]["ag"]["data"]["inputs"]["prompt"][0]["content"] == "Capital of France?"
    assert metrics["tokens"]["incremental"]["total"] == reply.usage.total_tokens
    assert metrics["costs"]["incremental"]["total"] > 0
    root_metrics = body["trace"]["spans"]["answer"]["attributes"]["ag"]["metrics"]
    assert root_metrics["costs"]["cumulative"]["total"] == metrics["costs"]["incremental"]["total"]
    assert name


SDK_SCRIPT = """
import json
import agenta as ag
from opentelemetry import trace

ag.init(host={host!r}, api_key={key!r})
seen = {{}}

@ag.instrument(spankind="chat")
def call_llm(prompt: str):
    return {{"message": "Paris", "usage": {{"prompt_tokens": 12, "completion_tokens": 3,
            "total_tokens": 15}}, "cost": 0.0001}}

@ag.instrument()
def generate(country: str):
    seen["trace_id"] = format(trace.get_current_span().get_span_context().trace_id, "032x")
    ag.tracing.store_session(session_id="s-1")
    return {{"answer": call_llm(f"Capital of {{country}}?")["message"]}}

generate("France")
ag.tracing.tracer_provider.force_flush()
print(json.dumps(seen))
"""


def test_the_official_sdk_instrument_decorator_reads_back_root_first(
    stack: tuple[ServerProcess, Persona], tmp_path: Path
) -> None:
    server, owner = stack
    python = require_sdk()
    script = SDK_SCRIPT.format(host=server.url, key=key_of(owner))

    trace_id = str(run_sdk_script(python, script, tmp_path, env={})["trace_id"])

    body = wait_for_trace(server.url, key_of(owner), trace_id, spans=2, path="tracing/traces")
    spans = body["traces"][trace_id]["spans"]
    assert next(iter(spans)) == "generate"
    root = spans["generate"]
    assert root["attributes"]["ag"]["data"]["outputs"] == {"answer": "Paris"}
    assert root["session_id"] == "s-1"
    assert root["attributes"]["ag"]["metrics"]["costs"]["cumulative"]["total"] == 0.0001
    assert (
        root["spans"]["call_llm"]["attributes"]["ag"]["metrics"]["tokens"]["incremental"]["total"]
        == 15
    )


def post(server: ServerProcess, owner: Persona, body: bytes, **headers: str) -> httpx.Response:
    headers = {"Authorization": f"ApiKey {key_of(owner)}", **headers}
    return httpx.post(server.url + OTLP_PATH, content=body, headers=headers, timeout=30)


def test_an_otlp_json_export_over_http(stack: tuple[ServerProcess, Persona]) -> None:
    server, owner = stack
    trace_id = new_trace_id()
    body = otlp_json_body(otlp_json_span("json-root", trace_id=trace_id, span_id=new_span_id()))

    response = post(
        server,
        owner,
        gzip.compress(body),
        **{"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )

    assert response.status_code == 200
    assert response.json() == {}
    assert (
        "json-root"
        in wait_for_trace(server.url, key_of(owner), trace_id, spans=1)["trace"]["spans"]
    )


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"\x0a\xff\xff\xff\xff\x0f garbage", {"Content-Type": "application/x-protobuf"}, 400),
        (b'{"resourceSpans": [{"scopeSpans": [', {"Content-Type": "application/json"}, 400),
        (gzip.compress(b"x" * 4096)[:-8], {"Content-Encoding": "gzip"}, 400),
        (b"\x00" * (MAX_BYTES + 1), {"Content-Type": "application/x-protobuf"}, 413),
    ],
    ids=["garbage", "truncated-json", "truncated-gzip", "oversized"],
)
def test_bad_bodies_over_http_are_refused_with_a_reason(
    stack: tuple[ServerProcess, Persona], body: bytes, headers: dict[str, str], status: int
) -> None:
    server, owner = stack

    response = post(server, owner, body, **headers)

    assert response.status_code == status
    assert json.loads(response.text)["message"].startswith("Cannot accept this OTLP export")
