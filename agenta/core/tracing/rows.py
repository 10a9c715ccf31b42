"""Spans to table rows and back.

`span_row` flattens a normalised (and rolled-up) `Span` into the column values of
`SpanRecord`; `span_from_row` rebuilds the `Span` from a stored row. The two round-trip
exactly because both go through the library's flat form (`span_to_dict`/`span_from_dict`):
the columns hold its scalar fields, `details` holds the few keys only a read-back needs.

Derived columns are computed here, once, at write time: token and cost numbers for fast
sums, the roll-ups `trees.py` wrote into `ag.metrics.*.cumulative`, the invocation a span
links to (annotations), and `content`, the lowercased text of inputs and outputs that text
search scans (capped so a huge payload cannot make every search slow).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from agenta.core.tracing.models import LABEL_LENGTH, NAME_LENGTH
from agenta.core.tracing.span import Span, span_from_dict, span_to_dict

CONTENT_MAX_CHARS = 20_000
DETAIL_KEYS = ("tokens", "cost", "cost_details", "exception", "resource", "mapping")
_SCALAR_KEYS = (
    "trace_id",
    "span_id",
    "parent_id",
    "trace_type",
    "span_type",
    "span_kind",
    "span_name",
    "duration_ms",
    "status_code",
    "status_message",
    "session_id",
    "user_id",
    "agent_id",
    "model",
)
_TRUNCATED = {
    "span_name": NAME_LENGTH,
    "session_id": LABEL_LENGTH,
    "user_id": LABEL_LENGTH,
    "agent_id": LABEL_LENGTH,
    "model": LABEL_LENGTH,
}


def span_row(project_id: uuid.UUID, span: Span, now: datetime) -> dict[str, Any]:
    """The column values of `span` in `project_id` (`now` stamps created/updated)."""
    return {"project_id": project_id, **span_columns(span), "created_at": now, "updated_at": now}


def span_columns(span: Span) -> dict[str, Any]:
    """The span's own column values: all but `project_id`, `created_at` and `updated_at`."""
    flat = span_to_dict(span)
    row: dict[str, Any] = {}
    for key in _SCALAR_KEYS:
        row[key] = flat[key]
    for key, limit in _TRUNCATED.items():
        if row[key] is not None and len(row[key]) > limit:
            row[key] = row[key][:limit]
    row["start_time"] = span.start_time
    row["end_time"] = span.end_time
    row.update(_numbers(span))
    row.update(_invocation(span.links))
    row["attributes"] = flat["attributes"]
    row["references"] = flat["references"]
    row["links"] = flat["links"]
    row["events"] = flat["events"]
    row["details"] = {key: flat[key] for key in DETAIL_KEYS}
    row["content"] = span_content(span)
    return row


def span_from_row(row: Mapping[str, Any]) -> Span:
    """Rebuild the `Span` stored in `row` (a `SpanRecord` row mapping)."""
    flat: dict[str, Any] = {key: row[key] for key in _SCALAR_KEYS}
    flat["start_time"] = row["start_time"].isoformat()
    flat["end_time"] = row["end_time"].isoformat()
    flat["attributes"] = row["attributes"]
    flat["references"] = row["references"]
    flat["links"] = row["links"]
    flat["events"] = row["events"]
    flat.update(row["details"] or {})
    return span_from_dict(flat)


def span_content(span: Span) -> str:
    """Lowercased text of the span's inputs and outputs, for substring search."""
    pieces: list[str] = []
    size = 0
    for text in _texts([span.inputs, span.outputs]):
        pieces.append(text)
        size += len(text) + 1
        if size >= CONTENT_MAX_CHARS:
            break
    return "\n".join(pieces)[:CONTENT_MAX_CHARS].lower()


def _texts(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
        elif isinstance(item, int | float) and not isinstance(item, bool):
            yield str(item)


def _numbers(span: Span) -> dict[str, Any]:
    metrics = _child(span.attributes.get("ag"), "metrics")
    tokens = span.tokens
    return {
        "tokens_prompt": tokens.prompt if tokens else 0,
        "tokens_completion": tokens.completion if tokens else 0,
        "tokens_total": tokens.total if tokens else 0,
        "cost_total": span.cost.total if span.cost else 0.0,
        "cumulative_tokens": int(_cumulative(metrics, "tokens", "total")),
        "cumulative_cost": float(_cumulative(metrics, "costs", "total")),
        "cumulative_errors": int(_cumulative(metrics, "errors")),
        "cumulative_duration_ms": float(_cumulative(metrics, "duration", default=span.duration_ms)),
    }


def _child(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, dict) else None


def _cumulative(metrics: Any, metric: str, kind: str | None = None, default: float = 0.0) -> float:
    """`metrics.<metric>.cumulative[.<kind>]` when it is a number, else `default`."""
    node = _child(_child(metrics, metric), "cumulative")
    if kind is not None:
        node = _child(node, kind)
    cls = node.__class__
    return node if cls is int or cls is float else default  # type: ignore[no-any-return]


def _invocation(links: list[dict[str, Any]]) -> dict[str, str | None]:
    for link in links:
        if (link.get("attributes") or {}).get("key") == "invocation":
            return {
                "invocation_trace_id": link.get("trace_id"),
                "invocation_span_id": link.get("span_id"),
            }
    return {"invocation_trace_id": None, "invocation_span_id": None}
