"""The ExportTraceServiceResponse bodies sent back to exporters."""

from __future__ import annotations

import json

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from agenta.core.tracing.otlp import encode_export_response, encode_export_response_json


def test_it_answers_a_full_success_with_an_empty_response() -> None:
    assert encode_export_response() == b""
    assert json.loads(encode_export_response_json()) == {}


def test_it_reports_rejected_spans_as_partial_success_in_protobuf() -> None:
    body = encode_export_response(2, "2 span(s) rejected: trace id is all zeros")
    response = ExportTraceServiceResponse.FromString(body)

    assert response.partial_success.rejected_spans == 2
    assert response.partial_success.error_message.startswith("2 span(s) rejected")


def test_it_reports_partial_success_in_otlp_json_spelling() -> None:
    document = json.loads(encode_export_response_json(1, "bad span"))

    assert document == {"partialSuccess": {"rejectedSpans": "1", "errorMessage": "bad span"}}


def test_it_refuses_a_negative_rejected_count() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        encode_export_response(-1, "")
