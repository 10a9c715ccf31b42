"""The sessions and users views: traces grouped by `ag.session.id` or `ag.user.id`.

`GET /observability/sessions` and `GET /observability/users` list one line per session (or
user) of the traces the URL's filters match (the same filters as the trace list, so a
session list can be narrowed to one application or a time range): traces, traces with
errors, first and last seen, total duration, tokens and cost, most recently active first,
a page at a time. Each line links to the trace list filtered to that session or user.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.page_support import flash
from agenta.core.tracing.analytics import list_groups
from agenta.core.tracing.pages_filters import RANGE_LABELS, TraceFilters
from agenta.core.tracing.pages_support import render
from agenta.core.tracing.query_model import QueryError
from agenta.db import utcnow

VIEW = [requires(Permission.VIEW_SPANS)]
GROUPS = {
    "sessions": ("session_id", "Sessions", "session"),
    "users": ("user_id", "Users", "user"),
}


async def _groups_page(
    request: Request[Any, Any, Any], session: AsyncSession, principal: Principal, view: str
) -> Template:
    column, title, noun = GROUPS[view]
    path = f"/observability/{view}"
    filters = TraceFilters.from_params(request.query_params)
    context: dict[str, Any] = {
        "view": view,
        "title": title,
        "noun": noun,
        "column": column,
        "path": path,
        "filters": filters,
        "ranges": RANGE_LABELS,
        "groups": [],
        "next_url": None,
        "first_url": filters.url(path, without=("next",)) if filters.next else None,
    }
    try:
        query = filters.query(utcnow())
        found = await list_groups(session, principal.project_id, query, column)
    except QueryError as error:
        failed = [flash("error", f"This filter cannot be used: {error}")]
        return render(request, "groups.html", tab=view, status_code=400, flashes=failed, **context)
    context["groups"] = [
        (group, filters.url("/observability/traces", without=("next",), **{column: group.id}))
        for group in found.groups
    ]
    context["next_url"] = filters.url(path, next=found.next) if found.next else None
    return render(request, "groups.html", tab=view, **context)


@get("/observability/sessions", guards=VIEW, include_in_schema=False)
async def sessions_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _groups_page(request, db_session, principal, "sessions")


@get("/observability/users", guards=VIEW, include_in_schema=False)
async def users_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _groups_page(request, db_session, principal, "users")


ROUTES = [sessions_page, users_page]
