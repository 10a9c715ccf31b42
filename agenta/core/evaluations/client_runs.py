"""Runs the official SDK drives (``aevaluate``): it executes locally and posts what happened.

The SDK creates a run from revision ids (``create_client_run``), mints empty scenarios
(``add_scenarios``), then posts one result per cell (``post_results``) naming the cell by
scenario, step key (``testset-<slug>``, ``application-<slug>``, ``evaluator-<slug>``) and repeat,
with the trace that holds its outputs. Results become the same cells a server run writes, so
the same pages, metrics, comparisons and exports work; a testset result attaches the test case
to its scenario.

The outputs, scores and costs of those cells live in their traces, which arrive through OTLP a
moment later: ``fill_from_traces`` copies them into the cells once the traces are stored (the
SDK's metric refresh calls it, and so does the run page). ``close_run`` records the SDK's final
status and locks the run: later scenario edits are refused with a 409, which the SDK expects.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.principal import Principal
from agenta.core.evaluations.cells import CellKey, cell_row
from agenta.core.evaluations.models import (
    CELL_ERROR,
    CELL_SUCCESS,
    FINISHED_STATUSES,
    INVOCATION,
    RUNNING,
    EvaluationCell,
    EvaluationRun,
    EvaluationScenario,
)
from agenta.core.evaluations.plan import AppStep, EvaluatorStep, RunPlan
from agenta.core.evaluations.runs import finish_run, refresh_totals
from agenta.core.evaluations.scenarios import insert_scenarios, scenario_row
from agenta.core.evaluators.builtins.base import result_from_value
from agenta.core.evaluators.configs import config_at
from agenta.core.registry.scope import Scope
from agenta.core.registry.templates import app_type_of
from agenta.core.testsets.models import Testcase
from agenta.core.testsets.revisions import get_revision_by_id
from agenta.core.testsets.testsets import get_testset
from agenta.core.tracing.store import load_spans
from agenta.core.tracing.trees import SpanNode, build_trees
from agenta.db import utcnow
from agenta.errors import AppError, Conflict, NotFound

SDK_FINAL = {"success": "succeeded", "errors": "succeeded", "failure": "failed"}
CELL_STATUSES = {"success": CELL_SUCCESS, "failure": CELL_ERROR, "errors": CELL_ERROR}


async def create_client_run(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str,
    description: str | None,
    testset_steps: Sequence[uuid.UUID],
    application_steps: Sequence[uuid.UUID],
    evaluator_steps: Sequence[uuid.UUID],
    repeats: int,
    flags: dict[str, Any] | None = None,
    tags: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> EvaluationRun:
    """A running run whose cells the client will post."""
    project_id = principal.project_id
    if len(testset_steps) != 1:
        raise AppError(f"testset_steps must name one test set revision, got {len(testset_steps)}")
    testset_revision = await get_revision_by_id(session, project_id, testset_steps[0])
    testset = await get_testset(session, project_id, testset_revision.testset_id)
    plan = RunPlan(
        applications=tuple(
            [await _app_step(session, project_id, item) for item in application_steps]
        ),
        evaluators=tuple(
            [await _evaluator_step(session, project_id, item) for item in evaluator_steps]
        ),
        repeats=max(1, repeats),
        testset={
            "id": str(testset.id),
            "slug": testset.slug,
            "name": testset.name,
            "revision_id": str(testset_revision.id),
            "version": testset_revision.version,
        },
    )
    run = EvaluationRun(
        project_id=project_id,
        name=name or "SDK evaluation",
        description=description,
        status=RUNNING,
        origin="client",
        testset_id=testset.id,
        testset_revision_id=testset_revision.id,
        config=plan.to_config(),
        row_count=testset_revision.row_count,
        cells_total=testset_revision.row_count * plan.cells_per_row(),
        started_at=utcnow(),
        created_by_id=principal.user_id,
        flags=flags or {},
        tags=tags or {},
        meta=meta or {},
    )
    session.add(run)
    await session.flush()
    return run


async def _app_step(
    session: AsyncSession, project_id: uuid.UUID, revision_id: uuid.UUID
) -> AppStep:
    store = Scope(session=session, project_id=project_id).applications
    revision = await store.revision(revision_id)
    if revision is None:
        raise NotFound(f"application_steps: no application revision {revision_id} in this project")
    application = await store.artifact(revision.artifact_id)
    variant = await store.variant(revision.variant_id)
    assert application is not None and variant is not None
    return AppStep(
        revision_id=revision.id,
        application_id=application.id,
        application_slug=application.slug,
        variant_id=variant.id,
        variant_slug=variant.slug,
        version=revision.version,
        kind=app_type_of(application.flags),
        step_key=f"application-{revision.slug}",
    )


async def _evaluator_step(
    session: AsyncSession, project_id: uuid.UUID, revision_id: uuid.UUID
) -> EvaluatorStep:
    config = await config_at(session, project_id, revision_id)
    if config is None:
        raise NotFound(f"evaluator_steps: no evaluator revision {revision_id} in this project")
    return EvaluatorStep(
        revision_id=config.revision.id,
        evaluator_id=config.id,
        slug=config.slug,
        name=config.name,
        key=config.key,
        version=config.revision.version,
        settings=config.settings,
        step_key=f"evaluator-{config.revision.slug}",
    )


async def add_scenarios(
    session: AsyncSession, run: EvaluationRun, count: int
) -> list[EvaluationScenario]:
    """``count`` new empty scenarios, numbered after the run's last one."""
    if not 0 <= count <= 100_000:
        raise AppError(f"count must be between 0 and 100000, got {count}")
    _check_open(run)
    highest = await session.scalar(
        select(func.max(EvaluationScenario.row_index)).where(EvaluationScenario.run_id == run.id)
    )
    start = -1 if highest is None else highest
    rows = [scenario_row(run.id, start + 1 + index) for index in range(count)]
    await insert_scenarios(session, rows)
    ids = [row["id"] for row in rows]
    found = await session.scalars(
        select(EvaluationScenario)
        .where(EvaluationScenario.id.in_(ids))
        .order_by(EvaluationScenario.row_index)
    )
    return list(found)


async def post_results(
    session: AsyncSession, run: EvaluationRun, results: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Record the client's results as cells; answers each with its id and key."""
    plan = RunPlan.from_config(run.config)
    answered = []
    for index, result in enumerate(results):
        scenario = await _scenario(session, run, result.get("scenario_id"), f"results[{index}]")
        await _attach_testcase(session, scenario, result.get("testcase_id"))
        step_key = str(result.get("step_key") or "")
        cell = await _store_result(session, run, plan, scenario, step_key, result)
        answered.append(_result_record(run, scenario, step_key, result, cell))
    return answered


async def _scenario(
    session: AsyncSession, run: EvaluationRun, raw: Any, where: str
) -> EvaluationScenario:
    try:
        scenario_id = uuid.UUID(str(raw))
    except ValueError:
        raise AppError(f"{where}.scenario_id is not a scenario id: {raw!r}") from None
    scenario = await session.get(EvaluationScenario, scenario_id)
    if scenario is None or scenario.run_id != run.id:
        raise NotFound(f"{where}.scenario_id: no scenario {scenario_id} in this run")
    return scenario


async def _attach_testcase(session: AsyncSession, scenario: EvaluationScenario, raw: Any) -> None:
    if not raw or scenario.testcase_id is not None:
        return
    try:
        testcase_id = uuid.UUID(str(raw))
    except ValueError:
        raise AppError(f"testcase_id is not an id: {raw!r}") from None
    testcase = await session.get(Testcase, testcase_id)
    scenario.testcase_id = testcase_id
    scenario.inputs = dict(testcase.data) if testcase is not None else {}
    await session.flush()


async def _store_result(
    session: AsyncSession,
    run: EvaluationRun,
    plan: RunPlan,
    scenario: EvaluationScenario,
    step_key: str,
    result: Mapping[str, Any],
) -> EvaluationCell | None:
    if step_key.startswith("testset-"):
        return None  # the input step: its test case is attached to the scenario
    step = plan.step_of(step_key)
    if step is None or not plan.applications:
        raise AppError(f"step_key {step_key!r} names no application or evaluator of this run")
    repeat = int(result.get("repeat_idx") or 0)
    if isinstance(step, AppStep):
        key = CellKey(scenario.row_index, step.revision_id, repeat)
    else:
        key = CellKey(
            scenario.row_index, plan.applications[0].revision_id, repeat, step.revision_id
        )
    values = _cell_values(step_key, scenario, result)
    existing = await session.scalar(_cell_query(run.id, key))
    if existing is None:
        row = cell_row(run.id, key, **values)
        cell = EvaluationCell(**row)
        session.add(cell)
    else:
        cell = existing
        for name, value in values.items():
            setattr(cell, name, value)
    await session.flush()
    return cell


def _cell_values(
    step_key: str, scenario: EvaluationScenario, result: Mapping[str, Any]
) -> dict[str, Any]:
    error = result.get("error")
    message = None
    if error:
        message = str(error.get("message") or error) if isinstance(error, dict) else str(error)
    status = CELL_ERROR if message else CELL_STATUSES.get(str(result.get("status")), "pending")
    return {
        "step_key": step_key,
        "testcase_id": scenario.testcase_id,
        "status": status,
        "trace_id": result.get("trace_id") or None,
        "error": message,
        "error_type": "client" if message else None,
    }


def _cell_query(run_id: uuid.UUID, key: CellKey) -> Any:
    return select(EvaluationCell).where(
        EvaluationCell.run_id == run_id,
        EvaluationCell.row_index == key.row_index,
        EvaluationCell.revision_id == key.revision_id,
        EvaluationCell.repeat == key.repeat,
        EvaluationCell.evaluator_id == key.evaluator_id,
    )


def _result_record(
    run: EvaluationRun,
    scenario: EvaluationScenario,
    step_key: str,
    result: Mapping[str, Any],
    cell: EvaluationCell | None,
) -> dict[str, Any]:
    repeat = int(result.get("repeat_idx") or 0)
    fallback = uuid.uuid5(scenario.id, f"{step_key}:{repeat}")
    return {
        "id": str(cell.id if cell is not None else fallback),
        "run_id": str(run.id),
        "scenario_id": str(scenario.id),
        "step_key": step_key,
        "repeat_idx": repeat,
        "testcase_id": str(scenario.testcase_id) if scenario.testcase_id else None,
        "trace_id": result.get("trace_id"),
        "error": result.get("error"),
        "status": result.get("status"),
    }


async def fill_from_traces(
    session: AsyncSession, run: EvaluationRun, *, scenario_id: uuid.UUID | None = None
) -> int:
    """Copy outputs, scores, latency, tokens and cost from stored traces into the run's cells."""
    query = select(EvaluationCell).where(
        EvaluationCell.run_id == run.id,
        EvaluationCell.trace_id.is_not(None),
        EvaluationCell.latency_ms.is_(None),
    )
    if scenario_id is not None:
        scenario = await session.get(EvaluationScenario, scenario_id)
        if scenario is None or scenario.run_id != run.id:
            raise NotFound(f"no scenario {scenario_id} in this run")
        query = query.where(EvaluationCell.row_index == scenario.row_index)
    cells = list(await session.scalars(query))
    if not cells:
        return 0
    roots = await _roots(
        session, run.project_id, {cell.trace_id for cell in cells if cell.trace_id}
    )
    filled = 0
    for cell in cells:
        root = roots.get(cell.trace_id or "")
        if root is not None:
            _fill(cell, root)
            filled += 1
    await session.flush()
    return filled


async def _roots(
    session: AsyncSession, project_id: uuid.UUID, trace_ids: set[str]
) -> dict[str, SpanNode]:
    spans = await load_spans(session, project_id, sorted(trace_ids))
    return {tree.trace_id: tree.root for tree in build_trees(spans) if tree.root is not None}


def _fill(cell: EvaluationCell, node: SpanNode) -> None:
    root, rolled = node.span, node.cumulative
    outputs = root.outputs
    if isinstance(outputs, dict) and set(outputs) == {"__default__"}:
        outputs = outputs["__default__"]
    cell.output = outputs
    cell.latency_ms = root.duration_ms
    if rolled.tokens is not None:
        cell.prompt_tokens, cell.completion_tokens = rolled.tokens.prompt, rolled.tokens.completion
        cell.total_tokens = rolled.tokens.total
    cell.cost = rolled.cost.total if rolled.cost is not None else 0.0
    if root.is_error and cell.status != CELL_ERROR:
        cell.status, cell.error = CELL_ERROR, root.status_message or "the step failed"
    if cell.evaluator_id != INVOCATION and cell.status != CELL_ERROR:
        verdict = result_from_value(outputs, 0.5)
        if verdict is not None:
            cell.score, cell.success = verdict.score, verdict.success


async def edit_scenario(
    session: AsyncSession, run: EvaluationRun, scenario_id: uuid.UUID, fields: Mapping[str, Any]
) -> EvaluationScenario:
    """Set a scenario's status (and flags, tags, meta); a 409 once the run is closed."""
    _check_open(run)
    scenario = await session.get(EvaluationScenario, scenario_id)
    if scenario is None or scenario.run_id != run.id:
        raise NotFound(f"no scenario {scenario_id}")
    if fields.get("status"):
        scenario.status = str(fields["status"])[:20]
    for name in ("flags", "tags", "meta"):
        if isinstance(fields.get(name), dict):
            setattr(scenario, name, fields[name])
    await session.flush()
    return scenario


async def close_run(session: AsyncSession, run: EvaluationRun, status: str | None) -> None:
    """Lock the run and record the client's final status (success, errors, failure...)."""
    await fill_from_traces(session, run)
    await refresh_totals(session, run)
    run.flags = {**(run.flags or {}), "is_closed": True}
    await session.flush()
    if run.status not in FINISHED_STATUSES:
        final = SDK_FINAL.get(
            status or "success", "cancelled" if status == "cancelled" else "succeeded"
        )
        await finish_run(session, run, final)


def _check_open(run: EvaluationRun) -> None:
    if (run.flags or {}).get("is_closed"):
        raise Conflict("the run is closed: it takes no more changes")
