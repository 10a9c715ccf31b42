"""Factories for tracing tests: real OpenTelemetry SDK spans encoded as real OTLP bytes.

`recorder()` gives a fresh tracer whose finished spans are kept in memory; `.export()`
encodes them exactly as the OTLP/HTTP exporter does (the Agenta SDK uses that exporter).
`ingest(body)` runs decode + normalise and returns the spans keyed by name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Span as OtelSpan
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer

from agenta.core.tracing.normalize import CostFn, normalize_span, normalize_spans
from agenta.core.tracing.otlp import RawLink, RawSpan, decode_export_request
from agenta.core.tracing.span import Span


@dataclass
class Recorder:
    """A tracer plus the spans it finished."""

    tracer: Tracer
    exporter: InMemorySpanExporter

    def export(self) -> bytes:
        """The finished spans as an OTLP/HTTP protobuf body."""
        return encode_spans(self.exporter.get_finished_spans()).SerializeToString()

    @contextmanager
    def span(
        self, name: str, attributes: dict[str, Any], kind: SpanKind = SpanKind.INTERNAL
    ) -> Iterator[OtelSpan]:
        """Open a span as the current one (children opened inside nest under it)."""
        with self.tracer.start_as_current_span(name, kind=kind, attributes=attributes) as span:
            yield span

    def failing_span(self, name: str, attributes: dict[str, Any], error: Exception) -> None:
        """A span that records `error` the way the Agenta SDK does, then ends in ERROR."""
        with self.tracer.start_as_current_span(
            name, attributes=attributes, record_exception=False, set_status_on_exception=False
        ) as span:
            try:
                raise error
            except Exception as raised:
                span.record_exception(raised)
            span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))


@pytest.fixture
def recorder() -> Callable[..., Recorder]:
    """`recorder(service="agenta-sdk", scope="agenta.tracer")` -> a fresh `Recorder`."""

    def make(service: str = "agenta-sdk", scope: str = "agenta.tracer") -> Recorder:
        exporter = InMemorySpanExporter()
        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        return Recorder(provider.get_tracer(scope), exporter)

    return make


@pytest.fixture
def ingest() -> Callable[..., dict[str, Span]]:
    """Decode and normalise an OTLP body; spans keyed by name (names must be unique)."""

    def run(body: bytes, cost_fn: CostFn | None = None, **decode: Any) -> dict[str, Span]:
        batch = decode_export_request(body, **decode)
        assert batch.rejected == []
        spans = normalize_spans(batch.spans, cost_fn=cost_fn)
        return {span.name: span for span in spans}

    return run


@pytest.fixture
def sdk_trace(recorder: Callable[..., Recorder]) -> Callable[..., bytes]:
    """A trace shaped like the official Agenta SDK's: a workflow root and a chat child."""

    def make(root: dict[str, Any] | None = None, child: dict[str, Any] | None = None) -> bytes:
        record = recorder()
        root_attributes = {
            "ag.type.node": "workflow",
            "ag.data.inputs.country": "France",
            "ag.data.outputs.__default__": "Paris",
            "ag.meta.configuration.prompt": '@ag.type=json:{"messages": [{"role": "user"}]}',
            "ag.refs.application.slug": "geo-qa",
            "ag.refs.environment.slug": "production",
            "ag.session.id": "s-1",
            **(root or {}),
        }
        child_attributes = {
            "ag.type.node": "chat",
            "ag.data.inputs.prompt": '@ag.type=json:[{"role": "user", "content": "Capital?"}]',
            "ag.data.outputs.completion": '@ag.type=json:[{"role": "assistant"}]',
            "ag.meta.response.model": "gpt-4o-mini",
            "ag.metrics.unit.tokens.prompt": 12.0,
            "ag.metrics.unit.tokens.completion": 3.0,
            "ag.metrics.unit.tokens.total": 15.0,
            **(child or {}),
        }
        with (
            record.span("generate", root_attributes, SpanKind.SERVER),
            record.span("litellm_client", child_attributes, SpanKind.CLIENT),
        ):
            pass
        return record.export()

    return make


TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


def span_id_of(name: str) -> str:
    """A stable span id for a test span name."""
    return hashlib.sha256(name.encode()).hexdigest()[:16]


@pytest.fixture
def make_span() -> Callable[..., Span]:
    """A normalised span with chosen ids and timing (seconds after a fixed instant).

    `make_span("child", "b" * 16, parent="a" * 16, start=1, end=2, attributes={...},
    error=True, links=[...])`; the span id defaults to `span_id_of(name)`.
    """
    epoch = datetime(2025, 1, 1, tzinfo=UTC)

    def make(
        name: str,
        span_id: str | None = None,
        parent: str | None = None,
        start: float = 0.0,
        end: float = 1.0,
        attributes: dict[str, Any] | None = None,
        error: bool = False,
        trace_id: str = TRACE_ID,
        links: list[RawLink] | None = None,
    ) -> Span:
        raw = RawSpan(
            trace_id=trace_id,
            span_id=span_id or span_id_of(name),
            parent_id=parent,
            name=name,
            kind="SPAN_KIND_INTERNAL",
            start_time=epoch + timedelta(seconds=start),
            end_time=epoch + timedelta(seconds=end),
            status_code="STATUS_CODE_ERROR" if error else "STATUS_CODE_UNSET",
            status_message="failed" if error else "",
            attributes=attributes or {},
            links=links or [],
        )
        return normalize_span(raw)

    return make
