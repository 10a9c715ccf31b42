"""Plain Python spans as they arrive over OTLP, before any semantic mapping.

Both OTLP decoders (protobuf and JSON) produce the same `RawSpan` objects, so everything
downstream (normalisation, redaction, trees) is independent of the wire format. A RawSpan
keeps attribute keys exactly as sent (flat, dotted) with OTLP `AnyValue`s decoded to Python
values; arrays and key-value lists become lists and dicts.

Design notes:
- Ids are lowercase hex (32 chars for traces, 16 for spans), as Agenta's API returns them.
- Times are timezone-aware UTC datetimes (microsecond precision; nanoseconds are dropped).
- Values are JSON-safe by construction: bytes become base64 text, non-finite doubles become
  the strings "NaN"/"Infinity"/"-Infinity", and NUL characters are stripped from strings
  because PostgreSQL text and JSONB reject them.
- Resource attributes are one dict shared by all spans of that resource; treat it as
  read-only.
- A span that cannot be used (bad ids, no start time) is rejected on its own with a reason;
  only a body that cannot be read at all fails the whole request.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HEX_DIGITS = frozenset("0123456789abcdef")

SPAN_KINDS = (
    "SPAN_KIND_UNSPECIFIED",
    "SPAN_KIND_INTERNAL",
    "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",
    "SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER",
)
STATUS_CODES = ("STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR")


class OTLPDecodeError(ValueError):
    """The request body cannot be read as an OTLP trace export; `reason` says why.

    `status_code` is the HTTP status a route should answer with.
    """

    status_code = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OTLPPayloadTooLarge(OTLPDecodeError):
    """The body (compressed or decompressed) is over the configured size limit."""

    status_code = 413


class OTLPUnsupportedMediaType(OTLPDecodeError):
    """The Content-Type or Content-Encoding is not one OTLP/HTTP allows."""

    status_code = 415


class SpanRejected(ValueError):
    """One span is unusable; the decoder records the reason and moves on."""


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    """Guards applied while decoding one request."""

    max_body_bytes: int = 10 * 1024 * 1024
    max_decoded_bytes: int = 64 * 1024 * 1024
    max_spans: int = 50_000
    max_value_depth: int = 32


@dataclass(slots=True)
class RawEvent:
    """A span event (for example an `exception`) with decoded attributes."""

    name: str
    timestamp: datetime
    attributes: dict[str, Any]


@dataclass(slots=True)
class RawLink:
    """A link from a span to another span, possibly in another trace."""

    trace_id: str
    span_id: str
    attributes: dict[str, Any]


@dataclass(slots=True)
class RawSpan:
    """One OTLP span with decoded values and flat attribute keys."""

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    kind: str
    start_time: datetime
    end_time: datetime
    status_code: str
    status_message: str
    attributes: dict[str, Any]
    events: list[RawEvent] = field(default_factory=list)
    links: list[RawLink] = field(default_factory=list)
    resource_attributes: dict[str, Any] = field(default_factory=dict)
    scope_name: str = ""


@dataclass(slots=True)
class ExportBatch:
    """The spans decoded from one request, plus the reasons some were rejected."""

    spans: list[RawSpan] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    @property
    def rejected_count(self) -> int:
        """How many spans were present but unusable."""
        return len(self.rejected)

    def summary(self, max_reasons: int = 3) -> str:
        """A short human-readable message about rejected spans, or "" if none."""
        if not self.rejected:
            return ""
        shown = "; ".join(self.rejected[:max_reasons])
        more = len(self.rejected) - max_reasons
        suffix = f" (and {more} more)" if more > 0 else ""
        return f"{len(self.rejected)} span(s) rejected: {shown}{suffix}"


def nanos_to_datetime(nanos: int) -> datetime:
    """Convert OTLP nanoseconds since the Unix epoch to an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=nanos // 1000)


def clean_text(text: str) -> str:
    """Drop NUL characters, which PostgreSQL cannot store in text or JSONB."""
    return text.replace("\x00", "") if "\x00" in text else text


def json_safe_double(number: float) -> float | str:
    """Keep finite doubles; spell NaN and infinities as strings so JSON stays valid."""
    if math.isfinite(number):
        return number
    if math.isnan(number):
        return "NaN"
    return "Infinity" if number > 0 else "-Infinity"


def bytes_to_text(data: bytes) -> str:
    """Represent an attribute's raw bytes as base64, as OTLP/JSON does."""
    return base64.b64encode(data).decode("ascii")


def check_hex_id(value: str, length: int, what: str) -> str:
    """Return `value` lowercased if it is a non-zero hex id of `length` chars."""
    lowered = value.lower()
    if len(lowered) != length or not _HEX_DIGITS.issuperset(lowered):
        raise SpanRejected(f"{what} must be {length} hex characters, got {value[:40]!r}")
    if lowered.count("0") == length:
        raise SpanRejected(f"{what} is all zeros")
    return lowered


def span_kind_name(kind: int) -> str:
    """Map an OTLP span kind number to its enum name (unknown numbers -> UNSPECIFIED)."""
    return SPAN_KINDS[kind] if 0 <= kind < len(SPAN_KINDS) else SPAN_KINDS[0]


def status_code_name(code: int) -> str:
    """Map an OTLP status code number to its enum name (unknown numbers -> UNSET)."""
    return STATUS_CODES[code] if 0 <= code < len(STATUS_CODES) else STATUS_CODES[0]


def span_times(start_nanos: int, end_nanos: int) -> tuple[datetime, datetime]:
    """Validate and convert a span's start and end; an end before the start is clamped."""
    if start_nanos <= 0:
        raise SpanRejected("start time is missing")
    start = nanos_to_datetime(start_nanos)
    if end_nanos < start_nanos:
        return start, start
    return start, nanos_to_datetime(end_nanos)


def describe_span(name: str, span_id: str) -> str:
    """Name a span in an error message, even when its fields are odd."""
    label = name[:60] if name else "<unnamed>"
    return f"span {label!r} ({span_id[:32] or 'no span id'})"
