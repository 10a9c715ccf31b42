"""REST API of evaluation runs (``/api/evaluations/...``).

- ``POST /api/evaluations/runs/``: create a run from references (see ``requests``) and start it;
- ``GET /api/evaluations/runs/``: the project's runs, newest first (``?testset_id=``);
- ``GET /api/evaluations/runs/{id}``: one run (``{count, run}``, the shape the SDK reads too),
  with live progress;
- ``POST /api/evaluations/runs/{id}/cancel``: stop a run;
- ``GET /api/evaluations/runs/{id}/metrics``: per revision and evaluator;
- ``GET /api/evaluations/runs/{id}/results``: the results table, filtered, sorted and paged;
- ``GET /api/evaluations/runs/{id}/export?format=csv|json``: the results as a download;
- ``GET /api/evaluations/compare?runs=<id>,<id>``: runs side by side with significance.

Reading needs ``view_evaluation_runs``; creating and cancelling need ``edit_evaluation_runs``.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.evaluations import cells as cell_store
from agenta.core.evaluations import exports
from agenta.core.evaluations.comparison import compare_runs
from agenta.core.evaluations.metrics import compute_metrics
from agenta.core.evaluations.plan import RunPlan
from agenta.core.evaluations.requests import CreateRunBody, resolve_request
from agenta.core.evaluations.results import ResultQuery, build_rows, select_rows
from agenta.core.evaluations.runs import cancel_run, create_run, get_run, list_runs
from agenta.core.evaluations.scenarios import run_scenarios
from agenta.core.evaluations.views import (
    comparison_record,
    metrics_record,
    row_record,
    run_record,
)
from agenta.errors import AppError
from agenta.jobs.queue import JobQueue

VIEW = [requires(Permission.VIEW_EVALUATION_RUNS)]
EDIT = [requires(Permission.EDIT_EVALUATION_RUNS)]
TAGS = ["evaluations"]
BASE = "/api/evaluations/runs"


@post(BASE + "/", guards=EDIT, tags=TAGS, status_code=200)
async def create_evaluation_run(
    data: JSONBody[CreateRunBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    queue: NamedDependency[JobQueue],
) -> dict[str, Any]:
    """Create a run and start it; answers ``{count, run}``."""
    request = await resolve_request(db_session, principal.project_id, data.run)
    run = await create_run(db_session, principal, request, queue)
    return {"count": 1, "run": run_record(run)}


@get(BASE + "/", guards=VIEW, tags=TAGS)
async def list_evaluation_runs(
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    testset_id: FromQuery[uuid.UUID | None] = None,
    limit: FromQuery[int] = 100,
    offset: FromQuery[int] = 0,
) -> dict[str, Any]:
    """The project's runs, newest first."""
    runs = await list_runs(
        db_session, principal.project_id, testset_id=testset_id, limit=limit, offset=offset
    )
    return {"count": len(runs), "runs": [run_record(run) for run in runs]}


@get(BASE + "/{run_id:uuid}", guards=VIEW, tags=TAGS)
async def read_evaluation_run(
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """One run with its live progress."""
    run = await get_run(db_session, principal.project_id, run_id)
    counts = await cell_store.counts(db_session, run.id)
    return {"count": 1, "run": run_record(run, done=counts.done)}


@post(BASE + "/{run_id:uuid}/cancel", guards=EDIT, tags=TAGS, status_code=200)
async def cancel_evaluation_run(
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Stop a run; cells already written stay."""
    run = await get_run(db_session, principal.project_id, run_id)
    await cancel_run(db_session, run)
    return {"count": 1, "run": run_record(run)}


@get(BASE + "/{run_id:uuid}/metrics", guards=VIEW, tags=TAGS)
async def read_run_metrics(
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Metrics per app revision and evaluator."""
    run = await get_run(db_session, principal.project_id, run_id)
    metrics = compute_metrics(await cell_store.run_cells(db_session, [run.id]))
    return metrics_record(RunPlan.from_config(run.config), metrics)


@get(BASE + "/{run_id:uuid}/results", guards=VIEW, tags=TAGS)
async def read_run_results(
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    search: FromQuery[str] = "",
    failed: FromQuery[bool] = False,
    sort: FromQuery[str] = "row",
    descending: FromQuery[bool] = False,
    page: FromQuery[int] = 1,
    per_page: FromQuery[int] = 50,
) -> dict[str, Any]:
    """A page of the results table."""
    run = await get_run(db_session, principal.project_id, run_id)
    plan = RunPlan.from_config(run.config)
    rows = build_rows(
        plan,
        await run_scenarios(db_session, run.id),
        await cell_store.run_cells(db_session, [run.id]),
    )
    query = ResultQuery(
        search=search,
        failed_only=failed,
        sort=sort,
        descending=descending,
        page=page,
        per_page=per_page,
    )
    page_rows, total = select_rows(rows, query)
    return {"count": total, "rows": [row_record(plan, row) for row in page_rows]}


@get(BASE + "/{run_id:uuid}/export", guards=VIEW, tags=TAGS)
async def export_run(
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    format: FromQuery[str] = "csv",
) -> Stream:
    """The results as CSV or JSON, one record per row, app revision and repeat."""
    return await export_response(db_session, principal.project_id, run_id, format)


async def export_response(
    session: AsyncSession, project_id: uuid.UUID, run_id: uuid.UUID, fmt: str
) -> Stream:
    """A download of a run's results (shared by the API and the run page)."""
    try:
        exports.check_format(fmt)
    except ValueError as error:
        raise AppError(str(error)) from None
    run = await get_run(session, project_id, run_id)
    plan = RunPlan.from_config(run.config)
    rows = build_rows(
        plan, await run_scenarios(session, run.id), await cell_store.run_cells(session, [run.id])
    )
    lines = exports.csv_lines(plan, rows) if fmt == "csv" else exports.json_lines(plan, rows)
    media_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    filename = f"evaluation-{run.id}.{fmt}"
    return Stream(
        lines,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@get("/api/evaluations/compare", guards=VIEW, tags=TAGS)
async def compare_evaluation_runs(
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    runs: FromQuery[str] = "",
) -> dict[str, Any]:
    """Runs side by side (the first is the baseline), with significance per metric."""
    comparison = await compare_runs(db_session, principal.project_id, parse_run_ids(runs))
    return comparison_record(comparison)


def parse_run_ids(raw: str) -> list[uuid.UUID]:
    """``a,b,c`` -> run ids; a 400 names a malformed one."""
    found = []
    for part in (item.strip() for item in raw.split(",")):
        if not part:
            continue
        try:
            found.append(uuid.UUID(part))
        except ValueError:
            raise AppError(f"runs: {part!r} is not a run id") from None
    return found


ROUTES = [
    create_evaluation_run,
    list_evaluation_runs,
    read_evaluation_run,
    cancel_evaluation_run,
    read_run_metrics,
    read_run_results,
    export_run,
    compare_evaluation_runs,
]
