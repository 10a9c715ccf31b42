"""View models of the observability pages: trace rows, the span tree as a waterfall, and
the explanations a span page gives (how a cost was computed, how the span was mapped).

- `trace_row(root)`: what the trace list shows of a trace, read from its root span, which
  carries the trace's cumulative latency, tokens, cost and error count;
- `waterfall(tree)`: every span, parents before children, with its depth in the tree and
  its bar (offset and width in percent of the trace's wall time), so one list is both the
  tree and the timing chart;
- `cost_view(span)`: where the cost came from (reported by the instrumentation, or
  computed from the price table with the model, the token kinds and the unit prices used),
  or why there is none;
- `mapping_view(span)`: the conventions the span was read with and the attributes that
  no convention understood (kept under their own names), so a missing field is explained;
- `span_panel(span)`: all of the above plus the payload sections and the raw JSON, what a
  span's expanded row shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agenta.core.tracing.pages_payloads import Section, payload_sections, pretty_json, short_text
from agenta.core.tracing.span import MODEL_CALL_TYPES, Span, span_to_dict
from agenta.core.tracing.trees import SpanNode, TraceTree

_TOKEN_LABELS = (
    ("prompt", "prompt"),
    ("cached", "cached prompt (read from cache)"),
    ("cache_write", "written to cache"),
    ("completion", "completion"),
    ("reasoning", "reasoning (part of completion)"),
    ("total", "total"),
)
_PRICE_LABELS = (
    ("input", "input"),
    ("cached_input", "cached input"),
    ("cache_write", "cache write"),
    ("output", "output"),
)


@dataclass(frozen=True, slots=True)
class TraceRow:
    """One line of the trace list."""

    trace_id: str
    name: str
    span_type: str
    start_time: datetime
    is_error: bool
    errors: int
    latency_ms: float
    tokens: int
    cost: float | None
    inputs: str
    outputs: str
    session_id: str | None
    user_id: str | None
    references: dict[str, str]


@dataclass(frozen=True, slots=True)
class SpanRow:
    """One span of the waterfall: the tree position and the timing bar."""

    span: Span
    depth: int
    children: int
    offset_pct: float
    width_pct: float
    duration_ms: float
    tokens: int
    cost: float | None


@dataclass(frozen=True, slots=True)
class Waterfall:
    """The spans of a trace in tree order, and the trace's wall time."""

    rows: list[SpanRow]
    start: datetime
    total_ms: float


@dataclass(frozen=True, slots=True)
class CostView:
    """How a span's cost was obtained: `source` is computed, reported or none."""

    source: str
    total: float | None
    model: str | None = None
    tokens: tuple[tuple[str, int], ...] = ()
    prices: tuple[tuple[str, float], ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class MappingView:
    """The conventions a span was read with and what they did not understand."""

    conventions: tuple[str, ...]
    unmapped: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SpanPanel:
    """Everything an expanded span shows."""

    inputs: list[Section]
    outputs: list[Section]
    parameters: list[Section]
    internals: list[Section]
    cost: CostView
    mapping: MappingView
    references: dict[str, str]
    raw: str


def cumulative(span: Span, metric: str, part: str | None = None) -> Any:
    """`attributes.ag.metrics.<metric>.cumulative[.<part>]`, or None."""
    node: Any = span.attributes.get("ag", {}).get("metrics", {}).get(metric, {})
    node = node.get("cumulative") if isinstance(node, dict) else None
    if part is not None:
        node = node.get(part) if isinstance(node, dict) else None
    return node


def trace_row(root: Span) -> TraceRow:
    """The trace list's line for the trace whose root is `root`."""
    cost = cumulative(root, "costs", "total")
    return TraceRow(
        trace_id=root.trace_id,
        name=root.name,
        span_type=root.span_type,
        start_time=root.start_time,
        is_error=root.is_error or bool(cumulative(root, "errors")),
        errors=int(cumulative(root, "errors") or 0),
        latency_ms=float(cumulative(root, "duration") or root.duration_ms),
        tokens=int(cumulative(root, "tokens", "total") or 0),
        cost=float(cost) if cost is not None else None,
        inputs=short_text(root.inputs),
        outputs=short_text(root.outputs),
        session_id=root.session_id,
        user_id=root.user_id,
        references=references_of(root),
    )


def references_of(span: Span) -> dict[str, str]:
    """The span's references as `{key: slug or id}` (version appended when known)."""
    found = {}
    for reference in span.references:
        label = reference.get("slug") or reference.get("id")
        if reference.get("key") and label:
            version = reference.get("version")
            found[str(reference["key"])] = f"{label} v{version}" if version else str(label)
    return found


def waterfall(tree: TraceTree) -> Waterfall:
    """The trace's spans with depth and timing bars (see the module docstring)."""
    nodes = _with_depth(tree)
    start = min(node.span.start_time for node, _ in nodes)
    end = max(node.cumulative.latest_end or node.span.end_time for node, _ in nodes)
    total_ms = max((end - start).total_seconds() * 1000.0, 0.0)
    rows = [_span_row(node, depth, start, total_ms) for node, depth in nodes]
    return Waterfall(rows, start, total_ms)


def _with_depth(tree: TraceTree) -> list[tuple[SpanNode, int]]:
    ordered: list[tuple[SpanNode, int]] = []
    stack = [(root, 0) for root in reversed(tree.roots)]
    while stack:
        node, depth = stack.pop()
        ordered.append((node, depth))
        stack.extend((child, depth + 1) for child in reversed(node.children))
    return ordered


def _span_row(node: SpanNode, depth: int, start: datetime, total_ms: float) -> SpanRow:
    span = node.span
    offset_ms = (span.start_time - start).total_seconds() * 1000.0
    if total_ms > 0:
        offset = min(max(offset_ms / total_ms * 100.0, 0.0), 100.0)
        width = min(max(span.duration_ms / total_ms * 100.0, 0.0), 100.0 - offset)
    else:
        offset, width = 0.0, 100.0
    rollup = node.cumulative
    return SpanRow(
        span=span,
        depth=depth,
        children=len(node.children),
        offset_pct=round(offset, 3),
        width_pct=round(width, 3),
        duration_ms=span.duration_ms,
        tokens=rollup.tokens.total if rollup.tokens else 0,
        cost=rollup.cost.total if rollup.cost else None,
    )


def cost_view(span: Span) -> CostView:
    """Where the span's own cost came from, or why it has none."""
    details = span.cost_details or {}
    total = span.cost.total if span.cost else None
    if span.cost is not None and details.get("source") == "computed":
        return CostView(
            source="computed",
            total=total,
            model=details.get("model") or span.model,
            tokens=_labelled(details.get("tokens") or {}, _TOKEN_LABELS),
            prices=_labelled(details.get("prices") or {}, _PRICE_LABELS),
        )
    if span.cost is not None:
        return CostView(source="reported", total=total, model=span.model)
    return CostView(source="none", total=None, model=span.model, reason=_no_cost_reason(span))


def _labelled(values: dict[str, Any], labels: tuple[tuple[str, str], ...]) -> tuple[Any, ...]:
    return tuple(
        (label, values[key])
        for key, label in labels
        if isinstance(values.get(key), int | float) and (values[key] or key == "total")
    )


def _no_cost_reason(span: Span) -> str:
    if span.span_type not in MODEL_CALL_TYPES:
        return f"a {span.span_type} span is not a model call; its cost is the sum of its children"
    if span.model is None:
        return "no model was recorded, so there is no price to apply"
    if span.tokens is None:
        return "no token counts were recorded, so there is nothing to price"
    return f"the price table has no price for {span.model}"


def mapping_view(span: Span) -> MappingView:
    """The conventions and unmapped attribute keys of the span."""
    return MappingView(span.mapping.conventions, span.mapping.unmapped)


def span_panel(span: Span) -> SpanPanel:
    """The expanded view of one span."""
    return SpanPanel(
        inputs=payload_sections(span.inputs),
        outputs=payload_sections(span.outputs),
        parameters=payload_sections(span.parameters),
        internals=payload_sections(span.internals),
        cost=cost_view(span),
        mapping=mapping_view(span),
        references=references_of(span),
        raw=pretty_json(span_to_dict(span)),
    )
