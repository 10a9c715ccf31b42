"""Exporting every trace a query matches, as CSV or JSON Lines, streamed page by page.

`export_traces` walks all pages of `query_traces` (keyset cursor, `EXPORT_PAGE` traces at a
time), each page in a fresh short transaction, and yields encoded bytes as it goes, so an
export of a month of traffic starts at once and never sits in memory whole. It opens its
own sessions because a request's session is closed before a streaming body runs.

- JSON Lines: one line per trace, `{"trace_id", "spans": [flat span, ...]}`, root first,
  with everything a read-back has.
- CSV: one row per trace from its root (the trace's totals): ids, times, status, name,
  session/user, application/environment references, inputs and outputs (as JSON text),
  tokens, cost, errors. Text cells that a spreadsheet would run as a formula (starting
  with `=`, `+`, `-`, `@`) are prefixed with `'`.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from agenta.core.tracing.query import load_trees, query_traces
from agenta.core.tracing.query_model import Cursor, QueryError, SpanQuery
from agenta.core.tracing.span import Span, span_to_dict
from agenta.db import Database

EXPORT_FORMATS = ("csv", "jsonl")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
EXPORT_PAGE = 200
CSV_COLUMNS = (
    "trace_id",
    "start_time",
    "end_time",
    "duration_ms",
    "status_code",
    "status_message",
    "span_name",
    "span_type",
    "session_id",
    "user_id",
    "application",
    "environment",
    "inputs",
    "outputs",
    "tokens",
    "cost",
    "errors",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


async def export_traces(
    db: Database, project_id: uuid.UUID, query: SpanQuery, export_format: str
) -> AsyncIterator[bytes]:
    """Encoded chunks of every trace `query` matches (its cursor and limit are ignored)."""
    if export_format not in EXPORT_FORMATS:
        raise QueryError(f"format must be one of {', '.join(EXPORT_FORMATS)}")
    if export_format == "csv":
        yield _csv_line(CSV_COLUMNS)
    page_query = replace(query, limit=EXPORT_PAGE, cursor=None)
    cursor_text: str | None = None
    while True:
        async with db.session() as session:
            page = await query_traces(session, project_id, _at(page_query, cursor_text))
            if export_format == "jsonl":
                ids = [root.trace_id for root in page.spans]
                trees = await load_trees(session, project_id, ids)
                chunk = "".join(_jsonl_line(tree.trace_id, tree.spans()) for tree in trees)
            else:
                chunk = "".join(_csv_line(_csv_row(root)) for root in page.spans)
        yield chunk.encode()
        if page.next is None:
            return
        cursor_text = page.next


def _at(query: SpanQuery, cursor_text: str | None) -> SpanQuery:
    return replace(query, cursor=Cursor.decode(cursor_text) if cursor_text else None)


def _jsonl_line(trace_id: str, spans: list[Span]) -> str:
    return _ENCODER.encode({"trace_id": trace_id, "spans": [span_to_dict(s) for s in spans]}) + "\n"


def _csv_row(root: Span) -> list[Any]:
    metrics = root.attributes.get("ag", {}).get("metrics", {})
    references = {ref["key"]: ref.get("slug") or ref.get("id") for ref in root.references}
    tokens = (metrics.get("tokens") or {}).get("cumulative") or {}
    costs = (metrics.get("costs") or {}).get("cumulative") or {}
    return [
        root.trace_id,
        root.start_time.isoformat(),
        root.end_time.isoformat(),
        round(root.duration_ms, 3),
        root.status_code,
        _safe(root.status_message),
        _safe(root.name),
        root.span_type,
        _safe(root.session_id),
        _safe(root.user_id),
        _safe(references.get("application")),
        _safe(references.get("environment")),
        _json_cell(root.inputs),
        _json_cell(root.outputs),
        tokens.get("total", 0),
        costs.get("total", 0.0),
        (metrics.get("errors") or {}).get("cumulative", 0),
    ]


def _json_cell(value: Any) -> str:
    return "" if value is None else _ENCODER.encode(value)


def _safe(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _csv_line(cells: Any) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()
