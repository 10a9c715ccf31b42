"""Decoding binary OTLP bodies, as produced by the OpenTelemetry SDK and exporters."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from datetime import UTC

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1 import trace_pb2
from opentelemetry.trace import Link, SpanKind

from agenta.core.tracing.otlp import (
    DecodeLimits,
    OTLPDecodeError,
    OTLPPayloadTooLarge,
    OTLPUnsupportedMediaType,
    decode_export_request,
)
from tests.core.tracing.conftest import Recorder


def hand_built_request(*spans: trace_pb2.Span) -> bytes:
    """A request holding spans built field by field (to send what an SDK never would)."""
    request = ExportTraceServiceRequest()
    scope_spans = request.resource_spans.add().scope_spans.add()
    scope_spans.spans.extend(spans)
    return request.SerializeToString()


def pb_span(name: str, trace_id: bytes = b"\x01" * 16, span_id: bytes = b"\x02" * 8, **fields):
    fields.setdefault("start_time_unix_nano", 1_700_000_000_000_000_000)
    fields.setdefault("end_time_unix_nano", 1_700_000_000_500_000_000)
    return trace_pb2.Span(name=name, trace_id=trace_id, span_id=span_id, **fields)


def test_it_reads_ids_names_kinds_and_times_from_sdk_spans(
    recorder: Callable[..., Recorder],
) -> None:
    record = recorder()
    with record.span("parent", {}, SpanKind.SERVER) as parent, record.span("child", {}):
        pass
    spans = {span.name: span for span in decode_export_request(record.export()).spans}

    context = parent.get_span_context()
    assert spans["parent"].trace_id == f"{context.trace_id:032x}"
    assert spans["parent"].span_id == f"{context.span_id:016x}"
    assert spans["parent"].parent_id is None
    assert spans["child"].parent_id == spans["parent"].span_id
    assert spans["parent"].kind == "SPAN_KIND_SERVER"
    assert spans["child"].kind == "SPAN_KIND_INTERNAL"
    assert spans["parent"].start_time.tzinfo is UTC
    assert spans["parent"].start_time <= spans["child"].start_time <= spans["parent"].end_time


def test_it_decodes_every_attribute_value_type(recorder: Callable[..., Recorder]) -> None:
    record = recorder()
    values = {"s": "text", "i": 7, "f": 0.5, "b": True, "strings": ["a", "b"], "ints": [1, 2]}
    with record.span("typed", values):
        pass
    (span,) = decode_export_request(record.export()).spans

    assert span.attributes == values


def test_it_decodes_nested_key_value_lists_and_bytes() -> None:
    value = {
        "kvlist_value": {
            "values": [
                {"key": "name", "value": {"string_value": "x"}},
                {"key": "raw", "value": {"bytes_value": b"\x00\xff"}},
                {"key": "list", "value": {"array_value": {"values": [{"int_value": 3}]}}},
            ]
        }
    }
    span = pb_span("nested", attributes=[{"key": "payload", "value": value}])
    (raw,) = decode_export_request(hand_built_request(span)).spans

    assert raw.attributes["payload"] == {"name": "x", "raw": "AP8=", "list": [3]}


def test_it_keeps_resource_attributes_and_scope_name(recorder: Callable[..., Recorder]) -> None:
    record = recorder(service="checkout", scope="my.instrumentation")
    with record.span("work", {}):
        pass
    (span,) = decode_export_request(record.export()).spans

    assert span.resource_attributes["service.name"] == "checkout"
    assert span.scope_name == "my.instrumentation"


def test_it_reads_error_status_and_exception_events(recorder: Callable[..., Recorder]) -> None:
    record = recorder()
    record.failing_span("boom", {}, ValueError("bad input"))
    (span,) = decode_export_request(record.export()).spans

    assert span.status_code == "STATUS_CODE_ERROR"
    assert span.status_message == "ValueError: bad input"
    (event,) = span.events
    assert event.name == "exception"
    assert event.attributes["exception.type"] == "ValueError"
    assert event.attributes["exception.message"] == "bad input"


def test_it_reads_links_with_their_attributes(recorder: Callable[..., Recorder]) -> None:
    record = recorder()
    with record.span("target", {}) as target:
        pass
    link = Link(target.get_span_context(), {"key": "invocation"})
    with record.tracer.start_as_current_span("evaluator", links=[link]):
        pass
    spans = {span.name: span for span in decode_export_request(record.export()).spans}

    (decoded,) = spans["evaluator"].links
    assert decoded.span_id == spans["target"].span_id
    assert decoded.trace_id == spans["target"].trace_id
    assert decoded.attributes == {"key": "invocation"}


def test_it_strips_nul_characters_that_postgres_cannot_store() -> None:
    span = pb_span("nul\x00name", attributes=[{"key": "k", "value": {"string_value": "a\x00b"}}])
    (raw,) = decode_export_request(hand_built_request(span)).spans

    assert raw.name == "nulname"
    assert raw.attributes["k"] == "ab"


def test_it_spells_non_finite_doubles_as_strings_to_stay_valid_json() -> None:
    attributes = [{"key": "score", "value": {"double_value": float("nan")}}]
    (raw,) = decode_export_request(hand_built_request(pb_span("x", attributes=attributes))).spans

    assert raw.attributes["score"] == "NaN"


def test_it_rejects_a_span_with_a_zero_trace_id_but_keeps_the_others() -> None:
    body = hand_built_request(pb_span("good"), pb_span("bad", trace_id=b"\x00" * 16))
    batch = decode_export_request(body)

    assert [span.name for span in batch.spans] == ["good"]
    assert batch.rejected_count == 1
    assert "'bad'" in batch.rejected[0]
    assert "trace id is all zeros" in batch.rejected[0]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"trace_id": b"\x01" * 8}, "trace id must be 32 hex characters"),
        ({"span_id": b""}, "span id must be 16 hex characters"),
        ({"parent_span_id": b"\x03" * 3}, "parent span id must be 16 hex characters"),
        ({"start_time_unix_nano": 0}, "start time is missing"),
    ],
)
def test_it_names_what_is_wrong_with_a_rejected_span(fields: dict, reason: str) -> None:
    batch = decode_export_request(hand_built_request(pb_span("odd", **fields)))

    assert batch.spans == []
    assert reason in batch.summary()


def test_it_clamps_an_end_time_before_the_start() -> None:
    span = pb_span("backwards", start_time_unix_nano=2_000_000_000, end_time_unix_nano=1)
    (raw,) = decode_export_request(hand_built_request(span)).spans

    assert raw.end_time == raw.start_time


def test_it_accepts_an_empty_body_as_an_empty_export() -> None:
    assert decode_export_request(b"").spans == []


@pytest.mark.parametrize(
    "body",
    [b"hello, this is not protobuf", b'{"resourceSpans": []}', b"\xff" * 40],
)
def test_it_refuses_garbage_with_a_clear_reason(body: bytes) -> None:
    with pytest.raises(OTLPDecodeError) as caught:
        decode_export_request(body)

    assert caught.value.status_code == 400
    assert "ExportTraceServiceRequest" in caught.value.reason


def test_it_refuses_a_truncated_body(sdk_trace: Callable[..., bytes]) -> None:
    body = sdk_trace()
    with pytest.raises(OTLPDecodeError, match="truncated or corrupt"):
        decode_export_request(body[: len(body) // 2])


def test_it_refuses_valid_wire_format_that_holds_no_resource_spans() -> None:
    # Field 9, varint: well-formed protobuf, but not a field of the export request.
    with pytest.raises(OTLPDecodeError, match="no resource spans"):
        decode_export_request(b"\x48\x01")


def test_it_refuses_a_body_over_the_size_limit(sdk_trace: Callable[..., bytes]) -> None:
    with pytest.raises(OTLPPayloadTooLarge) as caught:
        decode_export_request(sdk_trace(), limits=DecodeLimits(max_body_bytes=100))

    assert caught.value.status_code == 413


def test_it_refuses_more_spans_than_the_limit(sdk_trace: Callable[..., bytes]) -> None:
    with pytest.raises(OTLPPayloadTooLarge, match="more than 1 spans"):
        decode_export_request(sdk_trace(), limits=DecodeLimits(max_spans=1))


def test_it_rejects_attribute_values_nested_too_deep() -> None:
    value: dict = {"string_value": "leaf"}
    for _ in range(5):
        value = {"array_value": {"values": [value]}}
    span = pb_span("deep", attributes=[{"key": "k", "value": value}])
    batch = decode_export_request(hand_built_request(span), limits=DecodeLimits(max_value_depth=3))

    assert "nest deeper than 3 levels" in batch.summary()


@pytest.mark.parametrize("compress", [gzip.compress, zlib.compress], ids=["gzip", "zlib"])
def test_it_decompresses_gzip_and_deflate_bodies(
    sdk_trace: Callable[..., bytes], compress: Callable[[bytes], bytes]
) -> None:
    encoding = "gzip" if compress is gzip.compress else "deflate"
    batch = decode_export_request(compress(sdk_trace()), content_encoding=encoding)

    assert {span.name for span in batch.spans} == {"generate", "litellm_client"}


def test_it_accepts_raw_deflate_streams(sdk_trace: Callable[..., bytes]) -> None:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    body = compressor.compress(sdk_trace()) + compressor.flush()

    assert len(decode_export_request(body, content_encoding="deflate").spans) == 2


def test_it_refuses_a_truncated_gzip_body(sdk_trace: Callable[..., bytes]) -> None:
    body = gzip.compress(sdk_trace())
    with pytest.raises(OTLPDecodeError, match="gzip body is truncated"):
        decode_export_request(body[:-12], content_encoding="gzip")


def test_it_refuses_a_body_labelled_gzip_that_is_not(sdk_trace: Callable[..., bytes]) -> None:
    with pytest.raises(OTLPDecodeError, match="not valid gzip data"):
        decode_export_request(sdk_trace(), content_encoding="gzip")


def test_it_stops_decompressing_at_the_decoded_size_limit() -> None:
    bomb = gzip.compress(b"\x00" * 1_000_000)
    with pytest.raises(OTLPPayloadTooLarge, match="decompressed body"):
        decode_export_request(
            bomb, content_encoding="gzip", limits=DecodeLimits(max_decoded_bytes=10_000)
        )


def test_it_refuses_an_unknown_content_encoding(sdk_trace: Callable[..., bytes]) -> None:
    with pytest.raises(OTLPUnsupportedMediaType, match="'br' is not supported") as caught:
        decode_export_request(sdk_trace(), content_encoding="br")

    assert caught.value.status_code == 415


def test_it_refuses_an_unknown_content_type(sdk_trace: Callable[..., bytes]) -> None:
    with pytest.raises(OTLPUnsupportedMediaType, match="'text/plain' is not supported"):
        decode_export_request(sdk_trace(), content_type="text/plain")


def test_it_reads_protobuf_when_content_type_has_parameters_or_is_missing(
    sdk_trace: Callable[..., bytes],
) -> None:
    body = sdk_trace()
    with_charset = decode_export_request(body, content_type="application/x-protobuf; v=1")
    without = decode_export_request(body, content_type=None)

    assert len(with_charset.spans) == len(without.spans) == 2
