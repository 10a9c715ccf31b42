"""Aggregates over traces: sessions, users, and the dashboard's time buckets.

All of them read trace roots only: a root holds its trace's cumulative tokens, cost and
error count, and the session and user ids (promoted to the root at write time), so one
row per trace is enough.

- `list_groups(..., by="session_id" | "user_id")`: one summary per session or user (traces,
  traces with errors, first and last seen, total duration, tokens, cost), most recently
  active first, keyset-paginated on (last seen, id).
- `dashboard(...)`: for each `interval` from `oldest` to `newest`, requests, errors,
  latency p50/p95, tokens and cost of the invocation traces (annotations are not
  requests) that started in it. Empty buckets are
  included so a chart has no holes. Percentiles interpolate linearly between the two
  nearest values (`percentile_cont` on Postgres, the same formula in Python on SQLite,
  which has no percentile function).
- `trace_totals(...)`: the same measures summed over one window instead of bucketed, for
  alert rules: invocation traces, how many of them failed (their root span ended in error:
  a child error the application recovered from is not a failed request), latency p95 and
  cost, optionally for one application and/or environment (the `application` and
  `environment` filters of the explorer, so an id or a slug). On SQLite the p95 reads only
  the two ordered durations it interpolates between.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.tracing.query import SPANS, root_clauses
from agenta.core.tracing.query_model import Cursor, QueryError, SpanQuery, simple_conditions

GROUPS = ("session_id", "user_id")
MAX_BUCKETS = 1000
FAILED = "STATUS_CODE_ERROR"


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """One session (or user) and what its traces add up to."""

    id: str
    traces: int
    errors: int
    first_seen: datetime
    last_seen: datetime
    duration_ms: float
    tokens: int
    cost: float


@dataclass(frozen=True, slots=True)
class GroupPage:
    """A page of group summaries and the cursor of the next one."""

    groups: list[GroupSummary]
    next: str | None


@dataclass(frozen=True, slots=True)
class Bucket:
    """The traces that started in [start, start + interval)."""

    start: datetime
    requests: int
    errors: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    tokens: int
    cost: float


@dataclass(frozen=True, slots=True)
class TraceTotals:
    """The invocation traces that started in a window, summed up (see `trace_totals`)."""

    requests: int
    failed: int
    latency_p95_ms: float | None
    cost: float


async def list_groups(
    session: AsyncSession, project_id: uuid.UUID, query: SpanQuery, by: str
) -> GroupPage:
    """Sessions or users (`by`) of the traces `query` matches, most recently active first."""
    if by not in GROUPS:
        raise QueryError(f"group by one of {', '.join(GROUPS)}, not {by!r}")
    column = SPANS.c[by]
    last_seen = func.max(SPANS.c.start_time)
    dialect = session.get_bind().dialect.name
    statement = (
        select(
            column.label("id"),
            func.count().label("traces"),
            func.sum(case((SPANS.c.cumulative_errors > 0, 1), else_=0)).label("errors"),
            func.min(SPANS.c.start_time).label("first_seen"),
            last_seen.label("last_seen"),
            func.sum(SPANS.c.cumulative_duration_ms).label("duration_ms"),
            func.sum(SPANS.c.cumulative_tokens).label("tokens"),
            func.sum(SPANS.c.cumulative_cost).label("cost"),
        )
        .where(*root_clauses(project_id, query, dialect), column.is_not(None))
        .group_by(column)
    )
    if query.cursor is not None:
        after = (datetime.fromisoformat(str(query.cursor.value)), query.cursor.trace_id)
        statement = statement.having(tuple_(last_seen, column) < after)
    statement = statement.order_by(last_seen.desc(), column.desc()).limit(query.limit + 1)
    rows = (await session.execute(statement)).mappings().all()
    groups = [_group(row) for row in rows[: query.limit]]
    if len(rows) <= query.limit:
        return GroupPage(groups, None)
    last = groups[-1]
    return GroupPage(groups, Cursor(last.last_seen.isoformat(), last.id, "").encode())


def _group(row: Any) -> GroupSummary:
    return GroupSummary(
        id=row["id"],
        traces=int(row["traces"]),
        errors=int(row["errors"] or 0),
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        duration_ms=float(row["duration_ms"] or 0.0),
        tokens=int(row["tokens"] or 0),
        cost=float(row["cost"] or 0.0),
    )


async def dashboard(
    session: AsyncSession,
    project_id: uuid.UUID,
    query: SpanQuery,
    interval: timedelta,
) -> list[Bucket]:
    """Time buckets of `interval` over [query.oldest, query.newest) (both required)."""
    if query.oldest is None or query.newest is None:
        raise QueryError("the dashboard needs windowing.oldest and windowing.newest")
    if interval <= timedelta(0):
        raise QueryError("the bucket interval must be positive")
    count = math.ceil((query.newest - query.oldest) / interval)
    if count > MAX_BUCKETS:
        raise QueryError(
            f"{count} buckets is too many; use a longer interval (at most {MAX_BUCKETS})"
        )
    dialect = session.get_bind().dialect.name
    clauses = _invocation_roots(project_id, query, dialect)
    if dialect == "postgresql":
        filled = await _buckets_in_sql(session, clauses, query.oldest, interval)
    else:
        filled = await _buckets_in_python(session, clauses, query.oldest, interval)
    return [
        filled.get(index) or Bucket(query.oldest + index * interval, 0, 0, None, None, 0, 0.0)
        for index in range(max(count, 0))
    ]


def _invocation_roots(project_id: uuid.UUID, query: SpanQuery, dialect: str) -> list[Any]:
    """Roots of the invocation traces `query` matches that started in [oldest, newest)."""
    assert query.newest is not None
    return [
        *root_clauses(project_id, query, dialect),
        SPANS.c.start_time < query.newest,
        SPANS.c.trace_type == "invocation",
    ]


async def _buckets_in_sql(
    session: AsyncSession, clauses: list[Any], oldest: datetime, interval: timedelta
) -> dict[int, Bucket]:
    seconds = func.extract("epoch", SPANS.c.start_time - oldest)
    index = func.floor(seconds / interval.total_seconds()).label("bucket")
    statement = (
        select(
            index,
            func.count().label("requests"),
            func.sum(case((SPANS.c.cumulative_errors > 0, 1), else_=0)).label("errors"),
            func.percentile_cont(0.5).within_group(SPANS.c.cumulative_duration_ms).label("p50"),
            func.percentile_cont(0.95).within_group(SPANS.c.cumulative_duration_ms).label("p95"),
            func.sum(SPANS.c.cumulative_tokens).label("tokens"),
            func.sum(SPANS.c.cumulative_cost).label("cost"),
        )
        .where(*clauses)
        .group_by(index)
    )
    buckets: dict[int, Bucket] = {}
    for row in (await session.execute(statement)).mappings():
        position = int(row["bucket"])
        buckets[position] = Bucket(
            oldest + position * interval,
            int(row["requests"]),
            int(row["errors"] or 0),
            float(row["p50"]),
            float(row["p95"]),
            int(row["tokens"] or 0),
            float(row["cost"] or 0.0),
        )
    return buckets


async def _buckets_in_python(
    session: AsyncSession, clauses: list[Any], oldest: datetime, interval: timedelta
) -> dict[int, Bucket]:
    statement = select(
        SPANS.c.start_time,
        SPANS.c.cumulative_duration_ms,
        SPANS.c.cumulative_errors,
        SPANS.c.cumulative_tokens,
        SPANS.c.cumulative_cost,
    ).where(*clauses)
    grouped: dict[int, list[Any]] = {}
    for row in await session.execute(statement):
        grouped.setdefault((row[0] - oldest) // interval, []).append(row)
    buckets: dict[int, Bucket] = {}
    for position, rows in grouped.items():
        durations = sorted(row[1] for row in rows)
        buckets[position] = Bucket(
            oldest + position * interval,
            len(rows),
            sum(1 for row in rows if row[2] > 0),
            percentile(durations, 0.5),
            percentile(durations, 0.95),
            sum(row[3] for row in rows),
            sum(row[4] for row in rows),
        )
    return buckets


async def trace_totals(
    session: AsyncSession,
    project_id: uuid.UUID,
    oldest: datetime,
    newest: datetime,
    *,
    application: str | None = None,
    environment: str | None = None,
) -> TraceTotals:
    """Requests, failed ones, latency p95 and cost of the traces started in [oldest, newest).

    `application` and `environment` (an id or a slug) keep only the traces referencing them.
    """
    scope = simple_conditions({"application": application, "environment": environment})
    query = SpanQuery(conditions=tuple(scope), oldest=oldest, newest=newest)
    dialect = session.get_bind().dialect.name
    clauses = _invocation_roots(project_id, query, dialect)
    duration = SPANS.c.cumulative_duration_ms
    measures = [
        func.count().label("requests"),
        func.sum(case((SPANS.c.status_code == FAILED, 1), else_=0)).label("failed"),
        func.sum(SPANS.c.cumulative_cost).label("cost"),
    ]
    if dialect == "postgresql":
        measures.append(func.percentile_cont(0.95).within_group(duration).label("p95"))
    row = (await session.execute(select(*measures).where(*clauses))).mappings().one()
    requests = int(row["requests"])
    if dialect == "postgresql":
        p95 = None if row["p95"] is None else float(row["p95"])
    else:
        p95 = await _ordered_percentile(session, clauses, duration, requests, 0.95)
    return TraceTotals(requests, int(row["failed"] or 0), p95, float(row["cost"] or 0.0))


async def _ordered_percentile(
    session: AsyncSession, clauses: list[Any], column: Any, count: int, fraction: float
) -> float | None:
    """`percentile` of `count` rows, reading only the two values it interpolates between."""
    if count == 0:
        return None
    position = fraction * (count - 1)
    low = math.floor(position)
    statement = select(column).where(*clauses).order_by(column).offset(low).limit(2)
    values = [float(value) for value in await session.scalars(statement)]
    return percentile(values, position - low)


def percentile(ordered: list[float], fraction: float) -> float | None:
    """The `fraction` percentile of sorted values, interpolated (as `percentile_cont`)."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
