"""Reading traces over the API: queries, SDK read-backs, sessions, users, dashboard.

- `POST /api/spans/query`: flat spans, `{count, spans, windowing: {next}}`; with
  `formatting.focus = "trace"` it answers like `/api/traces/query`.
- `POST /api/traces/query`: `{count, traces: [{trace_id, spans: {name: node}}], windowing}`
  (trees, root first); `formatting.format = "summary"` gives each trace's root span only.
- `GET /api/traces/{id}` and `GET /api/tracing/traces/{id}`: the two read-back shapes the
  official SDK uses; 404 while the trace is not stored (yet): the SDK's evaluation runtime
  treats any failure as "not there yet" and polls again.
- `POST /api/spans/sessions/query`, `POST /api/spans/users/query`: summaries per session
  or user.
- `POST /api/spans/analytics/query`: dashboard buckets (`windowing.interval` in minutes).

Bodies take `windowing`, `filtering` (Agenta's DSL) and `filters` (flat), see
`query_model.py`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.tracing.analytics import Bucket, GroupSummary, dashboard, list_groups
from agenta.core.tracing.query import get_trace, load_trees, query_spans, query_traces
from agenta.core.tracing.query_model import query_from_body
from agenta.core.tracing.routes_common import client_errors, section, span_json, windowing
from agenta.core.tracing.trees import TraceTree, nested_spans, trace_response, tracing_response
from agenta.errors import AppError, NotFound

VIEW = [requires(Permission.VIEW_SPANS)]
TAGS = ["observability"]
DEFAULT_INTERVAL_MINUTES = 60


@post("/api/spans/query", guards=VIEW, status_code=200, tags=TAGS)
async def query_spans_route(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    data: JSONBody[dict[str, Any]],
) -> dict[str, Any]:
    """Spans matching the body's filters (or traces, with `formatting.focus = "trace"`)."""
    if section(data, "formatting").get("focus") == "trace":
        return await _traces(db_session, principal, data)
    with client_errors():
        page = await query_spans(db_session, principal.project_id, query_from_body(data))
    spans = [span_json(span) for span in page.spans]
    return {"count": len(spans), "spans": spans, "windowing": windowing(page.next)}


@post("/api/traces/query", guards=VIEW, status_code=200, tags=TAGS)
async def query_traces_route(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    data: JSONBody[dict[str, Any]],
) -> dict[str, Any]:
    """Traces matching the body's filters, as trees (or root summaries)."""
    return await _traces(db_session, principal, data)


async def _traces(
    session: AsyncSession, principal: Principal, body: dict[str, Any]
) -> dict[str, Any]:
    with client_errors():
        page = await query_traces(session, principal.project_id, query_from_body(body))
    if section(body, "formatting").get("format") == "summary":
        traces: list[dict[str, Any]] = [span_json(root) for root in page.spans]
    else:
        trees = await load_trees(session, principal.project_id, [r.trace_id for r in page.spans])
        traces = [{"trace_id": tree.trace_id, "spans": nested_spans(tree)} for tree in trees]
    return {"count": len(traces), "traces": traces, "windowing": windowing(page.next)}


@get("/api/traces/{trace_id:str}", guards=VIEW, tags=TAGS)
async def read_trace(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    trace_id: FromPath[str],
) -> dict[str, Any]:
    """`{count, trace: {trace_id, spans: {root name: node}}}` (the generated client's shape)."""
    return trace_response(await _stored_trace(db_session, principal, trace_id))


@get("/api/tracing/traces/{trace_id:str}", guards=VIEW, tags=TAGS)
async def read_tracing_trace(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    trace_id: FromPath[str],
) -> dict[str, Any]:
    """`{count, traces: {id: {spans: {root name: node}}}}` (the evaluation runtime's shape)."""
    return tracing_response(await _stored_trace(db_session, principal, trace_id))


async def _stored_trace(session: AsyncSession, principal: Principal, trace_id: str) -> TraceTree:
    tree = await get_trace(session, principal.project_id, trace_id)
    if tree is None:
        raise NotFound(f"No trace {trace_id} is stored in this project (yet)")
    return tree


@post("/api/spans/sessions/query", guards=VIEW, status_code=200, tags=TAGS)
async def query_sessions(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    data: JSONBody[dict[str, Any]],
) -> dict[str, Any]:
    """One summary per session, most recently active first."""
    return await _groups(db_session, principal, data, "session_id", "sessions")


@post("/api/spans/users/query", guards=VIEW, status_code=200, tags=TAGS)
async def query_users(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    data: JSONBody[dict[str, Any]],
) -> dict[str, Any]:
    """One summary per user, most recently active first."""
    return await _groups(db_session, principal, data, "user_id", "users")


async def _groups(
    session: AsyncSession, principal: Principal, body: dict[str, Any], by: str, name: str
) -> dict[str, Any]:
    with client_errors():
        page = await list_groups(session, principal.project_id, query_from_body(body), by)
    groups = [_group_json(group, by) for group in page.groups]
    return {"count": len(groups), name: groups, "windowing": windowing(page.next)}


def _group_json(group: GroupSummary, by: str) -> dict[str, Any]:
    return {
        by: group.id,
        "traces": group.traces,
        "errors": group.errors,
        "first_seen": group.first_seen.isoformat(),
        "last_seen": group.last_seen.isoformat(),
        "duration_ms": group.duration_ms,
        "tokens": group.tokens,
        "cost": group.cost,
    }


@post("/api/spans/analytics/query", guards=VIEW, status_code=200, tags=TAGS)
async def query_analytics(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    data: JSONBody[dict[str, Any]],
) -> dict[str, Any]:
    """Dashboard buckets over `windowing.oldest`..`newest`, `windowing.interval` minutes each."""
    window = section(data, "windowing")
    minutes = window.get("interval", DEFAULT_INTERVAL_MINUTES)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        raise AppError("windowing.interval must be a whole number of minutes (at least 1)")
    body = {**data, "windowing": {k: v for k, v in window.items() if k != "interval"}}
    with client_errors():
        query = query_from_body(body)
        buckets = await dashboard(
            db_session, principal.project_id, query, timedelta(minutes=minutes)
        )
    return {"count": len(buckets), "buckets": [_bucket_json(bucket) for bucket in buckets]}


def _bucket_json(bucket: Bucket) -> dict[str, Any]:
    return {
        "timestamp": bucket.start.isoformat(),
        "requests": bucket.requests,
        "errors": bucket.errors,
        "latency": {"p50": bucket.latency_p50_ms, "p95": bucket.latency_p95_ms},
        "tokens": bucket.tokens,
        "cost": bucket.cost,
    }


ROUTES = [
    query_spans_route,
    query_traces_route,
    read_trace,
    read_tracing_trace,
    query_sessions,
    query_users,
    query_analytics,
]
