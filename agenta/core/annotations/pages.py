"""The annotation queue pages: the list, a new queue, a queue's progress and results, the export.

- ``GET /annotations``: the project's queues with their progress;
- ``GET /annotations/new``: the new-queue form. Its trace filter (the trace explorer's fields,
  also read from the URL, so the explorer's "Review in a queue" links here with its filters)
  lists the matching traces before the queue is made from them; a queue can also review a
  finished run's rows, compare two runs side by side (A/B) or review a test set;
- ``POST /annotations``: create the queue and go to it;
- ``GET /annotations/{id}``: progress per annotator, the answers to each question with the
  agreement between reviewers, A/B tallies, judge-versus-human agreement;
- ``GET /annotations/{id}/export``: every review as CSV; ``POST /annotations/{id}/delete``.

Reading needs ``view_annotations``, changing ``edit_annotations``. The inbox is in
``pages_inbox``.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import replace
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission, permissions_of
from agenta.core.access.principal import Principal
from agenta.core.accounts.members import list_members
from agenta.core.annotations import creation, queues, results
from agenta.core.annotations.inbox import inbox, progress
from agenta.core.annotations.models import AB
from agenta.core.annotations.page_forms import (
    FILTER_FIELDS,
    PRESET_LABELS,
    SHOWN_FILTERS,
    queue_form,
    source_form,
    trace_filters,
)
from agenta.core.annotations.reviews import reviews_of
from agenta.core.evaluations.choices import testset_choices
from agenta.core.evaluations.models import FINISHED_STATUSES
from agenta.core.evaluations.page_support import back_to, form_lists, render
from agenta.core.evaluations.plan import RunPlan
from agenta.core.evaluations.runs import list_runs
from agenta.core.tracing.pages_filters import RANGE_LABELS, STATUSES
from agenta.core.tracing.pages_views import trace_row
from agenta.core.tracing.query import query_traces
from agenta.core.tracing.query_model import QueryError
from agenta.core.tracing.span import SPAN_TYPES
from agenta.db import utcnow
from agenta.errors import AppError

VIEW = [requires(Permission.VIEW_ANNOTATIONS)]
EDIT = [requires(Permission.EDIT_ANNOTATIONS)]
PREVIEW_ROWS = 20


@get("/annotations", guards=VIEW, include_in_schema=False)
async def queues_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    found = await queues.list_queues(db_session, principal.project_id)
    rows = [(queue, await progress(db_session, queue)) for queue in found]
    return render(
        request,
        "annotations/list.html",
        rows=rows,
        can_edit=principal.can(Permission.EDIT_ANNOTATIONS),
    )


@get("/annotations/new", guards=EDIT, include_in_schema=False)
async def new_queue_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return render(
        request,
        "annotations/new.html",
        **await _new_context(db_session, principal, dict(request.query_params)),
    )


@post("/annotations", guards=EDIT, include_in_schema=False)
async def create_queue_from_form(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template | Redirect:
    form, lists = await form_lists(request)
    try:
        data = queue_form(form, lists.get("annotator", []))
        if data.assignment != "open" and not data.annotators:
            data = replace(data, assignment="open")
        queue, items = await creation.create_with_items(
            db_session, principal, data, source_form(form)
        )
    except AppError as error:
        context = await _new_context(db_session, principal, form)
        return render(
            request, "annotations/new.html", status_code=error.status_code,
            failed=error.detail, **context,
        )  # fmt: skip
    notice = f"Queue {queue.name} created with {len(items)} items"
    return back_to(f"/annotations/{queue.id}", notice=notice)


@get("/annotations/{queue_id:uuid}", guards=VIEW, include_in_schema=False)
async def queue_page(
    request: Request[Any, Any, Any],
    queue_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    queue = await queues.get_queue(db_session, principal.project_id, queue_id)
    reviews = await reviews_of(db_session, queue)
    context: dict[str, Any] = {"questions": [], "judges": [], "ab": None}
    if queue.kind == AB:
        context["ab"] = results.ab_results(reviews)
    else:
        items = await queues.list_items(db_session, queue)
        context["questions"] = results.question_results(queue, reviews)
        context["judges"] = await results.judge_results(db_session, queue, items, reviews)
    mine = await inbox(db_session, queue, principal.user_id) if principal.user_id else None
    return render(
        request,
        "annotations/queue.html",
        queue=queue,
        progress=await progress(db_session, queue),
        mine=mine,
        can_edit=principal.can(Permission.EDIT_ANNOTATIONS),
        **context,
    )


@post("/annotations/{queue_id:uuid}/delete", guards=EDIT, include_in_schema=False)
async def delete_queue_from_page(
    queue_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Redirect:
    queue = await queues.get_queue(db_session, principal.project_id, queue_id)
    await queues.delete_queue(db_session, queue, principal.user_id)
    return back_to("/annotations", notice=f"Queue {queue.name} deleted")


@get("/annotations/{queue_id:uuid}/export", guards=VIEW, include_in_schema=False)
async def export_reviews(
    queue_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Response[str]:
    queue = await queues.get_queue(db_session, principal.project_id, queue_id)
    items = {item.id: item for item in await queues.list_items(db_session, queue)}
    reviews = await reviews_of(db_session, queue)
    people = {m.user_id: m.email for m in await list_members(db_session, principal.organization_id)}
    columns = [f"{e['slug']}.{f['name']}" for e in queue.evaluators for f in e.get("fields", [])]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["item", "kind", "trace_id", "row", "reviewer", *columns, "vote", "note"])
    for review in reviews:
        item = items[review.item_id]
        answers = [_answer(review.answers, column) for column in columns]
        writer.writerow(
            [item.position + 1, item.kind, item.trace_id or "", _row(item.row_index),
             people.get(review.user_id, str(review.user_id)), *answers,
             review.vote or "", review.note or ""]
        )  # fmt: skip
    filename = f"annotations-{queue.id}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _answer(answers: dict[str, Any], column: str) -> str:
    slug, _, name = column.partition(".")
    value = (answers.get(slug) or {}).get(name)
    if isinstance(value, list):
        return "|".join(str(item) for item in value)
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _row(index: int | None) -> str:
    return "" if index is None else str(index + 1)


async def _new_context(
    session: AsyncSession, principal: Principal, params: dict[str, Any]
) -> dict[str, Any]:
    filters = trace_filters(params, prefix="filter." if "_csrf_token" in params else "")
    preview, preview_error = [], None
    try:
        query = replace(filters.query(utcnow(), limit=PREVIEW_ROWS), cursor=None)
        found = await query_traces(session, principal.project_id, query)
        preview = [trace_row(root) for root in found.spans]
    except QueryError as error:
        preview_error = str(error)
    members = [
        m
        for m in await list_members(session, principal.organization_id)
        if Permission.EDIT_ANNOTATIONS in permissions_of(m.role)
    ]
    return {
        "form": params,
        "filters": filters,
        "preview": preview,
        "preview_error": preview_error,
        "members": members,
        "sides": await _run_sides(session, principal.project_id),
        "testsets": await testset_choices(session, principal.project_id),
        "presets": PRESET_LABELS,
        "status_options": [(status, status) for status in STATUSES],
        "span_type_options": [(kind, kind) for kind in sorted(SPAN_TYPES)],
        "ranges": RANGE_LABELS,
        "filter_fields": FILTER_FIELDS,
        "carried": [(name, value) for name, value in filters.params() if name not in SHOWN_FILTERS],
    }


async def _run_sides(session: AsyncSession, project_id: uuid.UUID) -> list[tuple[str, str]]:
    """Every (run, app revision) of the project's finished runs, as form options."""
    sides = []
    for run in await list_runs(session, project_id, limit=100):
        if run.status not in FINISHED_STATUSES:
            continue
        for app in RunPlan.from_config(run.config).applications:
            sides.append((f"{run.id}:{app.revision_id}", f"{run.name} · {app.label}"))
    return sides


ROUTES = [
    queues_page,
    new_queue_page,
    create_queue_from_form,
    queue_page,
    delete_queue_from_page,
    export_reviews,
]
