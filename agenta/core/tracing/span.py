"""The normalised span: one shape for every span, whatever convention it was sent in.

`Span` is what normalisation produces and what trees, redaction, storage and the read-back
API consume. Its `attributes` are nested and decoded (`ag.data.outputs.x` becomes
`{"ag": {"data": {"outputs": {"x": ...}}}}`), with Agenta's canonical `ag` namespace filled
in from whichever convention the span used; attributes no convention understood stay at
their own (nested) path and are listed in `mapping.unmapped`.

The typed fields (span type, model, tokens, cost, session/user ids, references, ...) are
the columns a store indexes; `inputs`/`outputs`/`parameters`/`internals` are read from the
attributes so there is a single copy of the (possibly large) payloads.

`span_to_dict` / `span_from_dict` give the flat JSON form (Agenta's flat span: `span_name`,
`span_kind`, ISO timestamps, `references` as `[{id, slug, version, attributes: {key}}]`)
used for queue messages, storage and API responses, and round-trip exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

SPAN_TYPES = frozenset(
    (
        "workflow",
        "agent",
        "chain",
        "task",
        "tool",
        "llm",
        "embedding",
        "query",
        "completion",
        "chat",
        "rerank",
        "unknown",
    )
)
# Span types that stand for one call to a model, the only ones priced from tokens.
MODEL_CALL_TYPES = frozenset(("llm", "chat", "completion", "embedding", "query", "rerank"))
TRACE_TYPES = frozenset(("invocation", "annotation"))
ERROR_STATUS = "STATUS_CODE_ERROR"


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Token counts of one model call (or a sum of them).

    `cached` is the part of `prompt` read from a prompt cache and `reasoning` the part of
    `completion` spent on hidden reasoning; `cache_write` counts prompt tokens written to a
    cache (priced higher by some providers).
    """

    prompt: int = 0
    completion: int = 0
    total: int = 0
    cached: int = 0
    reasoning: int = 0
    cache_write: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(*(getattr(self, f.name) + getattr(other, f.name) for f in _TOKEN_FIELDS))

    def as_dict(self) -> dict[str, int]:
        """Prompt, completion and total always; the detail counts only when non-zero."""
        result = {"prompt": self.prompt, "completion": self.completion, "total": self.total}
        for name in ("cached", "reasoning", "cache_write"):
            if count := getattr(self, name):
                result[name] = count
        return result

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TokenUsage:
        """Build from `as_dict` output, ignoring unknown keys."""
        return cls(**{f.name: int(data.get(f.name) or 0) for f in _TOKEN_FIELDS})


_TOKEN_FIELDS = fields(TokenUsage)


@dataclass(frozen=True, slots=True)
class Cost:
    """A cost in USD, split into prompt and completion parts."""

    prompt: float = 0.0
    completion: float = 0.0
    total: float = 0.0

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.prompt + other.prompt,
            self.completion + other.completion,
            self.total + other.total,
        )

    def as_dict(self) -> dict[str, float]:
        """The three parts as a dict."""
        return {"prompt": self.prompt, "completion": self.completion, "total": self.total}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cost:
        """Build from `as_dict` output, ignoring unknown keys."""
        return cls(
            float(data.get("prompt") or 0.0),
            float(data.get("completion") or 0.0),
            float(data.get("total") or 0.0),
        )


@dataclass(frozen=True, slots=True)
class MappingInfo:
    """How a span was read: the conventions recognised and the attribute keys left as-is."""

    conventions: tuple[str, ...] = ()
    unmapped: tuple[str, ...] = ()


@dataclass(slots=True)
class Span:
    """A normalised span. `references` items are `{key, id, slug, version}` dicts."""

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    kind: str
    span_type: str
    trace_type: str
    start_time: datetime
    end_time: datetime
    duration_ms: float
    status_code: str
    status_message: str
    attributes: dict[str, Any]
    model: str | None = None
    tokens: TokenUsage | None = None
    cost: Cost | None = None
    cost_details: dict[str, Any] | None = None
    session_id: str | None = None
    user_id: str | None = None
    agent_id: str | None = None
    references: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    exception: dict[str, Any] | None = None
    resource_attributes: dict[str, Any] = field(default_factory=dict)
    scope_name: str = ""
    mapping: MappingInfo = field(default_factory=MappingInfo)

    @property
    def is_error(self) -> bool:
        """Whether the span ended with an error status."""
        return self.status_code == ERROR_STATUS

    @property
    def inputs(self) -> Any:
        """`attributes.ag.data.inputs`, or None."""
        return self._data("inputs")

    @property
    def outputs(self) -> Any:
        """`attributes.ag.data.outputs`, or None."""
        return self._data("outputs")

    @property
    def parameters(self) -> Any:
        """`attributes.ag.data.parameters`, or None."""
        return self._data("parameters")

    @property
    def internals(self) -> Any:
        """`attributes.ag.data.internals`, or None."""
        return self._data("internals")

    def _data(self, name: str) -> Any:
        data = self.attributes.get("ag", {}).get("data")
        return data.get(name) if isinstance(data, dict) else None


def span_to_dict(span: Span) -> dict[str, Any]:
    """The flat, JSON-ready form of a span (timestamps as ISO 8601 strings)."""
    return {
        "trace_id": span.trace_id,
        "span_id": span.span_id,
        "parent_id": span.parent_id,
        "trace_type": span.trace_type,
        "span_type": span.span_type,
        "span_kind": span.kind,
        "span_name": span.name,
        "start_time": span.start_time.isoformat(),
        "end_time": span.end_time.isoformat(),
        "duration_ms": span.duration_ms,
        "status_code": span.status_code,
        "status_message": span.status_message,
        "session_id": span.session_id,
        "user_id": span.user_id,
        "agent_id": span.agent_id,
        "model": span.model,
        "tokens": span.tokens.as_dict() if span.tokens else None,
        "cost": span.cost.as_dict() if span.cost else None,
        "cost_details": span.cost_details,
        "attributes": span.attributes,
        "references": [_reference_to_dict(ref) for ref in span.references],
        "links": span.links,
        "events": [_event_to_dict(event) for event in span.events],
        "exception": span.exception,
        "resource": {"attributes": span.resource_attributes, "scope": span.scope_name},
        "mapping": {
            "conventions": list(span.mapping.conventions),
            "unmapped": list(span.mapping.unmapped),
        },
    }


def span_from_dict(data: dict[str, Any]) -> Span:
    """Rebuild a `Span` from `span_to_dict` output."""
    resource = data.get("resource") or {}
    mapping = data.get("mapping") or {}
    return Span(
        trace_id=data["trace_id"],
        span_id=data["span_id"],
        parent_id=data.get("parent_id"),
        name=data.get("span_name") or "",
        kind=data.get("span_kind") or "SPAN_KIND_UNSPECIFIED",
        span_type=data.get("span_type") or "unknown",
        trace_type=data.get("trace_type") or "invocation",
        start_time=datetime.fromisoformat(data["start_time"]),
        end_time=datetime.fromisoformat(data["end_time"]),
        duration_ms=float(data.get("duration_ms") or 0.0),
        status_code=data.get("status_code") or "STATUS_CODE_UNSET",
        status_message=data.get("status_message") or "",
        attributes=data.get("attributes") or {},
        model=data.get("model"),
        tokens=TokenUsage.from_dict(data["tokens"]) if data.get("tokens") else None,
        cost=Cost.from_dict(data["cost"]) if data.get("cost") else None,
        cost_details=data.get("cost_details"),
        session_id=data.get("session_id"),
        user_id=data.get("user_id"),
        agent_id=data.get("agent_id"),
        references=[_reference_from_dict(ref) for ref in data.get("references") or ()],
        events=[_event_from_dict(event) for event in data.get("events") or ()],
        links=list(data.get("links") or ()),
        exception=data.get("exception"),
        resource_attributes=resource.get("attributes") or {},
        scope_name=resource.get("scope") or "",
        mapping=MappingInfo(
            tuple(mapping.get("conventions") or ()), tuple(mapping.get("unmapped") or ())
        ),
    )


def _reference_to_dict(reference: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": reference.get("id"),
        "slug": reference.get("slug"),
        "version": reference.get("version"),
        "attributes": {"key": reference["key"]},
    }


def _reference_from_dict(data: dict[str, Any]) -> dict[str, Any]:
    key = (data.get("attributes") or {}).get("key") or data.get("key")
    return {
        "key": key,
        "id": data.get("id"),
        "slug": data.get("slug"),
        "version": data.get("version"),
    }


def _event_to_dict(event: dict[str, Any]) -> dict[str, Any]:
    timestamp = event["timestamp"]
    return {**event, "timestamp": timestamp.isoformat()}


def _event_from_dict(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "timestamp": datetime.fromisoformat(data["timestamp"])}
