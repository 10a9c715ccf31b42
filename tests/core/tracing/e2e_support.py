"""Helpers for the tracing end-to-end tests (real `agenta serve` / `agenta worker` processes).

- `seed_owner(database_url)`: a user with a project and an API key, written straight to the
  database the processes use;
- `server_env(...)`: the environment of a serve/worker process;
- `exporter_provider(url, headers, ...)`: an OpenTelemetry tracer provider whose stock
  OTLP/HTTP exporter sends to the server, as any instrumented application would;
- `llm_exports(...)`: ready-made OTLP protobuf bodies of LLM traces, with their ids;
- `wait_for_trace(...)`, `stored_span_ids(...)`: reading results back.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans
from opentelemetry.proto.trace.v1.trace_pb2 import Span as OtlpSpan
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from sqlalchemy import select

from agenta.core.tracing.models import SpanRecord
from agenta.db import Database
from tests.conftest import TEST_SECRET_KEY
from tests.support.accounts import Persona, make_user
from tests.support.processes import base_env

OTLP_PATH = "/api/otlp/v1/traces"


def seed_owner(database_url: str) -> Persona:
    """A signed-up user owning a project, with an API key there."""

    async def make() -> Persona:
        db = Database.unpooled(database_url)
        try:
            return await make_user(
                db, email=f"owner-{uuid.uuid4().hex[:8]}@example.com", with_api_key=True
            )
        finally:
            await db.dispose()

    return asyncio.run(make())


def server_env(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a serve or worker process on `database_url`."""
    return base_env(
        AGENTA_DATA_DIR=str(tmp_path / "data"),
        AGENTA_DATABASE_URL=database_url,
        AGENTA_SECRET_KEY=TEST_SECRET_KEY,
        AGENTA_LOG_LEVEL="WARNING",
        **extra,
    )


def exporter_provider(
    url: str, headers: dict[str, str], *, gzip: bool = False, service: str = "e2e"
) -> TracerProvider:
    """A tracer provider exporting each finished span to `url` over OTLP/HTTP protobuf."""
    exporter = OTLPSpanExporter(
        endpoint=url + OTLP_PATH,
        headers=headers,
        compression=Compression.Gzip if gzip else Compression.NoCompression,
        timeout=10,
    )
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def wait_for_trace(
    url: str, api_key: str, trace_id: str, spans: int, timeout: float = 30.0, path: str = "traces"
) -> dict[str, Any]:
    """Poll `GET /api/<path>/{trace_id}` until the trace has `spans` spans; returns its body."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = httpx.get(
            f"{url}/api/{path}/{trace_id}",
            headers={"Authorization": f"ApiKey {api_key}"},
            timeout=10,
        )
        if response.status_code == 200:
            body = response.json()
            if count_nodes(body) >= spans:
                return body
        time.sleep(0.1)
    raise AssertionError(f"trace {trace_id} did not reach {spans} spans in {timeout} s: {body}")


def count_nodes(body: Any) -> int:
    """How many span nodes a nested read-back body holds."""
    if isinstance(body, list):
        return sum(count_nodes(item) for item in body)
    if not isinstance(body, dict):
        return 0
    own = 1 if "span_id" in body else 0
    return own + sum(count_nodes(value) for key, value in body.items() if key != "attributes")


def stored_span_ids(database_url: str, project_id: uuid.UUID) -> list[tuple[str, str]]:
    """Every stored (trace id, span id) of the project, duplicates included."""

    async def read() -> list[tuple[str, str]]:
        db = Database.unpooled(database_url)
        try:
            async with db.session() as session:
                query = select(SpanRecord.trace_id, SpanRecord.span_id).where(
                    SpanRecord.project_id == project_id
                )
                return [(row[0], row[1]) for row in await session.execute(query)]
        finally:
            await db.dispose()

    return asyncio.run(read())


def queued_batches(database_url: str) -> int:
    """Batches waiting in the embedded queue table of a SQLite database.

    Read with the plain `sqlite3` module: a probe this cheap can catch a backlog the
    server's consumer drains within milliseconds.
    """
    path = database_url.split(":///", 1)[1]
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as connection:
        return int(connection.execute("SELECT count(*) FROM span_batches").fetchone()[0])


@dataclass(frozen=True)
class Export:
    """One OTLP request body and the (trace id, span id) pairs it carries."""

    body: bytes
    ids: frozenset[tuple[str, str]]


def llm_exports(
    count: int, traces_per_export: int, text: str = "lorem ipsum " * 40
) -> list[Export]:
    """`count` protobuf exports of LLM traces (a workflow root and three chat children)."""
    exports = []
    now = time.time_ns()
    for _ in range(count):
        spans: list[OtlpSpan] = []
        for _ in range(traces_per_export):
            spans.extend(_trace_spans(now, text))
        scope = ScopeSpans(scope=InstrumentationScope(name="e2e"), spans=spans)
        request = ExportTraceServiceRequest(resource_spans=[ResourceSpans(scope_spans=[scope])])
        ids = frozenset((span.trace_id.hex(), span.span_id.hex()) for span in spans)
        exports.append(Export(request.SerializeToString(), ids))
    return exports


def _trace_spans(now: int, text: str) -> list[OtlpSpan]:
    trace_id = os.urandom(16)
    root_id = os.urandom(8)
    root = OtlpSpan(
        trace_id=trace_id,
        span_id=root_id,
        name="workflow",
        kind=OtlpSpan.SPAN_KIND_SERVER,
        start_time_unix_nano=now,
        end_time_unix_nano=now + 3_000_000,
        attributes=_attributes({"ag.type.node": "workflow", "ag.data.inputs.question": text}),
    )
    children = [
        OtlpSpan(
            trace_id=trace_id,
            span_id=os.urandom(8),
            parent_span_id=root_id,
            name=f"chat-{index}",
            kind=OtlpSpan.SPAN_KIND_CLIENT,
            start_time_unix_nano=now + index * 1_000_000,
            end_time_unix_nano=now + (index + 1) * 1_000_000,
            attributes=_attributes(
                {
                    "ag.type.node": "chat",
                    "ag.data.outputs.completion": text,
                    "ag.meta.response.model": "gpt-4o-mini",
                    "ag.metrics.unit.tokens.prompt": 100.0,
                    "ag.metrics.unit.tokens.completion": 20.0,
                }
            ),
        )
        for index in range(3)
    ]
    return [root, *children]


def _attributes(values: dict[str, Any]) -> list[KeyValue]:
    return [
        KeyValue(
            key=key,
            value=AnyValue(double_value=value)
            if isinstance(value, float)
            else AnyValue(string_value=value),
        )
        for key, value in values.items()
    ]
