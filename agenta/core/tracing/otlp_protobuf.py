"""Decode a binary OTLP `ExportTraceServiceRequest` into `RawSpan`s.

Parsing is done by `opentelemetry-proto` (upb, in C); this module only walks the parsed
message once and copies what we keep into plain Python objects. Protobuf detects truncated
or corrupt input while parsing; a body that parses but carries no known field (arbitrary
bytes that happen to be valid wire format) is refused too, because an exporter never sends
a non-empty body without resource spans.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span as PbSpan

from agenta.core.tracing.raw import (
    DecodeLimits,
    ExportBatch,
    OTLPDecodeError,
    OTLPPayloadTooLarge,
    RawEvent,
    RawLink,
    RawSpan,
    SpanRejected,
    bytes_to_text,
    check_hex_id,
    clean_text,
    describe_span,
    json_safe_double,
    nanos_to_datetime,
    span_kind_name,
    span_times,
    status_code_name,
)

_SCALAR_FIELDS = frozenset(("bool_value", "int_value"))


def decode_protobuf(body: bytes, limits: DecodeLimits) -> ExportBatch:
    """Parse protobuf bytes and return the usable spans and rejection reasons."""
    request = _parse(body)
    batch = ExportBatch()
    seen = 0
    for resource_spans in request.resource_spans:
        resource = _resource_attributes(resource_spans.resource.attributes, limits)
        for scope_spans in resource_spans.scope_spans:
            scope_name = clean_text(scope_spans.scope.name)
            for span in scope_spans.spans:
                seen += 1
                if seen > limits.max_spans:
                    raise OTLPPayloadTooLarge(f"more than {limits.max_spans} spans in one request")
                _collect(span, resource, scope_name, limits, batch)
    return batch


def _parse(body: bytes) -> ExportTraceServiceRequest:
    try:
        request = ExportTraceServiceRequest.FromString(body)
    except DecodeError as error:
        raise OTLPDecodeError(
            "body is not a valid protobuf ExportTraceServiceRequest "
            f"(truncated or corrupt: {error})"
        ) from error
    if body and not request.resource_spans:
        raise OTLPDecodeError("body is not an ExportTraceServiceRequest: no resource spans found")
    return request


def _resource_attributes(pairs: Any, limits: DecodeLimits) -> dict[str, Any]:
    try:
        return _attributes(pairs, limits)
    except SpanRejected as error:
        raise OTLPDecodeError(f"resource attributes are unusable: {error}") from error


def _collect(
    span: PbSpan,
    resource: dict[str, Any],
    scope_name: str,
    limits: DecodeLimits,
    batch: ExportBatch,
) -> None:
    try:
        batch.spans.append(_raw_span(span, resource, scope_name, limits))
    except SpanRejected as error:
        batch.rejected.append(f"{describe_span(span.name, span.span_id.hex())}: {error}")


def _raw_span(
    span: PbSpan, resource: dict[str, Any], scope_name: str, limits: DecodeLimits
) -> RawSpan:
    start, end = span_times(span.start_time_unix_nano, span.end_time_unix_nano)
    parent = span.parent_span_id
    return RawSpan(
        trace_id=_hex_id(span.trace_id, 32, "trace id"),
        span_id=_hex_id(span.span_id, 16, "span id"),
        parent_id=_hex_id(parent, 16, "parent span id") if parent else None,
        name=clean_text(span.name),
        kind=span_kind_name(span.kind),
        start_time=start,
        end_time=end,
        status_code=status_code_name(span.status.code),
        status_message=clean_text(span.status.message),
        attributes=_attributes(span.attributes, limits),
        events=[_event(event, limits) for event in span.events],
        links=[_link(link, limits) for link in span.links],
        resource_attributes=resource,
        scope_name=scope_name,
    )


def _hex_id(data: bytes, length: int, what: str) -> str:
    # bytes.hex() is lowercase hex already: only the size and the all-zero id need checking.
    if len(data) * 2 == length and data.count(0) < len(data):
        return data.hex()
    return check_hex_id(data.hex(), length, what)  # raises, saying what is wrong


def _event(event: PbSpan.Event, limits: DecodeLimits) -> RawEvent:
    return RawEvent(
        name=clean_text(event.name),
        timestamp=nanos_to_datetime(event.time_unix_nano),
        attributes=_attributes(event.attributes, limits),
    )


def _link(link: PbSpan.Link, limits: DecodeLimits) -> RawLink:
    return RawLink(
        trace_id=_hex_id(link.trace_id, 32, "link trace id"),
        span_id=_hex_id(link.span_id, 16, "link span id"),
        attributes=_attributes(link.attributes, limits),
    )


def _attributes(pairs: Any, limits: DecodeLimits, depth: int = 0) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for pair in pairs:
        value = pair.value
        if value.WhichOneof("value") == "string_value":  # most values: no call for them
            attributes[pair.key] = clean_text(value.string_value)
        else:
            attributes[pair.key] = _value(value, limits, depth)
    return attributes


def _value(value: AnyValue, limits: DecodeLimits, depth: int) -> Any:
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return clean_text(value.string_value)
    if kind in _SCALAR_FIELDS:
        return getattr(value, kind)
    if kind == "double_value":
        return json_safe_double(value.double_value)
    if kind is None:
        return None
    if depth >= limits.max_value_depth:
        raise SpanRejected(f"attribute values nest deeper than {limits.max_value_depth} levels")
    if kind == "array_value":
        return [_value(item, limits, depth + 1) for item in value.array_value.values]
    if kind == "kvlist_value":
        return _attributes(value.kvlist_value.values, limits, depth + 1)
    return bytes_to_text(value.bytes_value)
