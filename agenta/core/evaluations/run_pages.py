"""Pages of runs: the list, a new run, a run with live progress, its results, a cell's trace.

- ``GET /evaluations``: runs, newest first; tick two or more to compare them;
- ``GET /evaluations/new`` and ``POST /evaluations``: pick a test set, app revisions and
  evaluators (repeats, concurrency, spend cap, cache) and start a run;
- ``GET /evaluations/{id}``: status and a progress bar that polls (htmx, every second, until
  the run finishes, then reloads the page once), per-column aggregates, and the results table
  (search, failed only, pass/fail per evaluator, sort, pages); export as CSV or JSON; cancel;
- ``GET /evaluations/{id}/progress`` and ``/results``: the partials htmx swaps in;
- ``GET /evaluations/{id}/cells/{cell_id}``: one cell with the spans of its trace.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.evaluations import cells as cell_store
from agenta.core.evaluations.api import export_response
from agenta.core.evaluations.choices import evaluator_choices, revision_choices, testset_choices
from agenta.core.evaluations.client_runs import fill_from_traces
from agenta.core.evaluations.metrics import compute_metrics
from agenta.core.evaluations.models import FINISHED_STATUSES, EvaluationCell
from agenta.core.evaluations.page_support import back_to, form_lists, parse_ids, render
from agenta.core.evaluations.plan import RunPlan
from agenta.core.evaluations.results import ResultQuery, build_rows, select_rows
from agenta.core.evaluations.runs import RunRequest, cancel_run, create_run, get_run, list_runs
from agenta.core.evaluations.scenarios import run_scenarios
from agenta.core.evaluations.views import progress
from agenta.core.tracing.store import load_spans
from agenta.core.tracing.trees import build_trees
from agenta.errors import AppError, NotFound
from agenta.jobs.queue import JobQueue

VIEW = [requires(Permission.VIEW_EVALUATION_RUNS)]
EDIT = [requires(Permission.EDIT_EVALUATION_RUNS)]


@get("/evaluations", guards=VIEW, include_in_schema=False)
async def run_list(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    runs = await list_runs(db_session, principal.project_id)
    live = {
        run.id: (await cell_store.counts(db_session, run.id)).done
        for run in runs
        if run.status not in FINISHED_STATUSES
    }
    return render(
        request,
        "evaluations/list.html",
        runs=runs,
        plans={run.id: RunPlan.from_config(run.config) for run in runs},
        progress=lambda run: progress(run, live.get(run.id)),
        can_edit=principal.can(Permission.EDIT_EVALUATION_RUNS),
    )


@get("/evaluations/new", guards=EDIT, include_in_schema=False)
async def run_form(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _form_page(request, principal, db_session)


async def _form_page(
    request: Request[Any, Any, Any],
    principal: Principal,
    db_session: AsyncSession,
    *,
    typed: TypedRun | None = None,
    error: str | None = None,
) -> Template:
    """The new-run form: the defaults, or what was typed when starting the run failed."""
    project_id = principal.project_id
    return render(
        request,
        "evaluations/new.html",
        status_code=422 if error else 200,
        error=error,
        typed=typed or TypedRun.defaults(),
        testsets=await testset_choices(db_session, project_id),
        revisions=await revision_choices(db_session, project_id),
        evaluators=await evaluator_choices(db_session, project_id),
    )


@post("/evaluations", guards=EDIT, include_in_schema=False)
async def run_create(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    queue: NamedDependency[JobQueue],
) -> Template | Redirect:
    single, multi = await form_lists(request)
    try:
        run_request = _run_request(single, multi)
        run = await create_run(db_session, principal, run_request, queue)
    except (AppError, ValueError) as error:
        await db_session.rollback()
        message = error.detail if isinstance(error, AppError) else str(error)
        typed = TypedRun.from_form(single, multi)
        return await _form_page(request, principal, db_session, typed=typed, error=message)
    return back_to(f"/evaluations/{run.id}", notice="Run started")


@dataclass(frozen=True)
class TypedRun:
    """The new-run form's fields as typed, to show them again when starting the run failed."""

    fields: dict[str, str]
    revision_ids: list[str] | None
    evaluator_ids: list[str]

    @classmethod
    def defaults(cls) -> TypedRun:
        # No revision chosen yet: the form ticks the first one.
        return cls({"repeats": "1", "concurrency": "10"}, None, [])

    @classmethod
    def from_form(cls, single: dict[str, str], multi: dict[str, list[str]]) -> TypedRun:
        return cls(single, multi.get("revision_ids", []), multi.get("evaluator_ids", []))


def _run_request(single: dict[str, str], multi: dict[str, list[str]]) -> RunRequest:
    testset = parse_ids([single.get("testset_revision_id", "")], "test set")
    spend_cap = single.get("spend_cap", "").strip()
    return RunRequest(
        testset_revision_id=testset[0],
        application_revision_ids=parse_ids(multi.get("revision_ids", []), "app revision"),
        evaluator_ids=parse_ids(multi.get("evaluator_ids", []), "evaluator"),
        name=single.get("name", ""),
        repeats=_number(single.get("repeats"), 1, "repeats"),
        concurrency=_number(single.get("concurrency"), 10, "concurrency"),
        spend_cap=float(spend_cap) if spend_cap else None,
        use_cache=single.get("use_cache") in ("on", "true", "1"),
    )


def _number(raw: str | None, default: int, field: str) -> int:
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{field} must be a whole number, got {raw!r}") from None


@get("/evaluations/{run_id:uuid}", guards=VIEW, include_in_schema=False)
async def run_page(
    request: Request[Any, Any, Any],
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    context = await _run_context(request, db_session, principal.project_id, run_id)
    context["can_edit"] = principal.can(Permission.EDIT_EVALUATION_RUNS)
    return render(request, "evaluations/run.html", **context)


@get("/evaluations/{run_id:uuid}/results", guards=VIEW, include_in_schema=False)
async def run_results(
    request: Request[Any, Any, Any],
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    context = await _run_context(request, db_session, principal.project_id, run_id)
    return render(request, "evaluations/_results.html", **context)


async def _run_context(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    project_id: uuid.UUID,
    run_id: uuid.UUID,
) -> dict[str, Any]:
    run = await get_run(session, project_id, run_id)
    if run.origin == "client":  # the SDK's results point at traces stored since
        await fill_from_traces(session, run)
    plan = RunPlan.from_config(run.config)
    cells = await cell_store.run_cells(session, [run.id])
    rows = build_rows(plan, await run_scenarios(session, run.id), cells)
    query = _query(request)
    page_rows, matching = select_rows(rows, query)
    return {
        "run": run,
        "plan": plan,
        "done": len(cells),
        "progress": progress(run, len(cells)),
        "metrics": compute_metrics(cells),
        "rows": page_rows,
        "matching": matching,
        "query": query,
        "pages": max(1, -(-matching // query.per_page)),
        "live": run.status not in FINISHED_STATUSES,
    }


def _query(request: Request[Any, Any, Any]) -> ResultQuery:
    params = request.query_params
    evaluator = params.get("evaluator") or ""
    try:
        evaluator_id = uuid.UUID(evaluator) if evaluator else None
        page = max(1, int(params.get("page") or 1))
    except ValueError:
        evaluator_id, page = None, 1
    return ResultQuery(
        search=(params.get("search") or "").strip(),
        failed_only=params.get("failed") in ("on", "true", "1"),
        evaluator_id=evaluator_id,
        verdict=params.get("verdict") or None,
        sort=params.get("sort") or "row",
        descending=params.get("order") == "desc",
        page=page,
    )


@get("/evaluations/{run_id:uuid}/progress", guards=VIEW, include_in_schema=False)
async def run_progress(
    request: Request[Any, Any, Any],
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    run = await get_run(db_session, principal.project_id, run_id)
    done = (await cell_store.counts(db_session, run.id)).done
    finished = run.status in FINISHED_STATUSES
    page = render(
        request,
        "evaluations/_progress.html",
        run=run,
        done=done,
        progress=progress(run, done),
        live=not finished,
    )
    if finished and request.query_params.get("live"):
        page.headers["HX-Refresh"] = "true"  # the run just ended: show its final results
    return page


@post("/evaluations/{run_id:uuid}/cancel", guards=EDIT, include_in_schema=False)
async def run_cancel(
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Redirect:
    run = await get_run(db_session, principal.project_id, run_id)
    try:
        await cancel_run(db_session, run)
    except AppError as error:
        return back_to(f"/evaluations/{run_id}", error=error.detail)
    return back_to(f"/evaluations/{run_id}", notice="Run cancelled")


@get("/evaluations/{run_id:uuid}/export", guards=VIEW, include_in_schema=False)
async def run_export(
    request: Request[Any, Any, Any],
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Stream:
    fmt = request.query_params.get("format") or "csv"
    return await export_response(db_session, principal.project_id, run_id, fmt)


@get("/evaluations/{run_id:uuid}/cells/{cell_id:uuid}", guards=VIEW, include_in_schema=False)
async def cell_page(
    request: Request[Any, Any, Any],
    run_id: FromPath[uuid.UUID],
    cell_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template | Response[Any]:
    run = await get_run(db_session, principal.project_id, run_id)
    cell = await db_session.get(EvaluationCell, cell_id)
    if cell is None or cell.run_id != run.id:
        raise NotFound(f"no cell {cell_id} in this run")
    spans = []
    if cell.trace_id:
        trees = build_trees(await load_spans(db_session, principal.project_id, [cell.trace_id]))
        spans = [span for tree in trees for span in tree.spans()]
    plan = RunPlan.from_config(run.config)
    return render(
        request,
        "evaluations/cell.html",
        run=run,
        cell=cell,
        app=plan.application(cell.revision_id),
        evaluator=plan.evaluator(cell.evaluator_id),
        spans=[(span, depth) for span, depth in _with_depths(spans)],
        pretty=_pretty,
    )


def _with_depths(spans: list[Any]) -> list[tuple[Any, int]]:
    """Each span with its depth in the tree (spans come root first)."""
    depths: dict[str, int] = {}
    found = []
    for span in spans:
        depth = depths.get(span.parent_id, -1) + 1 if span.parent_id else 0
        depths[span.span_id] = depth
        found.append((span, depth))
    return found


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


ROUTES = [
    run_list,
    run_form,
    run_create,
    run_page,
    run_results,
    run_progress,
    run_cancel,
    run_export,
    cell_page,
]
