"""The comparison page: two or more runs on one test set, side by side, with significance.

``GET /evaluations/compare?runs=<id>&runs=<id>`` (or ``runs=<id>,<id>``): the first run is the
baseline. For every evaluator and for cost and latency, each column's mean, its delta from the
baseline, the paired bootstrap 95% interval of the difference and the verdict (better, worse,
no significant difference); then the rows side by side (outputs and values), a page at a time.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.evaluations.api import parse_run_ids
from agenta.core.evaluations.comparison import compare_runs
from agenta.core.evaluations.page_support import back_to, render
from agenta.errors import AppError

VIEW = [requires(Permission.VIEW_EVALUATION_RUNS)]
ROWS_PER_PAGE = 100


@get("/evaluations/compare", guards=VIEW, include_in_schema=False)
async def compare_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template | Redirect:
    raw = ",".join(request.query_params.getall("runs", []))
    try:
        comparison = await compare_runs(db_session, principal.project_id, parse_run_ids(raw))
    except AppError as error:
        return back_to("/evaluations", error=error.detail)
    try:
        page = max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        page = 1
    start = (page - 1) * ROWS_PER_PAGE
    return render(
        request,
        "evaluations/compare.html",
        comparison=comparison,
        rows=comparison.rows[start : start + ROWS_PER_PAGE],
        first_row=start,
        page=page,
        pages=max(1, -(-len(comparison.rows) // ROWS_PER_PAGE)),
    )


ROUTES = [compare_page]
