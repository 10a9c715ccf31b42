"""Trace trees: parent/child structure, cumulative metrics and the SDK read-back shapes.

`build_trees(spans)` groups normalised spans by trace, links children to parents and
orders everything root-first (true roots before orphans whose parent is not in the set,
then by start time). A span whose parent is missing becomes a root, and parent cycles in
malformed input are broken at their earliest span, so every span appears exactly once.

Roll-ups (bottom-up, no recursion so deep agent traces are fine) write into each span's
`ag.metrics.<metric>.cumulative`:
- tokens and costs: the span's own plus all descendants';
- errors: how many spans in the subtree ended in error;
- duration: wall time from the span's start to the latest end in its subtree (children of
  async work can outlive their parent).
The root's trace type is propagated to every span of the tree, and session/user/agent ids
set on a descendant are promoted to a root that lacks them, as Agenta stores them on the root.

Roll-ups are only as complete as the spans given: an ingestion path that receives a trace
in several batches must rebuild the tree from all stored spans of that trace.

`trace_response` and `tracing_response` render the two shapes the Agenta SDK reads back
(see agenta-sdk-contract.md §4).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from agenta.core.tracing.conventions.draft import assign
from agenta.core.tracing.span import Cost, Span, TokenUsage, span_to_dict

# The SDK's pydantic models accept only UUID ids and URL-safe slugs in references.
_URL_SAFE_SLUG = re.compile(r"^[a-zA-Z0-9_\-][a-zA-Z0-9_.\-]*$")
_Summable = TypeVar("_Summable", TokenUsage, Cost)


@dataclass(slots=True)
class Rollup:
    """Cumulative metrics of a span and its descendants."""

    tokens: TokenUsage | None = None
    cost: Cost | None = None
    errors: int = 0
    duration_ms: float = 0.0
    latest_end: datetime | None = None


@dataclass(slots=True)
class SpanNode:
    """A span with its children (ordered by start time) and its roll-up."""

    span: Span
    children: list[SpanNode] = field(default_factory=list)
    cumulative: Rollup = field(default_factory=Rollup)


@dataclass(slots=True)
class TraceTree:
    """All spans of one trace, as a forest whose first root is the trace's root."""

    trace_id: str
    roots: list[SpanNode]

    @property
    def root(self) -> SpanNode | None:
        """The first root (the trace's root span when it is present)."""
        return self.roots[0] if self.roots else None

    def nodes(self) -> Iterator[SpanNode]:
        """Every node, depth-first, parents before children, root first."""
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def spans(self) -> list[Span]:
        """Every span, root first (see `nodes`)."""
        return [node.span for node in self.nodes()]


def build_trees(spans: Iterable[Span]) -> list[TraceTree]:
    """Build one rolled-up tree per trace, in order of first appearance.

    The spans are updated in place (cumulative metrics, trace type, root ids). A span id
    given twice keeps its last version, as an idempotent re-ingest would.
    """
    by_trace: dict[str, dict[str, Span]] = {}
    for span in spans:
        by_trace.setdefault(span.trace_id, {})[span.span_id] = span
    return [_build(trace_id, list(members.values())) for trace_id, members in by_trace.items()]


def order_root_first(spans: Iterable[Span]) -> list[Span]:
    """The spans of any number of traces, each trace root first (no roll-up)."""
    ordered: list[Span] = []
    by_trace: dict[str, dict[str, Span]] = {}
    for span in spans:
        by_trace.setdefault(span.trace_id, {})[span.span_id] = span
    for trace_id, members in by_trace.items():
        ordered.extend(TraceTree(trace_id, _link(list(members.values()))).spans())
    return ordered


def _build(trace_id: str, spans: list[Span]) -> TraceTree:
    tree = TraceTree(trace_id, _link(spans))
    nodes = list(tree.nodes())
    _roll_up(nodes)
    _propagate_from_roots(tree)
    return tree


def _link(spans: list[Span]) -> list[SpanNode]:
    nodes = {span.span_id: SpanNode(span) for span in spans}
    roots: list[SpanNode] = []
    for node in nodes.values():
        parent = nodes.get(node.span.parent_id) if node.span.parent_id else None
        if parent is None or parent is node:
            roots.append(node)
        else:
            parent.children.append(node)
    _break_cycles(nodes, roots)
    roots.sort(key=_root_order)
    for node in nodes.values():
        node.children.sort(key=_start_order)
    return roots


def _break_cycles(nodes: dict[str, SpanNode], roots: list[SpanNode]) -> None:
    reached = _reachable(roots)
    while len(reached) < len(nodes):
        stranded = [node for span_id, node in nodes.items() if span_id not in reached]
        cut = min(stranded, key=_start_order)
        nodes[cut.span.parent_id].children.remove(cut)  # type: ignore[index]
        roots.append(cut)
        reached |= _reachable([cut])


def _reachable(roots: list[SpanNode]) -> set[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node.span.span_id not in seen:
            seen.add(node.span.span_id)
            stack.extend(node.children)
    return seen


def _start_order(node: SpanNode) -> tuple[datetime, str]:
    return node.span.start_time, node.span.span_id


def _root_order(node: SpanNode) -> tuple[bool, datetime, str]:
    return node.span.parent_id is not None, node.span.start_time, node.span.span_id


def _roll_up(nodes_parents_first: list[SpanNode]) -> None:
    for node in reversed(nodes_parents_first):
        span = node.span
        tokens, cost, errors = span.tokens, span.cost, int(span.is_error)
        latest_end = span.end_time
        for child in node.children:
            rollup = child.cumulative
            tokens = _add(tokens, rollup.tokens)
            cost = _add(cost, rollup.cost)
            errors += rollup.errors
            if rollup.latest_end is not None and rollup.latest_end > latest_end:
                latest_end = rollup.latest_end
        duration_ms = (latest_end - span.start_time).total_seconds() * 1000.0
        node.cumulative = Rollup(tokens, cost, errors, duration_ms, latest_end)
        _write_cumulative(span, node.cumulative)


def _add(left: _Summable | None, right: _Summable | None) -> _Summable | None:
    if left is None:
        return right
    if right is None:
        return left
    return left + right


def _write_cumulative(span: Span, rollup: Rollup) -> None:
    ag = span.attributes.setdefault("ag", {})
    assign(ag, ("metrics", "duration", "cumulative"), rollup.duration_ms)
    assign(ag, ("metrics", "errors", "cumulative"), rollup.errors)
    if rollup.tokens is not None:
        assign(ag, ("metrics", "tokens", "cumulative"), rollup.tokens.as_dict())
    if rollup.cost is not None:
        assign(ag, ("metrics", "costs", "cumulative"), rollup.cost.as_dict())


def _propagate_from_roots(tree: TraceTree) -> None:
    for root in tree.roots:
        _promote_ids(root)
        stack = list(root.children)
        while stack:
            node = stack.pop()
            node.span.trace_type = root.span.trace_type
            assign(node.span.attributes, ("ag", "type", "trace"), root.span.trace_type)
            stack.extend(node.children)


def _promote_ids(root: SpanNode) -> None:
    names = [name for name in ("session_id", "user_id", "agent_id") if not getattr(root.span, name)]
    if not names:
        return
    for node in TraceTree(root.span.trace_id, [root]).nodes():
        for name in list(names):
            if value := getattr(node.span, name):
                setattr(root.span, name, value)
                names.remove(name)
        if not names:
            return


def trace_response(tree: TraceTree | None) -> dict[str, Any]:
    """The body of `GET /api/traces/{trace_id}`: `{count, trace: {trace_id, spans}}`."""
    if tree is None or not tree.roots:
        return {"count": 0, "trace": None}
    return {"count": 1, "trace": {"trace_id": tree.trace_id, "spans": nested_spans(tree)}}


def tracing_response(tree: TraceTree | None) -> dict[str, Any]:
    """The body of `GET /api/tracing/traces/{trace_id}`: `{count, traces: {id: {spans}}}`."""
    if tree is None or not tree.roots:
        return {"count": 0, "traces": {}}
    return {"count": 1, "traces": {tree.trace_id: {"spans": nested_spans(tree)}}}


def nested_spans(tree: TraceTree) -> dict[str, Any]:
    """Spans keyed by name, children under `spans`, root first; same-name siblings -> list."""
    rendered: dict[int, dict[str, Any]] = {}
    for node in reversed(list(tree.nodes())):
        flat = read_back_span(node.span)
        if node.children:
            flat["spans"] = _by_name(node.children, rendered)
        rendered[id(node)] = flat
    return _by_name(tree.roots, rendered)


def _by_name(nodes: list[SpanNode], rendered: dict[int, dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for node in nodes:
        name, flat = node.span.name, rendered[id(node)]
        if name not in result:
            result[name] = flat
        elif isinstance(result[name], list):
            result[name].append(flat)
        else:
            result[name] = [result[name], flat]
    return result


def read_back_span(span: Span) -> dict[str, Any]:
    """The flat span as the SDK reads it: references made safe for its strict models."""
    flat = span_to_dict(span)
    flat["references"] = [_safe_reference(reference) for reference in flat["references"]]
    return flat


def _safe_reference(reference: dict[str, Any]) -> dict[str, Any]:
    # Keep what the SDK would refuse (a non-UUID id, a slug with spaces) in `attributes`.
    attributes = dict(reference["attributes"])
    safe = {"id": reference["id"], "slug": reference["slug"], "version": reference["version"]}
    if safe["id"] is not None and not _is_uuid(safe["id"]):
        attributes["id"] = safe.pop("id")
    if safe["slug"] is not None and not _URL_SAFE_SLUG.match(safe["slug"]):
        attributes["slug"] = safe.pop("slug")
    return {**safe, "attributes": attributes}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
