"""The evaluation endpoints the official SDK calls (agenta-sdk-contract.md §5).

- ``POST /api/simple/evaluations/``: create a run from ``data.{testset,application,evaluator}
  _steps`` (revision ids, as a list or ``{id: origin}``). When every application and evaluator
  step is ``auto`` and the server can run them, the server runs it like any run; otherwise the
  client runs it and posts its results (``client_runs``). ``/query`` and ``GET /{id}`` read runs;
- ``POST /api/simple/evaluations/{id}/scenarios/add`` mints scenarios; ``/populate`` and
  ``POST /api/evaluations/results/`` record results; ``POST /api/evaluations/scenarios/`` and
  ``PATCH /api/evaluations/scenarios/{id}`` create and edit scenarios (409 once closed);
- ``POST /api/evaluations/metrics/refresh`` fills cells from their traces and answers the
  metrics of a scenario or of the run; ``/metrics/query`` answers the run's (``scenario_ids:
  false``) or every scenario's (``true``);
- ``POST /api/evaluations/runs/{id}/close?status=`` locks the run with the client's status.

Envelopes are the SDK's: ``{count, evaluation}``, ``{count, scenarios}``, ``{count, results}``,
``{count, metrics}``, ``{count, run}``.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

import msgspec
from litestar import get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.evaluations import client_runs
from agenta.core.evaluations.cells import run_cells
from agenta.core.evaluations.metrics import evaluator_metrics, invocation_metrics
from agenta.core.evaluations.models import (
    INVOCATION,
    EvaluationCell,
    EvaluationRun,
    EvaluationScenario,
)
from agenta.core.evaluations.plan import RunPlan
from agenta.core.evaluations.runs import RunRequest, create_run, get_run, list_runs
from agenta.core.evaluations.scenarios import run_scenarios
from agenta.core.evaluations.views import SDK_STATUS, iso, run_record
from agenta.errors import AppError, NotFound
from agenta.jobs.queue import JobQueue

VIEW = [requires(Permission.VIEW_EVALUATION_RUNS)]
EDIT = [requires(Permission.EDIT_EVALUATION_RUNS)]
TAGS = ["evaluations"]
SIMPLE = "/api/simple/evaluations"


class EvaluationData(msgspec.Struct, kw_only=True):
    status: str | None = None
    query_steps: Any = None
    testset_steps: Any = None
    application_steps: Any = None
    evaluator_steps: Any = None
    repeats: int | None = None


class EvaluationFields(msgspec.Struct, kw_only=True):
    name: str | None = None
    description: str | None = None
    flags: dict[str, Any] | None = None
    tags: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None
    data: EvaluationData = msgspec.field(default_factory=EvaluationData)


class EvaluationBody(msgspec.Struct, kw_only=True):
    evaluation: EvaluationFields


class AddScenariosBody(msgspec.Struct, kw_only=True):
    count: int
    timestamp: str | None = None


class ResultsBody(msgspec.Struct, kw_only=True):
    results: list[dict[str, Any]]


class ScenariosBody(msgspec.Struct, kw_only=True):
    scenarios: list[dict[str, Any]]


class ScenarioBody(msgspec.Struct, kw_only=True):
    scenario: dict[str, Any]


class MetricsBody(msgspec.Struct, kw_only=True):
    metrics: dict[str, Any]


def steps_of(value: Any, field: str) -> tuple[list[uuid.UUID], set[str]]:
    """Revision ids and origins from ``[id, ...]`` or ``{id: origin}``; a 400 names the field."""
    items = list(value.items()) if isinstance(value, dict) else [(i, "custom") for i in value or []]
    ids, origins = [], set()
    for raw, origin in items:
        try:
            ids.append(uuid.UUID(str(raw)))
        except ValueError:
            raise AppError(f"data.{field}: {raw!r} is not a revision id") from None
        origins.add(str(origin))
    return ids, origins


def evaluation_record(run: EvaluationRun) -> dict[str, Any]:
    """A run as the SDK's ``SimpleEvaluation``."""
    plan = RunPlan.from_config(run.config)
    origin = "auto" if run.origin == "server" else "custom"
    return {
        "id": str(run.id),
        "name": run.name,
        "description": run.description,
        "flags": run.flags or {},
        "tags": run.tags or {},
        "meta": run.meta or {},
        "data": {
            "status": SDK_STATUS.get(run.status, run.status),
            "testset_steps": {plan.testset.get("revision_id"): "custom"} if plan.testset else {},
            "application_steps": {str(app.revision_id): origin for app in plan.applications},
            "evaluator_steps": {str(step.revision_id): origin for step in plan.evaluators},
            "repeats": plan.repeats,
        },
        "created_at": iso(run.created_at),
        "updated_at": iso(run.updated_at),
        "created_by_id": str(run.created_by_id) if run.created_by_id else None,
    }


def scenario_record(scenario: EvaluationScenario) -> dict[str, Any]:
    return {
        "id": str(scenario.id),
        "run_id": str(scenario.run_id),
        "status": scenario.status,
        "flags": scenario.flags or {},
        "tags": scenario.tags or {},
        "meta": scenario.meta or {},
        "testcase_id": str(scenario.testcase_id) if scenario.testcase_id else None,
        "created_at": iso(scenario.created_at),
    }


@post(SIMPLE + "/", guards=EDIT, tags=TAGS, status_code=200)
async def create_simple_evaluation(
    data: JSONBody[EvaluationBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    queue: NamedDependency[JobQueue],
) -> dict[str, Any]:
    """Create (and, for server-runnable ``auto`` steps, start) an evaluation."""
    fields, steps = data.evaluation, data.evaluation.data
    testsets, _ = steps_of(steps.testset_steps, "testset_steps")
    apps, app_origins = steps_of(steps.application_steps, "application_steps")
    evaluators, evaluator_origins = steps_of(steps.evaluator_steps, "evaluator_steps")
    if {*app_origins, *evaluator_origins} == {"auto"} and len(testsets) == 1:
        request = RunRequest(
            testset_revision_id=testsets[0],
            application_revision_ids=apps,
            evaluator_revision_ids=evaluators,
            name=fields.name or "",
            description=fields.description,
            repeats=steps.repeats or 1,
        )
        run = await create_run(db_session, principal, request, queue)
    else:
        run = await client_runs.create_client_run(
            db_session,
            principal,
            name=fields.name or "",
            description=fields.description,
            testset_steps=testsets,
            application_steps=apps,
            evaluator_steps=evaluators,
            repeats=steps.repeats or 1,
            flags=fields.flags,
            tags=fields.tags,
            meta=fields.meta,
        )
    return {"count": 1, "evaluation": evaluation_record(run)}


@post(SIMPLE + "/query", guards=VIEW, tags=TAGS, status_code=200)
async def query_simple_evaluations(
    principal: NamedDependency[Principal], db_session: NamedDependency[AsyncSession]
) -> dict[str, Any]:
    """The project's evaluations, newest first."""
    runs = await list_runs(db_session, principal.project_id)
    return {"count": len(runs), "evaluations": [evaluation_record(run) for run in runs]}


@get(SIMPLE + "/{run_id:uuid}", guards=VIEW, tags=TAGS)
async def read_simple_evaluation(
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """One evaluation."""
    run = await get_run(db_session, principal.project_id, run_id)
    return {"count": 1, "evaluation": evaluation_record(run)}


@post(SIMPLE + "/{run_id:uuid}/scenarios/add", guards=EDIT, tags=TAGS, status_code=200)
async def add_evaluation_scenarios(
    run_id: FromPath[uuid.UUID],
    data: JSONBody[AddScenariosBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Mint ``count`` empty scenarios, in order."""
    run = await get_run(db_session, principal.project_id, run_id)
    scenarios = await client_runs.add_scenarios(db_session, run, data.count)
    return {"count": len(scenarios), "scenarios": [scenario_record(s) for s in scenarios]}


@post(SIMPLE + "/{run_id:uuid}/populate", guards=EDIT, tags=TAGS, status_code=200)
async def populate_evaluation(
    run_id: FromPath[uuid.UUID],
    data: JSONBody[ResultsBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Record finished cells of the run."""
    run = await get_run(db_session, principal.project_id, run_id)
    results = await client_runs.post_results(db_session, run, data.results)
    return {"count": len(results), "results": results}


@post("/api/evaluations/results/", guards=EDIT, tags=TAGS, status_code=200)
async def create_evaluation_results(
    data: JSONBody[ResultsBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Record cells, each naming its run."""
    answered = []
    for index, result in enumerate(data.results):
        run = await get_run(db_session, principal.project_id, _id(result.get("run_id"), index))
        answered += await client_runs.post_results(db_session, run, [result])
    return {"count": len(answered), "results": answered}


@post("/api/evaluations/scenarios/", guards=EDIT, tags=TAGS, status_code=200)
async def create_evaluation_scenarios(
    data: JSONBody[ScenariosBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Create scenarios, each naming its run."""
    created = []
    for index, fields in enumerate(data.scenarios):
        run = await get_run(db_session, principal.project_id, _id(fields.get("run_id"), index))
        [scenario] = await client_runs.add_scenarios(db_session, run, 1)
        created.append(await client_runs.edit_scenario(db_session, run, scenario.id, fields))
    return {"count": len(created), "scenarios": [scenario_record(s) for s in created]}


@patch("/api/evaluations/scenarios/{scenario_id:uuid}", guards=EDIT, tags=TAGS)
async def edit_evaluation_scenario(
    scenario_id: FromPath[uuid.UUID],
    data: JSONBody[ScenarioBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Set a scenario's status; 409 once its run is closed."""
    scenario = await db_session.get(EvaluationScenario, scenario_id)
    if scenario is None:
        raise NotFound(f"no scenario {scenario_id}")
    run = await get_run(db_session, principal.project_id, scenario.run_id)
    edited = await client_runs.edit_scenario(db_session, run, scenario_id, data.scenario)
    return {"count": 1, "scenario": scenario_record(edited)}


@post("/api/evaluations/metrics/refresh", guards=EDIT, tags=TAGS, status_code=200)
async def refresh_evaluation_metrics(
    data: JSONBody[MetricsBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Fill cells from their traces; answer the metrics of a scenario (or of the run)."""
    run = await get_run(db_session, principal.project_id, _id(data.metrics.get("run_id"), 0))
    raw = data.metrics.get("scenario_id")
    scenario_id = _id(raw, 0) if raw else None
    await client_runs.fill_from_traces(db_session, run, scenario_id=scenario_id)
    scenario = await db_session.get(EvaluationScenario, scenario_id) if scenario_id else None
    metrics = await _metrics(db_session, run, [scenario] if scenario else [None])
    return {"count": len(metrics), "metrics": metrics}


@post("/api/evaluations/metrics/query", guards=VIEW, tags=TAGS, status_code=200)
async def query_evaluation_metrics(
    data: JSONBody[MetricsBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """The run's metrics (``scenario_ids: false``) or every scenario's (``true``)."""
    run = await get_run(db_session, principal.project_id, _id(data.metrics.get("run_id"), 0))
    per_scenario = data.metrics.get("scenario_ids")
    if per_scenario:
        scenarios: list[EvaluationScenario | None] = list(await run_scenarios(db_session, run.id))
    else:
        scenarios = [None]
    metrics = await _metrics(db_session, run, scenarios)
    return {"count": len(metrics), "metrics": metrics}


@post("/api/evaluations/runs/{run_id:uuid}/close", guards=EDIT, tags=TAGS, status_code=200)
async def close_evaluation_run(
    run_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    status: FromQuery[str | None] = None,
) -> dict[str, Any]:
    """Lock the run with the client's final status."""
    run = await get_run(db_session, principal.project_id, run_id)
    await client_runs.close_run(db_session, run, status)
    return {"count": 1, "run": run_record(run)}


async def _metrics(
    session: AsyncSession, run: EvaluationRun, scenarios: list[EvaluationScenario | None]
) -> list[dict[str, Any]]:
    plan = RunPlan.from_config(run.config)
    rows = [s.row_index for s in scenarios if s is not None] or None
    cells = await run_cells(session, [run.id], rows=rows)
    found = []
    for scenario in scenarios:
        mine = [c for c in cells if scenario is None or c.row_index == scenario.row_index]
        found.append(_metric_record(run, plan, scenario, mine))
    return found


def _metric_record(
    run: EvaluationRun,
    plan: RunPlan,
    scenario: EvaluationScenario | None,
    cells: list[EvaluationCell],
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for app in plan.applications:
        invocations = [c for c in cells if c.evaluator_id == INVOCATION]
        mine = [c for c in invocations if c.revision_id == app.revision_id]
        data[app.step_key or str(app.revision_id)] = asdict(invocation_metrics(mine))
    for step in plan.evaluators:
        mine = [c for c in cells if c.evaluator_id == step.revision_id]
        data[step.step_key or step.slug] = asdict(evaluator_metrics(mine))
    key = f"{scenario.id if scenario else 'run'}"
    return {
        "id": str(uuid.uuid5(run.id, key)),
        "run_id": str(run.id),
        "scenario_id": str(scenario.id) if scenario else None,
        "status": SDK_STATUS.get(run.status, run.status),
        "timestamp": None,
        "interval": None,
        "data": data,
        "flags": {},
        "tags": {},
        "meta": {},
        "created_at": iso(run.created_at),
    }


def _id(raw: Any, index: int) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise AppError(f"item {index}: {raw!r} is not an id") from None


ROUTES = [
    create_simple_evaluation,
    query_simple_evaluations,
    read_simple_evaluation,
    add_evaluation_scenarios,
    populate_evaluation,
    create_evaluation_results,
    create_evaluation_scenarios,
    edit_evaluation_scenario,
    refresh_evaluation_metrics,
    query_evaluation_metrics,
    close_evaluation_run,
]
