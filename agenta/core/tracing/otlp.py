"""OTLP/HTTP trace ingestion: the one entry point from request bytes to `RawSpan`s.

`decode_export_request` picks the decoder from the Content-Type (protobuf, the default of
every OpenTelemetry exporter including the Agenta SDK's, or OTLP/JSON), undoes any
Content-Encoding (gzip, deflate, identity) under a decompressed-size cap, and returns an
`ExportBatch`. Errors are typed so a route maps them straight to a status code:
`OTLPDecodeError` (400), `OTLPPayloadTooLarge` (413), `OTLPUnsupportedMediaType` (415),
each with a `reason` fit to show the client.

`encode_export_response` / `encode_export_response_json` build the
`ExportTraceServiceResponse` body, filling `partial_success` when spans were rejected, as
the OTLP spec asks.
"""

from __future__ import annotations

import zlib

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTracePartialSuccess,
    ExportTraceServiceResponse,
)

from agenta.core.tracing.otlp_json import decode_json
from agenta.core.tracing.otlp_protobuf import decode_protobuf
from agenta.core.tracing.raw import (
    DecodeLimits,
    ExportBatch,
    OTLPDecodeError,
    OTLPPayloadTooLarge,
    OTLPUnsupportedMediaType,
    RawEvent,
    RawLink,
    RawSpan,
)

__all__ = [
    "PROTOBUF_MEDIA_TYPE",
    "DecodeLimits",
    "ExportBatch",
    "OTLPDecodeError",
    "OTLPPayloadTooLarge",
    "OTLPUnsupportedMediaType",
    "RawEvent",
    "RawLink",
    "RawSpan",
    "decode_export_request",
    "decompress",
    "encode_export_response",
    "encode_export_response_json",
    "media_type_of",
]

PROTOBUF_MEDIA_TYPE = "application/x-protobuf"
JSON_MEDIA_TYPE = "application/json"
_PROTOBUF_TYPES = frozenset((PROTOBUF_MEDIA_TYPE, "application/protobuf"))
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_ZLIB_OR_GZIP_WBITS = 32 + zlib.MAX_WBITS
_RAW_DEFLATE_WBITS = -zlib.MAX_WBITS


def decode_export_request(
    body: bytes,
    content_type: str | None = PROTOBUF_MEDIA_TYPE,
    content_encoding: str | None = None,
    limits: DecodeLimits | None = None,
) -> ExportBatch:
    """Decode an OTLP/HTTP trace export body into spans.

    A missing Content-Type is read as protobuf, the OTLP/HTTP default.
    Raises `OTLPDecodeError` (or a subclass) when the body as a whole cannot be used.
    """
    limits = limits or DecodeLimits()
    media_type = media_type_of(content_type)
    if len(body) > limits.max_body_bytes:
        raise OTLPPayloadTooLarge(
            f"body is {len(body)} bytes, over the {limits.max_body_bytes}-byte limit"
        )
    data = decompress(body, content_encoding, limits.max_decoded_bytes)
    if media_type == JSON_MEDIA_TYPE:
        return decode_json(data, limits)
    return decode_protobuf(data, limits)


def media_type_of(content_type: str | None) -> str:
    """Return the supported media type named by a Content-Type header, or raise 415."""
    if not content_type:
        return PROTOBUF_MEDIA_TYPE
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in _PROTOBUF_TYPES:
        return PROTOBUF_MEDIA_TYPE
    if media_type == JSON_MEDIA_TYPE:
        return JSON_MEDIA_TYPE
    raise OTLPUnsupportedMediaType(
        f"Content-Type {media_type!r} is not supported; "
        f"send {PROTOBUF_MEDIA_TYPE} or {JSON_MEDIA_TYPE}"
    )


def decompress(body: bytes, content_encoding: str | None, max_bytes: int) -> bytes:
    """Undo a Content-Encoding (possibly a comma-separated chain) within `max_bytes`."""
    if not content_encoding:
        return body
    codings = [coding.strip().lower() for coding in content_encoding.split(",")]
    # Codings are listed in the order they were applied, so undo them last-first.
    for coding in reversed(codings):
        if coding in ("", "identity"):
            continue
        if coding in ("gzip", "x-gzip"):
            body = _inflate(body, _GZIP_WBITS, "gzip", max_bytes)
        elif coding == "deflate":
            body = _inflate_deflate(body, max_bytes)
        else:
            raise OTLPUnsupportedMediaType(
                f"Content-Encoding {coding!r} is not supported; use gzip, deflate or identity"
            )
    return body


def _inflate_deflate(body: bytes, max_bytes: int) -> bytes:
    # HTTP "deflate" means zlib-wrapped data, but some clients send raw deflate streams.
    try:
        return _inflate(body, _ZLIB_OR_GZIP_WBITS, "deflate", max_bytes)
    except OTLPPayloadTooLarge:
        raise
    except OTLPDecodeError:
        return _inflate(body, _RAW_DEFLATE_WBITS, "deflate", max_bytes)


def _inflate(body: bytes, wbits: int, coding: str, max_bytes: int) -> bytes:
    output = bytearray()
    remaining = body
    while remaining:
        inflater = zlib.decompressobj(wbits)
        try:
            output += inflater.decompress(remaining, max_bytes + 1 - len(output))
        except zlib.error as error:
            raise OTLPDecodeError(f"body is not valid {coding} data: {error}") from error
        if len(output) > max_bytes:
            raise OTLPPayloadTooLarge(f"decompressed body is over the {max_bytes}-byte limit")
        if not inflater.eof:
            raise OTLPDecodeError(f"{coding} body is truncated")
        # A gzip body may hold several members back to back; keep going until done.
        remaining = inflater.unused_data
    return bytes(output)


def encode_export_response(rejected: int = 0, message: str = "") -> bytes:
    """Serialise a protobuf `ExportTraceServiceResponse` (empty when all spans were taken)."""
    return _response(rejected, message).SerializeToString()


def encode_export_response_json(rejected: int = 0, message: str = "") -> bytes:
    """Serialise the same response as OTLP/JSON (`{}` when all spans were taken)."""
    text = json_format.MessageToJson(_response(rejected, message), indent=None)
    return text.encode("utf-8")


def _response(rejected: int, message: str) -> ExportTraceServiceResponse:
    if rejected < 0:
        raise ValueError(f"rejected span count cannot be negative, got {rejected}")
    if not rejected and not message:
        return ExportTraceServiceResponse()
    partial = ExportTracePartialSuccess(rejected_spans=rejected, error_message=message)
    return ExportTraceServiceResponse(partial_success=partial)
