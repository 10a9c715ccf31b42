"""The filter state of the observability pages, read from and written back to the URL.

Every filter of the trace explorer is a query parameter, so a filtered list is a link one
can share or bookmark, and the export, the next page, the sessions and users views and the
dashboard carry the same filters by building their links from the same `TraceFilters`:

- text and choices: `search` (text in inputs/outputs), `name`, `status` (error, ok,
  unset), `span_type`, `model`, `application`, `environment` (slug or id), `session_id`,
  `user_id`, `trace_type` (`invocation` when absent, `annotation`, or `all`);
- ranges: `min_/max_latency_ms`, `min_/max_cost` (USD), `min_/max_tokens`;
- time: `range` (a preset such as `24h`; `all` or absent means no bound) or explicit
  `since`/`until` (ISO 8601 or a browser's `datetime-local` value, read as UTC), which win
  over `range`;
- order and paging: `sort` (start_time, duration, cost, tokens), `order` (desc, asc),
  `limit`, and `next`, the cursor of the following page.

`TraceFilters.query(now)` turns the state into the `SpanQuery` of the query service, and
raises `QueryError` naming the parameter when a value cannot be used (a page shows it rather
than silently dropping the filter).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from agenta.core.tracing.query_model import (
    MAX_LIMIT,
    SORTS,
    Condition,
    Cursor,
    QueryError,
    SpanQuery,
    simple_conditions,
)

RANGES: dict[str, timedelta] = {
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
}
RANGE_LABELS = {
    "15m": "Last 15 minutes",
    "1h": "Last hour",
    "24h": "Last 24 hours",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "all": "All time",
}
TRACE_TYPES = ("invocation", "annotation", "all")
STATUSES = ("error", "ok", "unset")
PAGE_LIMIT = 50
_TEXT_FILTERS = (
    "search",
    "name",
    "status",
    "model",
    "application",
    "environment",
    "session_id",
    "user_id",
)
_NUMBER_FILTERS = ("min_latency_ms", "max_latency_ms", "min_cost", "max_cost")
_WHOLE_NUMBER_FILTERS = ("min_tokens", "max_tokens")


@dataclass(frozen=True, slots=True)
class TraceFilters:
    """What the explorer shows, as the raw text of the URL's query parameters."""

    search: str = ""
    name: str = ""
    status: str = ""
    span_type: str = ""
    model: str = ""
    application: str = ""
    environment: str = ""
    session_id: str = ""
    user_id: str = ""
    trace_type: str = ""
    min_latency_ms: str = ""
    max_latency_ms: str = ""
    min_cost: str = ""
    max_cost: str = ""
    min_tokens: str = ""
    max_tokens: str = ""
    range: str = ""
    since: str = ""
    until: str = ""
    sort: str = ""
    order: str = ""
    limit: str = ""
    next: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, Any], **defaults: str) -> TraceFilters:
        """The state in `params` (unknown parameters ignored), `defaults` for absent ones."""
        values = {
            field.name: str(params.get(field.name) or defaults.get(field.name, "")).strip()
            for field in fields(cls)
        }
        return cls(**values)

    def with_(self, **changes: str) -> TraceFilters:
        """A copy with some parameters changed (an empty string removes one)."""
        return replace(self, **changes)

    def params(self, *, without: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        """The non-empty parameters, in a stable order, for a URL."""
        return [
            (field.name, value)
            for field in fields(self)
            if (value := getattr(self, field.name)) and field.name not in without
        ]

    def url(
        self,
        path: str,
        *,
        without: tuple[str, ...] = (),
        extra: Mapping[str, str] | None = None,
        **changes: str,
    ) -> str:
        """`path` with this state (changed by `changes`, plus `extra`) as its query string."""
        pairs = self.with_(**changes).params(without=without) + list((extra or {}).items())
        query = urlencode(pairs)
        return f"{path}?{query}" if query else path

    @property
    def is_filtered(self) -> bool:
        """Whether any filter (not the order, paging or time range) is set."""
        ignored = ("range", "since", "until", "sort", "order", "limit", "next", "trace_type")
        return bool(self.params(without=ignored))

    def window(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        """The time window (oldest, newest) the state asks for."""
        since = _time(self.since, "since")
        until = _time(self.until, "until")
        if since is None and self.range not in ("", "all"):
            if self.range not in RANGES:
                known = ", ".join([*RANGES, "all"])
                raise QueryError(f"range must be one of {known}, got {self.range!r}")
            since = (until or now) - RANGES[self.range]
        if since is not None and until is not None and since >= until:
            raise QueryError("since must be before until")
        return since, until

    def conditions(self) -> tuple[Condition, ...]:
        """The filters as query conditions (`QueryError` names a value that is not usable)."""
        given: dict[str, Any] = {name: getattr(self, name) for name in _TEXT_FILTERS}
        if self.status and self.status not in STATUSES:
            raise QueryError(f"status must be one of {', '.join(STATUSES)}, got {self.status!r}")
        given["span_types"] = [self.span_type] if self.span_type else []
        trace_type = self.trace_type or "invocation"
        if trace_type not in TRACE_TYPES:
            raise QueryError(f"trace_type must be one of {', '.join(TRACE_TYPES)}")
        given["trace_type"] = "" if trace_type == "all" else trace_type
        for name in _NUMBER_FILTERS:
            given[name] = _number(getattr(self, name), name, float)
        for name in _WHOLE_NUMBER_FILTERS:
            given[name] = _number(getattr(self, name), name, int)
        return tuple(simple_conditions(given))

    def query(self, now: datetime, *, limit: int | None = None) -> SpanQuery:
        """The query service's `SpanQuery` for this state, at time `now`."""
        oldest, newest = self.window(now)
        sort = self.sort or "start_time"
        if sort not in SORTS:
            raise QueryError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
        if self.order not in ("", "desc", "asc"):
            raise QueryError(f"order must be desc or asc, got {self.order!r}")
        return SpanQuery(
            conditions=self.conditions(),
            oldest=oldest,
            newest=newest,
            sort=sort,
            descending=self.order != "asc",
            limit=limit or _page_limit(self.limit),
            cursor=Cursor.decode(self.next) if self.next else None,
        )


def _page_limit(raw: str) -> int:
    if not raw:
        return PAGE_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise QueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}, got {raw!r}")
    return int(raw)


def _number(raw: str, name: str, kind: type[int] | type[float]) -> int | float | None:
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        wanted = "a whole number" if kind is int else "a number"
        raise QueryError(f"{name} must be {wanted}, got {raw!r}") from None
    if value < 0:
        raise QueryError(f"{name} cannot be negative, got {raw!r}")
    return value


def _time(raw: str, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(f"{name} must be a date and time such as 2026-01-31T09:30") from None
    # A browser's datetime-local value has no zone; the pages show UTC, so it is UTC.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
