"""The trace explorer: the trace list with its filters, one trace, and the export.

- `GET /observability` leads to the trace list;
- `GET /observability/traces`: the traces matching the filters of the URL (see
  `pages_filters`), newest first by default, a page at a time (keyset cursor in `next`),
  with ticks to add traces to a test set, links to export every matching trace, and "Review in
  a queue", the new annotation queue form with the same filters;
- `GET /observability/traces/export?format=csv|jsonl&<filters>`: every trace the filters
  match, all pages, streamed as it is read;
- `GET /observability/traces/{trace_id}`: the span tree as a waterfall, each span
  expandable to its inputs and outputs (messages as messages, JSON as collapsible trees),
  parameters, cost explanation, mapping notes and raw JSON; the trace's annotations and a
  form to add one. `?span=<span_id>` opens that span. A trace of more than
  `INLINE_PANELS` spans renders only the opened span's details; the others link to theirs.

Trace content is rendered by templates with autoescaping and never marked safe.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.page_support import flash
from agenta.core.tracing.annotations import AnnotationFilter, query_annotations
from agenta.core.tracing.export import EXPORT_FORMATS, MEDIA_TYPES, export_traces
from agenta.core.tracing.pages_filters import (
    RANGE_LABELS,
    STATUSES,
    TRACE_TYPES,
    TraceFilters,
)
from agenta.core.tracing.pages_support import back_to, render
from agenta.core.tracing.pages_views import span_panel, trace_row, waterfall
from agenta.core.tracing.query import get_trace, query_traces
from agenta.core.tracing.query_model import SORTS, QueryError
from agenta.core.tracing.span import SPAN_TYPES
from agenta.db import utcnow
from agenta.errors import NotFound
from agenta.platform import Platform

VIEW = [requires(Permission.VIEW_SPANS)]
LIST_PATH = "/observability/traces"
REVIEW_PATH = "/annotations/new"
INLINE_PANELS = 300


@get("/observability", guards=VIEW, include_in_schema=False)
async def observability_home() -> Redirect:
    return Redirect(LIST_PATH, status_code=303)


@get(LIST_PATH, guards=VIEW, include_in_schema=False)
async def trace_list(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    filters = TraceFilters.from_params(request.query_params)
    context = _list_context(filters, principal)
    try:
        found = await query_traces(db_session, principal.project_id, filters.query(utcnow()))
    except QueryError as error:
        failed = [flash("error", f"This filter cannot be used: {error}")]
        return render(
            request, "traces.html", tab="traces", status_code=400, flashes=failed, **context
        )
    context["rows"] = [trace_row(root) for root in found.spans]
    context["next_url"] = filters.url(LIST_PATH, next=found.next) if found.next else None
    return render(request, "traces.html", tab="traces", **context)


def _list_context(filters: TraceFilters, principal: Principal) -> dict[str, Any]:
    exports = {
        export_format: filters.url(
            f"{LIST_PATH}/export", without=("next", "limit"), extra={"format": export_format}
        )
        for export_format in EXPORT_FORMATS
    }
    return {
        "filters": filters,
        "rows": [],
        "next_url": None,
        "first_url": filters.url(LIST_PATH, without=("next",)) if filters.next else None,
        "exports": exports,
        "ranges": RANGE_LABELS,
        "status_options": [(status, status) for status in STATUSES],
        "span_type_options": [(kind, kind) for kind in sorted(SPAN_TYPES)],
        "trace_type_options": [(kind, kind) for kind in TRACE_TYPES],
        "sort_options": [(sort, sort.replace("_", " ")) for sort in SORTS],
        "can_add_to_testsets": principal.can(Permission.EDIT_TESTSETS),
        # The new-queue form reads the same filter parameters (a link, not a call: no coupling).
        "review_url": filters.url(REVIEW_PATH, without=("next", "limit"))
        if principal.can(Permission.EDIT_ANNOTATIONS)
        else None,
    }


@get(f"{LIST_PATH}/export", guards=VIEW, include_in_schema=False)
async def trace_export(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
) -> Stream | Redirect:
    filters = TraceFilters.from_params(request.query_params)
    export_format = request.query_params.get("format") or "csv"
    try:
        if export_format not in EXPORT_FORMATS:
            raise QueryError(f"format must be one of {', '.join(EXPORT_FORMATS)}")
        query = filters.query(utcnow())
    except QueryError as error:
        return back_to(filters.url(LIST_PATH, without=("next",)), error=f"Cannot export: {error}")
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return Stream(
        export_traces(platform.db, principal.project_id, query, export_format),
        media_type=MEDIA_TYPES[export_format],
        headers={"Content-Disposition": f'attachment; filename="traces-{stamp}.{export_format}"'},
    )


@get(f"{LIST_PATH}/{{trace_id:str}}", guards=VIEW, include_in_schema=False)
async def trace_page(
    request: Request[Any, Any, Any],
    trace_id: FromPath[str],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    tree = await get_trace(db_session, principal.project_id, trace_id)
    if tree is None or tree.root is None:
        raise NotFound(f"No trace {trace_id} in this project (it may still be on its way)")
    chart = waterfall(tree)
    links = [{"trace_id": tree.trace_id}]
    annotations = await query_annotations(
        db_session, principal.project_id, AnnotationFilter(links=links)
    )
    opened = request.query_params.get("span") or tree.root.span.span_id
    # A huge trace would make a huge page: past INLINE_PANELS spans, only the opened span's
    # details are rendered and the others link to the page that opens them.
    detailed = [
        row for row in chart.rows if len(chart.rows) <= INLINE_PANELS or row.span.span_id == opened
    ]
    return render(
        request,
        "trace.html",
        tab="traces",
        tree=tree,
        root=tree.root.span,
        summary=trace_row(tree.root.span),
        waterfall=chart,
        panels={row.span.span_id: span_panel(row.span) for row in detailed},
        names={row.span.span_id: row.span.name for row in chart.rows},
        opened=opened,
        annotations=annotations,
        annotated=_annotated_link(tree.root.span.links),
        can_annotate=principal.can(Permission.EDIT_ANNOTATIONS),
        can_add_to_testsets=principal.can(Permission.EDIT_TESTSETS),
    )


def _annotated_link(links: list[dict[str, Any]]) -> dict[str, Any] | None:
    """For an annotation trace: the invocation it annotates."""
    for link in links:
        if (link.get("attributes") or {}).get("key") == "invocation":
            return link
    return None


ROUTES = [observability_home, trace_list, trace_export, trace_page]
