"""Decode an OTLP/JSON `ExportTraceServiceRequest` into `RawSpan`s.

OTLP/JSON is the protobuf JSON mapping with a few twists, all accepted here:
- trace and span ids are hex strings (base64, the plain protobuf mapping, is accepted too,
  since some hand-rolled exporters use `json_format`);
- keys may be lowerCamelCase (the spec) or snake_case (the proto field names);
- 64-bit integers (`intValue`, `*UnixNano`) may be strings or numbers;
- enums (`kind`, `status.code`) may be numbers or their names;
- `doubleValue` may be "NaN" / "Infinity" / "-Infinity".
A request whose structure is wrong (for example `resourceSpans` not a list) is refused as a
whole; a single malformed span is rejected on its own with a reason naming the field.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from agenta.core.tracing.raw import (
    SPAN_KINDS,
    STATUS_CODES,
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
    span_times,
)

_SPECIAL_DOUBLES = {"NaN": "NaN", "Infinity": "Infinity", "-Infinity": "-Infinity"}


def decode_json(body: bytes, limits: DecodeLimits) -> ExportBatch:
    """Parse OTLP/JSON bytes and return the usable spans and rejection reasons."""
    document = _load(body)
    batch = ExportBatch()
    seen = 0
    for entry in _list(document, "resourceSpans", "resource_spans", "request"):
        resource_spans = _object(entry, "resourceSpans entry")
        resource = _resource(resource_spans, limits)
        for scope_entry in _scope_spans(resource_spans):
            scope_spans = _object(scope_entry, "scopeSpans entry")
            scope_name = _scope_name(scope_spans)
            for span in _list(scope_spans, "spans", "spans", "scopeSpans entry"):
                seen += 1
                if seen > limits.max_spans:
                    raise OTLPPayloadTooLarge(f"more than {limits.max_spans} spans in one request")
                _collect(span, resource, scope_name, limits, batch)
    return batch


def _load(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OTLPDecodeError(f"body is not valid JSON: {error}") from error
    if not isinstance(document, dict):
        kind = type(document).__name__
        raise OTLPDecodeError(f"JSON body must be an object with resourceSpans, got {kind}")
    return document


def _get(obj: dict[str, Any], camel: str, snake: str) -> Any:
    value = obj.get(camel)
    return obj.get(snake) if value is None else value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise OTLPDecodeError(f"{where} must be a JSON object, got {type(value).__name__}")
    return value


def _list(obj: Any, camel: str, snake: str, where: str) -> list[Any]:
    items = _get(_object(obj, where), camel, snake)
    if items is None:
        return []
    if not isinstance(items, list):
        raise OTLPDecodeError(f"{where}: {camel} must be a list, got {type(items).__name__}")
    return items


def _scope_spans(resource_spans: dict[str, Any]) -> list[dict[str, Any]]:
    scoped = _list(resource_spans, "scopeSpans", "scope_spans", "resourceSpans entry")
    # Exporters older than OTLP 0.15 called scopes "instrumentation libraries".
    legacy = _list(
        resource_spans,
        "instrumentationLibrarySpans",
        "instrumentation_library_spans",
        "resourceSpans entry",
    )
    return scoped + legacy if legacy else scoped


def _scope_name(scope_spans: dict[str, Any]) -> str:
    scope = _get(scope_spans, "scope", "instrumentationLibrary") or {}
    name = scope.get("name") if isinstance(scope, dict) else None
    return clean_text(name) if isinstance(name, str) else ""


def _resource(resource_spans: dict[str, Any], limits: DecodeLimits) -> dict[str, Any]:
    resource = resource_spans.get("resource")
    if resource is None:
        return {}
    try:
        if not isinstance(resource, dict):
            raise SpanRejected(f"resource must be an object, got {type(resource).__name__}")
        return _attributes(resource.get("attributes"), limits, 0, "resource attributes")
    except SpanRejected as error:
        raise OTLPDecodeError(f"resource is unusable: {error}") from error


def _collect(
    span: Any,
    resource: dict[str, Any],
    scope_name: str,
    limits: DecodeLimits,
    batch: ExportBatch,
) -> None:
    try:
        batch.spans.append(_raw_span(span, resource, scope_name, limits))
    except SpanRejected as error:
        name = span.get("name") if isinstance(span, dict) else None
        span_id = _get(span, "spanId", "span_id") if isinstance(span, dict) else None
        label = describe_span(str(name or ""), str(span_id or ""))
        batch.rejected.append(f"{label}: {error}")


def _raw_span(
    span: Any, resource: dict[str, Any], scope_name: str, limits: DecodeLimits
) -> RawSpan:
    if not isinstance(span, dict):
        raise SpanRejected(f"must be a JSON object, got {type(span).__name__}")
    start, end = span_times(
        _integer(_get(span, "startTimeUnixNano", "start_time_unix_nano"), "startTimeUnixNano"),
        _integer(_get(span, "endTimeUnixNano", "end_time_unix_nano"), "endTimeUnixNano"),
    )
    parent = _get(span, "parentSpanId", "parent_span_id")
    status = span.get("status")
    status = {} if status is None else status
    if not isinstance(status, dict):
        raise SpanRejected("status must be an object")
    return RawSpan(
        trace_id=_id(_get(span, "traceId", "trace_id"), 32, "trace id"),
        span_id=_id(_get(span, "spanId", "span_id"), 16, "span id"),
        parent_id=_id(parent, 16, "parent span id") if parent else None,
        name=clean_text(_text(span.get("name"), "name")),
        kind=_enum(span.get("kind"), SPAN_KINDS, "SPAN_KIND_", "kind"),
        start_time=start,
        end_time=end,
        status_code=_enum(status.get("code"), STATUS_CODES, "STATUS_CODE_", "status.code"),
        status_message=clean_text(_text(status.get("message"), "status.message")),
        attributes=_attributes(span.get("attributes"), limits, 0, "attributes"),
        events=[_event(item, limits) for item in _items(span.get("events"), "events")],
        links=[_link(item, limits) for item in _items(span.get("links"), "links")],
        resource_attributes=resource,
        scope_name=scope_name,
    )


def _event(event: Any, limits: DecodeLimits) -> RawEvent:
    if not isinstance(event, dict):
        raise SpanRejected("each event must be an object")
    nanos = _integer(_get(event, "timeUnixNano", "time_unix_nano"), "event timeUnixNano")
    return RawEvent(
        name=clean_text(_text(event.get("name"), "event name")),
        timestamp=nanos_to_datetime(nanos),
        attributes=_attributes(event.get("attributes"), limits, 0, "event attributes"),
    )


def _link(link: Any, limits: DecodeLimits) -> RawLink:
    if not isinstance(link, dict):
        raise SpanRejected("each link must be an object")
    return RawLink(
        trace_id=_id(_get(link, "traceId", "trace_id"), 32, "link trace id"),
        span_id=_id(_get(link, "spanId", "span_id"), 16, "link span id"),
        attributes=_attributes(link.get("attributes"), limits, 0, "link attributes"),
    )


def _items(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SpanRejected(f"{what} must be a list, got {type(value).__name__}")
    return value


def _id(value: Any, length: int, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise SpanRejected(f"{what} is missing or not a string")
    if len(value) != length:
        value = _base64_id(value, length, what)
    return check_hex_id(value, length, what)


def _base64_id(value: str, length: int, what: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value  # let the hex check produce the error message
    if len(raw) * 2 != length:
        raise SpanRejected(f"{what} must be {length} hex characters, got {value[:40]!r}")
    return raw.hex()


def _integer(value: Any, what: str) -> int:
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise SpanRejected(f"{what} must be an integer, got {value!r:.40}")


def _text(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SpanRejected(f"{what} must be a string, got {type(value).__name__}")
    return value


def _enum(value: Any, names: tuple[str, ...], prefix: str, what: str) -> str:
    if value is None:
        return names[0]
    if isinstance(value, int) and not isinstance(value, bool):
        return names[value] if 0 <= value < len(names) else names[0]
    if isinstance(value, str):
        name = value.upper() if value.upper().startswith(prefix) else prefix + value.upper()
        if name in names:
            return name
    raise SpanRejected(f"{what} must be one of {', '.join(names)}, got {value!r:.40}")


def _attributes(pairs: Any, limits: DecodeLimits, depth: int, what: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for pair in _items(pairs, what):
        if not isinstance(pair, dict) or not isinstance(pair.get("key"), str):
            raise SpanRejected(f"{what} must be objects with a string key")
        result[pair["key"]] = _value(pair.get("value"), limits, depth)
    return result


def _value(value: Any, limits: DecodeLimits, depth: int) -> Any:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SpanRejected(f"attribute value must be an AnyValue object, got {value!r:.40}")
    if (text := _get(value, "stringValue", "string_value")) is not None:
        return clean_text(_text(text, "stringValue"))
    if (flag := _get(value, "boolValue", "bool_value")) is not None:
        return _boolean(flag)
    if (number := _get(value, "intValue", "int_value")) is not None:
        return _signed_integer(number)
    if (double := _get(value, "doubleValue", "double_value")) is not None:
        return _double(double)
    if (data := _get(value, "bytesValue", "bytes_value")) is not None:
        return _bytes(data)
    return _nested(value, limits, depth)


def _nested(value: dict[str, Any], limits: DecodeLimits, depth: int) -> Any:
    array = _get(value, "arrayValue", "array_value")
    kvlist = _get(value, "kvlistValue", "kvlist_value")
    if array is None and kvlist is None:
        return None
    if depth >= limits.max_value_depth:
        raise SpanRejected(f"attribute values nest deeper than {limits.max_value_depth} levels")
    if array is not None:
        values = array.get("values") if isinstance(array, dict) else None
        return [_value(item, limits, depth + 1) for item in _items(values, "arrayValue.values")]
    values = kvlist.get("values") if isinstance(kvlist, dict) else None
    return _attributes(values, limits, depth + 1, "kvlistValue.values")


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise SpanRejected(f"boolValue must be true or false, got {value!r:.40}")
    return value


def _signed_integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise SpanRejected(f"intValue must be an integer or a decimal string, got {value!r:.40}")


def _double(value: Any) -> float | str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return json_safe_double(float(value))
    if isinstance(value, str):
        if value in _SPECIAL_DOUBLES:
            return _SPECIAL_DOUBLES[value]
        try:
            return json_safe_double(float(value))
        except ValueError:
            pass
    raise SpanRejected(f"doubleValue must be a number, got {value!r:.40}")


def _bytes(value: Any) -> str:
    if not isinstance(value, str):
        raise SpanRejected("bytesValue must be a base64 string")
    try:
        return bytes_to_text(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError) as error:
        raise SpanRejected(f"bytesValue is not valid base64: {error}") from error
