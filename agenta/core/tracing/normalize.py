"""Turn decoded OTLP spans (`RawSpan`) into normalised `Span`s.

One pass over a span's flat attributes: each key is routed by its first segment to the
conventions owning it (`conventions/`), which record its meaning in a `Draft`; keys no
convention claims are kept at their own nested path and listed in `mapping.unmapped`.
The draft then becomes a `Span`:
- inputs/outputs: `ag.data.*` as sent wins; otherwise the pieces a convention gathered
  (messages, tools, documents, ...) or, failing those, its raw input/output value;
- span type: an explicit type (`ag.type.node`, `openinference.span.kind`,
  `traceloop.span.kind`) wins over a hint (`gen_ai.operation.name`, `llm.request.type`);
  a span with a model but no type is a model call (`chat`, `completion` or `llm`);
- trace type: `ag.type.trace` if valid, `annotation` for a span linked to the invocation it
  scores (a link whose `key` is `invocation`), else `invocation`;
- model: response model, then request model, then the model in the span's parameters;
- cost: a reported cost (`ag.metrics.unit.costs.*`, `llm.cost.*`) is kept as is;
  otherwise, for model-call span types with a model and tokens, `cost_fn` prices it and
  `cost_details` records how (model, tokens by kind, prices used).
Tokens, costs, duration and errors are written to `ag.metrics.<metric>.incremental`
(cumulative values are added by `trees.py`).

The pricing table is not ours: callers pass `cost_fn(model, tokens) -> CostBreakdown | None`
(None for an unknown model), any object with `prompt`, `completion`, `total` (USD) and
optionally `prices` (the unit prices used) and `details`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from agenta.core.tracing.conventions import route
from agenta.core.tracing.conventions.draft import (
    ABSENT,
    DEFAULT_KEY,
    JSON_TAG,
    Draft,
    assign,
    decode_tagged,
    listify,
)
from agenta.core.tracing.raw import RawEvent, RawLink, RawSpan
from agenta.core.tracing.span import (
    MODEL_CALL_TYPES,
    SPAN_TYPES,
    TRACE_TYPES,
    Cost,
    MappingInfo,
    Span,
    TokenUsage,
)

_TOKEN_KINDS = ("prompt", "completion", "total", "cached", "reasoning", "cache_write")
_COST_KINDS = ("prompt", "completion", "total")
_SPAN_TYPE_ALIASES = {"retriever": "query", "reranker": "rerank", "embeddings": "embedding"}
_MODEL_PATHS = (
    ("meta", "response", "model"),
    ("meta", "request", "model"),
    ("data", "parameters", "model"),
    ("meta", "configuration", "model"),
    ("data", "parameters", "prompt", "llm_config", "model"),
    ("meta", "configuration", "prompt", "llm_config", "model"),
)


class CostBreakdown(Protocol):
    """What a pricing function returns: USD amounts for one model call."""

    @property
    def prompt(self) -> float: ...

    @property
    def completion(self) -> float: ...

    @property
    def total(self) -> float: ...


CostFn = Callable[[str, TokenUsage], CostBreakdown | None]


def normalize_spans(raw_spans: Iterable[RawSpan], cost_fn: CostFn | None = None) -> list[Span]:
    """Normalise a batch of spans (see `normalize_span`)."""
    return [normalize_span(raw, cost_fn) for raw in raw_spans]


def normalize_span(raw: RawSpan, cost_fn: CostFn | None = None) -> Span:
    """Map one raw span, in whatever convention, to a normalised `Span`."""
    draft, conventions, unmapped = _read(raw.attributes)
    _place_payloads(draft)
    model = _model(draft.ag)
    span_type = _span_type(draft, model)
    tokens = _token_usage(draft.tokens)
    cost, cost_details = _cost(draft.costs, model, tokens, span_type, cost_fn)
    duration_ms = (raw.end_time - raw.start_time).total_seconds() * 1000.0
    trace_type = _trace_type(draft.trace_type, raw.links)
    is_error = raw.status_code == "STATUS_CODE_ERROR"
    _write_canonical(draft, span_type, trace_type, tokens, cost, cost_details)
    _write_metrics(draft, tokens, cost, duration_ms, is_error)

    attributes: dict[str, Any] = {"ag": draft.ag}
    for _key, parts, value in unmapped:
        assign(attributes, parts, value)  # kept where they were sent, only nested
    events = [_event(event) for event in raw.events]
    return Span(
        trace_id=raw.trace_id,
        span_id=raw.span_id,
        parent_id=raw.parent_id,
        name=raw.name,
        kind=raw.kind,
        span_type=span_type,
        trace_type=trace_type,
        start_time=raw.start_time,
        end_time=raw.end_time,
        duration_ms=duration_ms,
        status_code=raw.status_code,
        status_message=raw.status_message,
        attributes=attributes,
        model=model,
        tokens=tokens,
        cost=cost,
        cost_details=cost_details,
        session_id=draft.session_id,
        user_id=draft.user_id,
        agent_id=draft.agent_id,
        references=[_reference(key, fields) for key, fields in draft.references.items()],
        events=events,
        links=[_link(link) for link in raw.links],
        exception=_exception(events),
        resource_attributes=raw.resource_attributes,
        scope_name=raw.scope_name,
        mapping=MappingInfo(tuple(conventions), tuple(key for key, _, _ in unmapped)),
    )


_Unmapped = list[tuple[str, list[str], Any]]


def _read(attributes: dict[str, Any]) -> tuple[Draft, list[str], _Unmapped]:
    draft = Draft()
    conventions: list[str] = []
    unmapped: _Unmapped = []
    for key, value in attributes.items():
        cls = value.__class__
        if cls is str:
            if value.startswith(JSON_TAG):
                value = decode_tagged(value)
        elif cls is dict:
            # Later keys may merge into this object; never modify the caller's RawSpan.
            value = copy.deepcopy(value)
        parts, owners = route(key)
        for convention in owners:
            if convention.claim(key, parts, value, draft):
                if convention.name not in conventions:
                    conventions.append(convention.name)
                break
        else:
            unmapped.append((key, parts, value))
    if draft.has_numbered_keys:
        draft.ag = listify(draft.ag)
    return draft, conventions, unmapped


def _place_payloads(draft: Draft) -> None:
    for (side, name), items in draft.indexed.items():
        parts = draft.inputs_parts if side == "inputs" else draft.outputs_parts
        parts[name] = listify(items)
    data = draft.ag.setdefault("data", {})
    if not isinstance(data, dict):
        data = draft.ag["data"] = {DEFAULT_KEY: data}
    _place(data, "inputs", draft.inputs_parts, draft.inputs_value, wrap=True)
    _place(data, "outputs", draft.outputs_parts, draft.outputs_value, wrap=False)


def _place(data: dict[str, Any], slot: str, parts: dict[str, Any], value: Any, wrap: bool) -> None:
    # Pieces (messages, documents, ...) supersede the raw value they were serialised into.
    existing = data.get(slot)
    if existing is not None:
        if parts and isinstance(existing, dict):
            for name, piece in parts.items():
                existing.setdefault(name, piece)
        return
    if parts:
        data[slot] = parts
    elif value is not ABSENT:
        data[slot] = {"input": value} if wrap and not isinstance(value, dict) else value


def _model(ag: dict[str, Any]) -> str | None:
    for path in _MODEL_PATHS:
        node: Any = ag
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, str) and node:
            return node
    return None


def _span_type(draft: Draft, model: str | None) -> str:
    explicit = _known_span_type(draft.span_type)
    if explicit and explicit != "unknown":
        return explicit
    hint = _known_span_type(draft.span_type_hint)
    if hint and hint != "unknown":
        return hint
    if model is None:
        return "unknown"
    prompt = draft.inputs_parts.get("prompt")
    if isinstance(prompt, str):
        return "completion"
    return "chat" if isinstance(prompt, list) else "llm"


def _known_span_type(value: str | None) -> str | None:
    if not value:
        return None
    lowered = value.lower()
    lowered = _SPAN_TYPE_ALIASES.get(lowered, lowered)
    return lowered if lowered in SPAN_TYPES else "unknown"


def _trace_type(explicit: str | None, links: list[RawLink]) -> str:
    if explicit in TRACE_TYPES:
        return explicit
    for link in links:
        if link.attributes.get("key") == "invocation":
            return "annotation"
    return "invocation"


def _token_usage(tokens: dict[str, float]) -> TokenUsage | None:
    if not any(kind in tokens for kind in _TOKEN_KINDS):
        return None
    counts = {kind: round(tokens.get(kind, 0)) for kind in _TOKEN_KINDS}
    if "total" not in tokens:
        counts["total"] = counts["prompt"] + counts["completion"]
    return TokenUsage(**counts)


def _cost(
    costs: dict[str, float],
    model: str | None,
    tokens: TokenUsage | None,
    span_type: str,
    cost_fn: CostFn | None,
) -> tuple[Cost | None, dict[str, Any] | None]:
    if any(kind in costs for kind in _COST_KINDS):
        prompt, completion = costs.get("prompt", 0.0), costs.get("completion", 0.0)
        cost = Cost(prompt, completion, costs.get("total", prompt + completion))
        return cost, {"source": "reported"}
    if cost_fn is None or model is None or tokens is None or span_type not in MODEL_CALL_TYPES:
        return None, None
    breakdown = cost_fn(model, tokens)
    if breakdown is None:
        return None, None
    cost = Cost(float(breakdown.prompt), float(breakdown.completion), float(breakdown.total))
    details: dict[str, Any] = {"source": "computed", "model": model, "tokens": tokens.as_dict()}
    details["prices"] = _plain(getattr(breakdown, "prices", None))
    if (extra := getattr(breakdown, "details", None)) is not None:
        details["details"] = _plain(extra)
    return cost, details


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else value


def _write_canonical(
    draft: Draft,
    span_type: str,
    trace_type: str,
    tokens: TokenUsage | None,
    cost: Cost | None,
    cost_details: dict[str, Any] | None,
) -> None:
    draft.ag["type"] = {"trace": trace_type, "span": span_type}
    if tokens is not None:
        extra = {k: v for k, v in draft.tokens.items() if k not in _TOKEN_KINDS}
        assign(draft.ag, ("metrics", "tokens", "incremental"), {**tokens.as_dict(), **extra})
    if cost is not None:
        extra = {k: v for k, v in draft.costs.items() if k not in _COST_KINDS}
        assign(draft.ag, ("metrics", "costs", "incremental"), {**cost.as_dict(), **extra})
    if cost_details is not None:
        draft.put_meta(("cost",), cost_details)


def _write_metrics(
    draft: Draft, tokens: TokenUsage | None, cost: Cost | None, duration_ms: float, error: bool
) -> None:
    assign(draft.ag, ("metrics", "duration", "incremental"), duration_ms)
    assign(draft.ag, ("metrics", "errors", "incremental"), 1 if error else 0)
    # Token or cost kinds that are not part of TokenUsage/Cost still deserve a home.
    if tokens is None and draft.tokens:
        assign(draft.ag, ("metrics", "tokens", "incremental"), dict(draft.tokens))
    if cost is None and draft.costs:
        assign(draft.ag, ("metrics", "costs", "incremental"), dict(draft.costs))


def _reference(key: str, fields: dict[str, str]) -> dict[str, Any]:
    return {
        "key": key,
        "id": fields.get("id"),
        "slug": fields.get("slug"),
        "version": fields.get("version"),
    }


def _event(event: RawEvent) -> dict[str, Any]:
    attributes = {key: decode_tagged(value) for key, value in event.attributes.items()}
    return {"name": event.name, "timestamp": event.timestamp, "attributes": attributes}


def _link(link: RawLink) -> dict[str, Any]:
    return {"trace_id": link.trace_id, "span_id": link.span_id, "attributes": link.attributes}


def _exception(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    for event in events:
        if event["name"] == "exception":
            attributes = event["attributes"]
            return {
                "type": attributes.get("exception.type"),
                "message": attributes.get("exception.message"),
                "stacktrace": attributes.get("exception.stacktrace"),
                "timestamp": event["timestamp"].isoformat(),
            }
    return None
