"""The span queue's message: one accepted export of one project, as compact JSON bytes.

Both queues (the `span_batches` table of embedded mode and the Redis stream of production
mode) carry the same bytes: `{"v": 1, "project_id": ..., "spans": [flat span, ...]}`, the
spans in the flat form of `span_to_dict`, already normalised, priced and redacted, so the
consumer only rolls up and stores. msgspec encodes and decodes it several times faster than
the standard library, which matters on the ingestion hot path.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from agenta.core.tracing.span import Span, span_from_dict, span_to_dict

VERSION = 1
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


class MessageError(ValueError):
    """A queue message cannot be read; the message says what is wrong with it."""


@dataclass(frozen=True, slots=True)
class SpanMessage:
    """A decoded queue message."""

    project_id: uuid.UUID
    spans: list[Span]


def encode_message(project_id: uuid.UUID, spans: Sequence[Span]) -> bytes:
    """The queue bytes for `spans` of `project_id`."""
    body = {"v": VERSION, "project_id": str(project_id), "spans": [span_to_dict(s) for s in spans]}
    return _encoder.encode(body)


def decode_message(data: bytes) -> SpanMessage:
    """Read queue bytes back; raises `MessageError` for anything but a version-1 message."""
    try:
        body = _decoder.decode(data)
    except msgspec.DecodeError as error:
        raise MessageError(f"span message is not valid JSON: {error}") from error
    if not isinstance(body, dict) or body.get("v") != VERSION:
        raise MessageError("span message has no supported version (expected v=1)")
    try:
        project_id = uuid.UUID(str(body["project_id"]))
        spans = [span_from_dict(item) for item in body["spans"]]
    except (KeyError, TypeError, ValueError) as error:
        raise MessageError(f"span message is malformed: {error!r}") from error
    return SpanMessage(project_id, spans)
