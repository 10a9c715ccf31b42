"""Tracing: OTLP decoding, span normalisation, trace trees and redaction.

Pure functions only (no database, no HTTP). The ingestion pipeline is:

    batch = decode_export_request(body, content_type, content_encoding)   # otlp.py
    spans = normalize_spans(batch.spans, cost_fn=...)                      # normalize.py
    spans = redact_spans(spans, compile_rules(project_rules))              # redaction.py
    trees = build_trees(spans)                                             # trees.py
    rows  = [span_to_dict(span) for tree in trees for span in tree.spans()]

and the read-back side renders stored spans with `build_trees` + `trace_response` /
`tracing_response`.
"""

from agenta.core.tracing.normalize import CostBreakdown, CostFn, normalize_span, normalize_spans
from agenta.core.tracing.otlp import (
    DecodeLimits,
    ExportBatch,
    OTLPDecodeError,
    OTLPPayloadTooLarge,
    OTLPUnsupportedMediaType,
    RawEvent,
    RawLink,
    RawSpan,
    decode_export_request,
    encode_export_response,
    encode_export_response_json,
)
from agenta.core.tracing.redaction import (
    RedactionRule,
    RedactionRuleError,
    Redactor,
    compile_rules,
    preview,
    redact_span,
    redact_spans,
)
from agenta.core.tracing.span import (
    Cost,
    MappingInfo,
    Span,
    TokenUsage,
    span_from_dict,
    span_to_dict,
)
from agenta.core.tracing.trees import (
    Rollup,
    SpanNode,
    TraceTree,
    build_trees,
    order_root_first,
    trace_response,
    tracing_response,
)

__all__ = [
    "Cost",
    "CostBreakdown",
    "CostFn",
    "DecodeLimits",
    "ExportBatch",
    "MappingInfo",
    "OTLPDecodeError",
    "OTLPPayloadTooLarge",
    "OTLPUnsupportedMediaType",
    "RawEvent",
    "RawLink",
    "RawSpan",
    "RedactionRule",
    "RedactionRuleError",
    "Redactor",
    "Rollup",
    "Span",
    "SpanNode",
    "TokenUsage",
    "TraceTree",
    "build_trees",
    "compile_rules",
    "decode_export_request",
    "encode_export_response",
    "encode_export_response_json",
    "normalize_span",
    "normalize_spans",
    "order_root_first",
    "preview",
    "redact_span",
    "redact_spans",
    "span_from_dict",
    "span_to_dict",
    "trace_response",
    "tracing_response",
]
