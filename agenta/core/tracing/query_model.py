"""What a span or trace query asks for, and how request bodies become one.

A `SpanQuery` is a time window (`oldest`/`newest` on start time), a list of `Condition`s
that must all hold, a sort key, an order, a page size and a cursor. Two spellings of
conditions are accepted and may be mixed:

- Agenta's filter DSL (`filtering: {operator: "and", conditions: [{field, key, operator,
  value}]}`, agenta-behaviour.md §2.6), for a supported subset of fields and operators;
- `filters`, a flat object for pages and scripts: `status`, `span_types`, `name`, `model`,
  `application`, `environment` (slug or id), `session_id`, `user_id`, `trace_type`,
  `search` (text in inputs/outputs), `min_/max_latency_ms`, `min_/max_cost`,
  `min_/max_tokens` (cost and tokens are the cumulative ones, so a trace's root carries
  its total).

Anything not understood is refused with `QueryError` naming it, never silently ignored:
a dropped filter would show a user data they did not ask for.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FIELDS = frozenset(
    (
        "trace_id",
        "span_id",
        "parent_id",
        "trace_type",
        "span_type",
        "span_kind",
        "span_name",
        "status_code",
        "status_message",
        "session_id",
        "user_id",
        "agent_id",
        "model",
        "start_time",
        "end_time",
        "duration",
        "attributes",
        "references",
        "content",
    )
)
OPERATORS = frozenset(
    (
        "is",
        "is_not",
        "eq",
        "neq",
        "gt",
        "lt",
        "gte",
        "lte",
        "btwn",
        "in",
        "not_in",
        "contains",
        "startswith",
        "endswith",
        "exists",
        "not_exists",
    )
)
SORTS = ("start_time", "duration", "cost", "tokens")
MAX_LIMIT = 1000
DEFAULT_LIMIT = 50
_STATUSES = {"error": "STATUS_CODE_ERROR", "ok": "STATUS_CODE_OK", "unset": "STATUS_CODE_UNSET"}


class QueryError(ValueError):
    """A query cannot be run as given; the message names the offending part."""


@dataclass(frozen=True, slots=True)
class Condition:
    """`field` (with `key` for attributes) compared to `value` by `operator`."""

    field: str
    operator: str
    value: Any = None
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the previous page ended: its last sort value and ids."""

    value: Any
    trace_id: str
    span_id: str

    def encode(self) -> str:
        """An opaque string for `windowing.next`."""
        raw = json.dumps([self.value, self.trace_id, self.span_id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Read back `encode`'s output; `QueryError` for anything else."""
        try:
            padded = text + "=" * (-len(text) % 4)
            value, trace_id, span_id = json.loads(base64.urlsafe_b64decode(padded))
        except (ValueError, TypeError, binascii.Error) as error:
            raise QueryError(
                f"windowing.next is not a cursor this API returned: {text[:40]!r}"
            ) from error
        return cls(value, str(trace_id), str(span_id))


@dataclass(frozen=True, slots=True)
class SpanQuery:
    """One page of spans (or traces) matching all conditions."""

    conditions: tuple[Condition, ...] = ()
    oldest: datetime | None = None
    newest: datetime | None = None
    sort: str = "start_time"
    descending: bool = True
    limit: int = DEFAULT_LIMIT
    cursor: Cursor | None = None


def query_from_body(body: dict[str, Any]) -> SpanQuery:
    """Build a `SpanQuery` from a request body (`windowing`, `filtering`, `filters`, `sort`)."""
    windowing = _mapping(body.get("windowing"), "windowing")
    conditions = [*_dsl(body.get("filtering")), *simple_conditions(body.get("filters"))]
    order = windowing.get("order", "descending")
    if order not in ("ascending", "descending", "asc", "desc"):
        raise QueryError("windowing.order must be 'ascending' or 'descending'")
    sort = body.get("sort") or "start_time"
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    cursor = windowing.get("next")
    return SpanQuery(
        conditions=tuple(conditions),
        oldest=_time(windowing.get("oldest"), "windowing.oldest"),
        newest=_time(windowing.get("newest"), "windowing.newest"),
        sort=sort,
        descending=order in ("descending", "desc"),
        limit=_limit(windowing.get("limit")),
        cursor=Cursor.decode(cursor) if cursor else None,
    )


def simple_conditions(filters: Any) -> list[Condition]:
    """Conditions for the flat `filters` object (see the module docstring)."""
    given = _mapping(filters, "filters")
    conditions: list[Condition] = []
    for name, value in given.items():
        if value is None or value == "" or value == []:
            continue
        builder = _SIMPLE.get(name)
        if builder is None:
            raise QueryError(f"unknown filter {name!r}; known: {', '.join(sorted(_SIMPLE))}")
        conditions.append(builder(value))
    return conditions


def _status(value: Any) -> Condition:
    status = _STATUSES.get(str(value).lower())
    if status is None:
        raise QueryError(f"filters.status must be one of {', '.join(_STATUSES)}, got {value!r}")
    return Condition("status_code", "is", status)


def _reference(key: str) -> Any:
    return lambda value: Condition("references", "in", [{"key": key, "value": str(value)}])


def _number(field_name: str, operator: str, filter_name: str) -> Any:
    def build(value: Any) -> Condition:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise QueryError(f"filters.{filter_name} must be a number, got {value!r}")
        return Condition(field_name, operator, value)

    return build


_SIMPLE: dict[str, Any] = {
    "status": _status,
    "span_types": lambda value: Condition("span_type", "in", _strings(value)),
    "trace_type": lambda value: Condition("trace_type", "is", str(value)),
    "name": lambda value: Condition("span_name", "contains", str(value)),
    "model": lambda value: Condition("model", "is", str(value)),
    "application": _reference("application"),
    "environment": _reference("environment"),
    "session_id": lambda value: Condition("session_id", "is", str(value)),
    "user_id": lambda value: Condition("user_id", "is", str(value)),
    "search": lambda value: Condition("content", "contains", str(value)),
    "min_latency_ms": _number("duration", "gte", "min_latency_ms"),
    "max_latency_ms": _number("duration", "lte", "max_latency_ms"),
    "min_cost": _number("cost", "gte", "min_cost"),
    "max_cost": _number("cost", "lte", "max_cost"),
    "min_tokens": _number("tokens", "gte", "min_tokens"),
    "max_tokens": _number("tokens", "lte", "max_tokens"),
}


def _dsl(filtering: Any) -> list[Condition]:
    block = _mapping(filtering, "filtering")
    if not block:
        return []
    operator = block.get("operator", "and")
    if operator != "and":
        raise QueryError(f"filtering.operator {operator!r} is not supported; use 'and'")
    conditions = block.get("conditions") or []
    if not isinstance(conditions, list):
        raise QueryError("filtering.conditions must be a list")
    return [_dsl_condition(item, index) for index, item in enumerate(conditions)]


def _dsl_condition(item: Any, index: int) -> Condition:
    where = f"filtering.conditions[{index}]"
    if not isinstance(item, dict):
        raise QueryError(f"{where} must be an object with field, operator and value")
    if "conditions" in item:
        raise QueryError(f"{where}: nested filtering is not supported")
    field_name, operator = item.get("field"), item.get("operator", "is")
    if field_name not in FIELDS:
        raise QueryError(f"{where}.field {field_name!r} is not supported")
    if operator not in OPERATORS:
        raise QueryError(f"{where}.operator {operator!r} is not supported")
    key = item.get("key")
    if field_name == "attributes" and not isinstance(key, str):
        raise QueryError(f"{where}: attributes conditions need a dotted 'key'")
    value = item.get("value")
    if field_name == "references":
        value = [
            _dsl_reference(ref, where) for ref in (value if isinstance(value, list) else [value])
        ]
    return Condition(field_name, operator, value, key)


def _dsl_reference(reference: Any, where: str) -> dict[str, str]:
    if not isinstance(reference, dict):
        raise QueryError(f"{where}: a reference must be an object with id or slug")
    key = (reference.get("attributes") or {}).get("key") or reference.get("key")
    value = reference.get("slug") or reference.get("id")
    if not key or not value:
        raise QueryError(f"{where}: a reference needs attributes.key and an id or slug")
    return {"key": str(key), "value": str(value)}


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise QueryError(f"{name} must be an object")
    return value


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(item) for item in items]


def _time(value: Any, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise QueryError(f"{name} must be an ISO 8601 time, got {value!r}") from error
    if parsed.tzinfo is None:
        raise QueryError(f"{name} must include a time zone (for example 'Z'), got {value!r}")
    return parsed


def _limit(value: Any) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise QueryError(f"windowing.limit must be a whole number from 1 to {MAX_LIMIT}")
    return value
