"""Reading spans and traces: filtered pages with keyset pagination, and whole traces.

- `query_spans`: spans matching every condition, in the time window, sorted.
- `query_traces`: the root spans of the traces in the window. Conditions on what describes
  the whole trace (its duration, cumulative cost, tokens and errors, session, user, trace
  type, times) apply to the root, which carries the trace's totals; each other condition
  must hold on some span of the trace (so "status is error" finds traces where any span
  failed, "model is gpt-4o" traces that called it, and both together traces that did
  both, whichever spans did what).
- `load_trees` / `get_trace`: whole traces as rolled-up trees (root first).

Pagination is by keyset: the order is (sort value, trace id, span id), and a page's cursor
is the last row's triple, so a page costs the same however deep it is and rows written
meanwhile never shift later pages.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import FromClause

from agenta.core.tracing.models import SpanRecord
from agenta.core.tracing.query_model import Cursor, QueryError, SpanQuery
from agenta.core.tracing.query_sql import conditions_sql, is_trace_level
from agenta.core.tracing.rows import span_from_row
from agenta.core.tracing.span import Span
from agenta.core.tracing.store import load_spans
from agenta.core.tracing.trees import TraceTree, build_trees

SPANS: FromClause = SpanRecord.__table__  # type: ignore[assignment]
SORT_COLUMNS = {
    "start_time": "start_time",
    "duration": "duration_ms",
    "cost": "cumulative_cost",
    "tokens": "cumulative_tokens",
}


@dataclass(frozen=True, slots=True)
class SpanPage:
    """One page of spans (or of trace roots), and the cursor of the next page."""

    spans: list[Span]
    next: str | None


async def query_spans(session: AsyncSession, project_id: uuid.UUID, query: SpanQuery) -> SpanPage:
    """A page of the project's spans matching `query`."""
    dialect = session.get_bind().dialect.name
    statement = select(SPANS).where(
        SPANS.c.project_id == project_id,
        *_window(SPANS, query),
        *conditions_sql(query.conditions, SPANS, dialect),
    )
    return await _page(session, statement, query)


async def query_traces(session: AsyncSession, project_id: uuid.UUID, query: SpanQuery) -> SpanPage:
    """A page of trace roots: traces in the window with a span matching every condition."""
    dialect = session.get_bind().dialect.name
    statement = select(SPANS).where(*root_clauses(project_id, query, dialect))
    return await _page(session, statement, query)


def root_clauses(project_id: uuid.UUID, query: SpanQuery, dialect: str) -> list[Any]:
    """`where` clauses over `SPANS` selecting the roots of the traces `query` matches."""
    on_root = tuple(condition for condition in query.conditions if is_trace_level(condition))
    on_any_span = tuple(condition for condition in query.conditions if condition not in on_root)
    clauses = [
        SPANS.c.project_id == project_id,
        SPANS.c.parent_id.is_(None),
        *_window(SPANS, query),
        *conditions_sql(on_root, SPANS, dialect),
    ]
    for index, condition in enumerate(on_any_span):
        matching = SPANS.alias(f"matching_{index}")
        bounds = [matching.c.start_time >= query.oldest] if query.oldest else []
        traces = select(matching.c.trace_id).where(
            matching.c.project_id == project_id,
            *bounds,
            *conditions_sql((condition,), matching, dialect),
        )
        clauses.append(SPANS.c.trace_id.in_(traces))
    return clauses


async def load_trees(
    session: AsyncSession, project_id: uuid.UUID, trace_ids: Iterable[str]
) -> list[TraceTree]:
    """The traces as rolled-up trees, in the order of `trace_ids` (missing ones skipped)."""
    wanted = list(dict.fromkeys(trace_ids))
    trees = {
        tree.trace_id: tree for tree in build_trees(await load_spans(session, project_id, wanted))
    }
    return [trees[trace_id] for trace_id in wanted if trace_id in trees]


async def get_trace(
    session: AsyncSession, project_id: uuid.UUID, trace_id: str
) -> TraceTree | None:
    """One trace as a tree, or None when the project has no span of it."""
    trees = await load_trees(session, project_id, [trace_id.replace("-", "").lower()])
    return trees[0] if trees else None


def _window(table: FromClause, query: SpanQuery) -> list[Any]:
    clauses = []
    if query.oldest is not None:
        clauses.append(table.c.start_time >= query.oldest)
    if query.newest is not None:
        clauses.append(table.c.start_time <= query.newest)
    return clauses


async def _page(session: AsyncSession, statement: Select[Any], query: SpanQuery) -> SpanPage:
    column = SPANS.c[SORT_COLUMNS[query.sort]]
    keys = (column, SPANS.c.trace_id, SPANS.c.span_id)
    if query.cursor is not None:
        after = (_cursor_value(query), query.cursor.trace_id, query.cursor.span_id)
        position = tuple_(*keys)
        statement = statement.where(position < after if query.descending else position > after)
    order = [key.desc() if query.descending else key.asc() for key in keys]
    statement = statement.order_by(*order).limit(query.limit + 1)
    rows = (await session.execute(statement)).mappings().all()
    spans = [span_from_row(row) for row in rows[: query.limit]]
    if len(rows) <= query.limit:
        return SpanPage(spans, None)
    last = rows[query.limit - 1]
    value = last[column.name]
    cursor = Cursor(
        value.isoformat() if isinstance(value, datetime) else value,
        last["trace_id"],
        last["span_id"],
    )
    return SpanPage(spans, cursor.encode())


def _cursor_value(query: SpanQuery) -> Any:
    assert query.cursor is not None
    value = query.cursor.value
    if query.sort == "start_time":
        try:
            return datetime.fromisoformat(str(value))
        except ValueError as error:
            raise QueryError("windowing.next does not belong to this sort order") from error
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QueryError("windowing.next does not belong to this sort order")
    return value
