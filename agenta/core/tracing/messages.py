"""The span queue's message: one accepted export of one project, as rows ready to store.

Both queues (the `span_batches` table of embedded mode and the Redis stream of production
mode) carry the same bytes: `{"v": 2, "project_id": ..., "rows": [[column values], ...]}`.
Ingestion has already normalised, priced and redacted the spans and rolled the export's
traces up, so each row holds the `spans` column values (all but `project_id` and the
timestamps, in `QUEUED_COLUMNS` order). When the consumer finds a trace already complete in
the message (the common case: exporters send a trace when it ends) it writes the rows as
they are, without rebuilding a single span; otherwise it merges them with what is stored
(see `store.py`).

msgspec decodes the rows straight into `QueuedRow` structs and leaves the JSON columns as
raw JSON text (`msgspec.Raw`), so the consumer never parses or re-serialises the large
payloads: they go to the database as the text they arrived as.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec

from agenta.core.tracing.rows import span_columns, span_from_row
from agenta.core.tracing.span import Span
from agenta.core.tracing.trees import build_trees

VERSION = 2
JSON_COLUMNS = ("attributes", "references", "links", "events", "details")


class QueuedRow(msgspec.Struct, array_like=True, frozen=True):
    """The column values of one span, JSON columns still encoded."""

    trace_id: str
    span_id: str
    parent_id: str | None
    trace_type: str
    span_type: str
    span_kind: str
    span_name: str
    start_time: datetime
    end_time: datetime
    duration_ms: float
    status_code: str
    status_message: str
    session_id: str | None
    user_id: str | None
    agent_id: str | None
    model: str | None
    tokens_prompt: int
    tokens_completion: int
    tokens_total: int
    cost_total: float
    cumulative_tokens: int
    cumulative_cost: float
    cumulative_errors: int
    cumulative_duration_ms: float
    invocation_trace_id: str | None
    invocation_span_id: str | None
    attributes: msgspec.Raw
    references: msgspec.Raw
    links: msgspec.Raw
    events: msgspec.Raw
    details: msgspec.Raw
    content: str


QUEUED_COLUMNS: tuple[str, ...] = QueuedRow.__struct_fields__


class QueuedMessage(msgspec.Struct, frozen=True):
    """A decoded queue message: one project's rows."""

    v: int
    project_id: uuid.UUID
    rows: list[QueuedRow]


class MessageError(ValueError):
    """A queue message cannot be read; the message says what is wrong with it."""


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(QueuedMessage)
_json = msgspec.json.Decoder()


def encode_message(project_id: uuid.UUID, spans: Sequence[Span]) -> bytes:
    """The queue bytes for `spans` of `project_id`, rolled up within the export."""
    rows = []
    for tree in build_trees(spans):
        for span in tree.spans():
            columns = span_columns(span)
            rows.append([columns[name] for name in QUEUED_COLUMNS])
    return _encoder.encode({"v": VERSION, "project_id": str(project_id), "rows": rows})


def decode_message(data: bytes) -> QueuedMessage:
    """Read queue bytes back; raises `MessageError` for anything but a version-2 message."""
    try:
        message = _decoder.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise MessageError(
            f"span message is not valid JSON of the expected shape: {error}"
        ) from error
    if message.v != VERSION:
        raise MessageError(f"span message has version {message.v}; this server reads {VERSION}")
    return message


def row_values(row: QueuedRow) -> dict[str, Any]:
    """The row as column values, JSON columns decoded."""
    values = {name: getattr(row, name) for name in QUEUED_COLUMNS}
    for name in JSON_COLUMNS:
        values[name] = _json.decode(values[name])
    return values


def row_span(row: QueuedRow) -> Span:
    """The `Span` a queued row holds (for merging with stored spans)."""
    return span_from_row(row_values(row))
