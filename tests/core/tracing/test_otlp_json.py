"""Decoding OTLP/JSON bodies: spec spelling, snake_case, string integers, bad shapes."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest

from agenta.core.tracing.otlp import OTLPDecodeError, decode_export_request

TRACE_ID = "5b8efff798038103d269b633813fc60c"
SPAN_ID = "eee19b7ec3c1b174"
PARENT_ID = "eee19b7ec3c1b173"


def json_span(**overrides: Any) -> dict[str, Any]:
    span = {
        "traceId": TRACE_ID,
        "spanId": SPAN_ID,
        "parentSpanId": PARENT_ID,
        "name": "call-llm",
        "kind": 3,
        "startTimeUnixNano": "1544712660000000000",
        "endTimeUnixNano": "1544712661000000000",
        "attributes": [{"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}}],
        "status": {"code": 2, "message": "boom"},
    }
    span.update(overrides)
    return span


def json_body(*spans: dict[str, Any], resource: dict | None = None) -> bytes:
    document = {
        "resourceSpans": [
            {
                "resource": resource or {"attributes": []},
                "scopeSpans": [{"scope": {"name": "my.scope"}, "spans": list(spans)}],
            }
        ]
    }
    return json.dumps(document).encode()


def decode(body: bytes, **options: Any):
    return decode_export_request(body, content_type="application/json", **options)


def test_it_reads_a_span_written_as_the_otlp_json_spec_shows() -> None:
    (span,) = decode(json_body(json_span())).spans

    assert (span.trace_id, span.span_id, span.parent_id) == (TRACE_ID, SPAN_ID, PARENT_ID)
    assert span.kind == "SPAN_KIND_CLIENT"
    assert span.status_code == "STATUS_CODE_ERROR"
    assert span.status_message == "boom"
    assert span.start_time.isoformat() == "2018-12-13T14:51:00+00:00"
    assert (span.end_time - span.start_time).total_seconds() == 1
    assert span.attributes == {"gen_ai.request.model": "gpt-4o"}
    assert span.scope_name == "my.scope"


def test_it_accepts_snake_case_keys_and_enum_names() -> None:
    span = {
        "trace_id": TRACE_ID,
        "span_id": SPAN_ID,
        "name": "snake",
        "kind": "SPAN_KIND_SERVER",
        "start_time_unix_nano": 1544712660000000000,
        "end_time_unix_nano": 1544712661000000000,
        "status": {"code": "STATUS_CODE_OK"},
        "attributes": [{"key": "n", "value": {"int_value": 4}}],
    }
    document = {"resource_spans": [{"scope_spans": [{"spans": [span]}]}]}
    (raw,) = decode(json.dumps(document).encode()).spans

    assert (raw.kind, raw.status_code, raw.attributes) == (
        "SPAN_KIND_SERVER",
        "STATUS_CODE_OK",
        {"n": 4},
    )


def test_it_decodes_every_any_value_spelling() -> None:
    attributes = [
        {"key": "int", "value": {"intValue": "9007199254740993"}},
        {"key": "double", "value": {"doubleValue": 1.5}},
        {"key": "nan", "value": {"doubleValue": "NaN"}},
        {"key": "bool", "value": {"boolValue": False}},
        {"key": "bytes", "value": {"bytesValue": base64.b64encode(b"hi").decode()}},
        {"key": "empty", "value": {}},
        {
            "key": "list",
            "value": {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": "2"}]}},
        },
        {
            "key": "map",
            "value": {"kvlistValue": {"values": [{"key": "x", "value": {"boolValue": True}}]}},
        },
    ]
    (span,) = decode(json_body(json_span(attributes=attributes))).spans

    assert span.attributes == {
        "int": 9007199254740993,
        "double": 1.5,
        "nan": "NaN",
        "bool": False,
        "bytes": "aGk=",
        "empty": None,
        "list": ["a", 2],
        "map": {"x": True},
    }


def test_it_accepts_base64_ids_as_written_by_generic_protobuf_json() -> None:
    trace_b64 = base64.b64encode(bytes.fromhex(TRACE_ID)).decode()
    span_b64 = base64.b64encode(bytes.fromhex(SPAN_ID)).decode()
    (span,) = decode(json_body(json_span(traceId=trace_b64, spanId=span_b64))).spans

    assert (span.trace_id, span.span_id) == (TRACE_ID, SPAN_ID)


def test_it_reads_events_and_links() -> None:
    events = [
        {
            "timeUnixNano": "1544712660500000000",
            "name": "exception",
            "attributes": [{"key": "exception.type", "value": {"stringValue": "KeyError"}}],
        }
    ]
    links = [{"traceId": TRACE_ID, "spanId": PARENT_ID, "attributes": []}]
    (span,) = decode(json_body(json_span(events=events, links=links))).spans

    assert span.events[0].name == "exception"
    assert span.events[0].attributes == {"exception.type": "KeyError"}
    assert (span.links[0].trace_id, span.links[0].span_id) == (TRACE_ID, PARENT_ID)


def test_it_reads_legacy_instrumentation_library_spans() -> None:
    document = {
        "resourceSpans": [
            {
                "instrumentationLibrarySpans": [
                    {"instrumentationLibrary": {"name": "old.lib"}, "spans": [json_span()]}
                ]
            }
        ]
    }
    (span,) = decode(json.dumps(document).encode()).spans

    assert span.scope_name == "old.lib"


def test_it_decompresses_gzipped_json() -> None:
    body = gzip.compress(json_body(json_span()))
    assert len(decode(body, content_encoding="gzip").spans) == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "body is not valid JSON"),
        (b"\xff\xfe", "body is not valid JSON"),
        (b"[1, 2]", "JSON body must be an object with resourceSpans, got list"),
        (b'{"resourceSpans": {"a": 1}}', "resourceSpans must be a list, got dict"),
        (b'{"resourceSpans": [3]}', "resourceSpans entry must be a JSON object, got int"),
        (b'{"resourceSpans": [{"scopeSpans": [{"spans": 5}]}]}', "spans must be a list"),
        (b'{"resourceSpans": [{"resource": []}]}', "resource must be an object"),
        (b'{"resourceSpans": [{"scopeSpans": ["x"]}]}', "scopeSpans entry must be a JSON object"),
    ],
)
def test_it_refuses_a_body_of_the_wrong_shape(body: bytes, reason: str) -> None:
    with pytest.raises(OTLPDecodeError) as caught:
        decode(body)

    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"traceId": "not-hex-not-base64-at-all!!"}, "trace id must be 32 hex characters"),
        ({"traceId": None}, "trace id is missing"),
        ({"spanId": "zzzzzzzzzzzzzzzz"}, "span id must be 16 hex characters"),
        ({"startTimeUnixNano": "soon"}, "startTimeUnixNano must be an integer"),
        ({"kind": "SIDEWAYS"}, "kind must be one of"),
        ({"attributes": {"k": "v"}}, "attributes must be a list"),
        ({"attributes": [{"value": {"stringValue": "x"}}]}, "must be objects with a string key"),
        ({"attributes": [{"key": "k", "value": "plain"}]}, "must be an AnyValue object"),
        ({"attributes": [{"key": "k", "value": {"intValue": "1.5"}}]}, "intValue must be"),
        ({"name": 12}, "name must be a string"),
        ({"events": [{"name": "e", "timeUnixNano": []}]}, "event timeUnixNano must be"),
    ],
)
def test_it_rejects_a_malformed_span_and_says_which_field(
    overrides: dict[str, Any], reason: str
) -> None:
    batch = decode(json_body(json_span(**overrides), json_span(spanId="eee19b7ec3c1b175")))

    assert len(batch.spans) == 1
    assert batch.rejected_count == 1
    assert reason in batch.rejected[0]


def test_it_reads_an_empty_body_as_an_empty_export() -> None:
    assert decode(b"").spans == []
    assert decode(b"{}").spans == []
