"""Creating, finding, cancelling and finishing evaluation runs.

``create_run`` checks the request as a whole (the test set revision, application revisions the
services can run, evaluator configurations the server can run, repeats, concurrency, spend cap),
pins everything in the run's ``RunPlan`` and enqueues the first slice of the run job in the same
transaction (the job exists only if the run does). It records ``evaluation.started``.

The status moves pending -> running (the first slice starts) -> succeeded | failed | capped
(the spend cap was reached) | cancelled. ``cancel_run`` only flips the status: a running slice
sees it between cells and stops; what was written stays.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.principal import Principal
from agenta.core.evaluations import cells as cell_store
from agenta.core.evaluations.jobs import RUN_JOB
from agenta.core.evaluations.models import (
    CANCELLED,
    FINISHED_STATUSES,
    PENDING,
    RUNNING,
    EvaluationRun,
)
from agenta.core.evaluations.plan import (
    DEFAULT_CHUNK_ROWS,
    DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
    MAX_REPEATS,
    AppStep,
    EvaluatorStep,
    RunPlan,
)
from agenta.core.evaluators.configs import config_at, get_config
from agenta.core.events.service import record_event
from agenta.core.events.types import EventType
from agenta.core.registry.scope import Scope
from agenta.core.registry.templates import app_type_of
from agenta.core.testsets.revisions import get_revision_by_id
from agenta.core.testsets.testsets import get_testset
from agenta.db import utcnow
from agenta.errors import AppError, Conflict, NotFound
from agenta.jobs.queue import JobQueue


def slice_key(run_id: uuid.UUID, chunk: int) -> str:
    """The idempotency key of slice ``chunk`` of a run: each slice is enqueued once."""
    return f"evaluation:{run_id}:slice:{chunk}"


@dataclass(frozen=True)
class RunRequest:
    """What a caller asks to evaluate."""

    testset_revision_id: uuid.UUID
    application_revision_ids: Sequence[uuid.UUID]
    evaluator_ids: Sequence[uuid.UUID] = ()
    evaluator_revision_ids: Sequence[uuid.UUID] = ()
    name: str = ""
    description: str | None = None
    repeats: int = 1
    concurrency: int = DEFAULT_CONCURRENCY
    spend_cap: float | None = None
    use_cache: bool = False
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    meta: dict[str, Any] = field(default_factory=dict)


async def create_run(
    session: AsyncSession, principal: Principal, request: RunRequest, queue: JobQueue | None
) -> EvaluationRun:
    """A new run of ``request`` with its first slice enqueued (see the module docstring)."""
    _check_numbers(request)
    project_id = principal.project_id
    testset_revision = await get_revision_by_id(session, project_id, request.testset_revision_id)
    testset = await get_testset(session, project_id, testset_revision.testset_id)
    plan = RunPlan(
        applications=await _app_steps(session, project_id, request.application_revision_ids),
        evaluators=await _evaluator_steps(session, project_id, request),
        repeats=request.repeats,
        concurrency=request.concurrency,
        spend_cap=request.spend_cap,
        use_cache=request.use_cache,
        chunk_rows=request.chunk_rows,
        testset={
            "id": str(testset.id),
            "slug": testset.slug,
            "name": testset.name,
            "revision_id": str(testset_revision.id),
            "version": testset_revision.version,
            "answer_column": testset_revision.answer_column,
        },
    )
    if testset_revision.row_count == 0:
        raise AppError(f"test set {testset.name!r} v{testset_revision.version} has no rows")
    run = EvaluationRun(
        project_id=project_id,
        name=request.name.strip() or _default_name(plan, testset.name),
        description=request.description,
        testset_id=testset.id,
        testset_revision_id=testset_revision.id,
        config=plan.to_config(),
        row_count=testset_revision.row_count,
        cells_total=testset_revision.row_count * plan.cells_per_row(),
        created_by_id=principal.user_id,
        meta=dict(request.meta),
    )
    session.add(run)
    await session.flush()
    if queue is not None:
        await queue.enqueue(
            RUN_JOB, session=session, idempotency_key=slice_key(run.id, 0), run_id=run.id, chunk=0
        )
    await record_event(
        session,
        project_id=project_id,
        event_type=EventType.EVALUATION_STARTED,
        data={"run_id": run.id, "name": run.name, "testset": testset.slug},
        actor=principal,
        queue=queue,
    )
    return run


def _check_numbers(request: RunRequest) -> None:
    if not 1 <= request.repeats <= MAX_REPEATS:
        raise AppError(f"repeats must be between 1 and {MAX_REPEATS}, got {request.repeats}")
    if not 1 <= request.concurrency <= MAX_CONCURRENCY:
        raise AppError(
            f"concurrency must be between 1 and {MAX_CONCURRENCY}, got {request.concurrency}"
        )
    if request.spend_cap is not None and request.spend_cap <= 0:
        raise AppError(f"spend_cap must be a positive amount in USD, got {request.spend_cap}")
    if request.chunk_rows < 1:
        raise AppError(f"chunk_rows must be at least 1, got {request.chunk_rows}")
    if not request.application_revision_ids:
        raise AppError("choose at least one application revision to evaluate")
    if len(set(request.application_revision_ids)) != len(request.application_revision_ids):
        raise AppError("an application revision is listed twice")


async def _app_steps(
    session: AsyncSession, project_id: uuid.UUID, revision_ids: Sequence[uuid.UUID]
) -> tuple[AppStep, ...]:
    store = Scope(session=session, project_id=project_id).applications
    steps = []
    for revision_id in revision_ids:
        revision = await store.revision(revision_id)
        if revision is None:
            raise NotFound(f"no application revision {revision_id} in this project")
        application = await store.artifact(revision.artifact_id)
        variant = await store.variant(revision.variant_id)
        assert application is not None and variant is not None
        kind = app_type_of(application.flags)
        if kind == "custom":
            raise AppError(
                f"application {application.slug!r} is a custom application: evaluate it "
                "with the SDK (aevaluate), the server cannot call its code"
            )
        steps.append(
            AppStep(
                revision_id=revision.id,
                application_id=application.id,
                application_slug=application.slug,
                variant_id=variant.id,
                variant_slug=variant.slug,
                version=revision.version,
                kind=kind,
                parameters=dict((revision.data or {}).get("parameters") or {}),
                step_key=f"application-{revision.slug}",
            )
        )
    return tuple(steps)


async def _evaluator_steps(
    session: AsyncSession, project_id: uuid.UUID, request: RunRequest
) -> tuple[EvaluatorStep, ...]:
    configs = [await get_config(session, project_id, item) for item in request.evaluator_ids]
    for revision_id in request.evaluator_revision_ids:
        found = await config_at(session, project_id, revision_id)
        if found is None:
            raise NotFound(f"no evaluator revision {revision_id} in this project")
        configs.append(found)
    if len({config.id for config in configs}) != len(configs):
        raise AppError("an evaluator is listed twice")
    steps = []
    for config in configs:
        builtin = config.builtin()
        steps.append(
            EvaluatorStep(
                revision_id=config.revision.id,
                evaluator_id=config.id,
                slug=config.slug,
                name=config.name,
                key=builtin.key,
                version=config.revision.version,
                settings=config.settings,
                step_key=f"evaluator-{config.slug}",
            )
        )
    return tuple(steps)


def _default_name(plan: RunPlan, testset_name: str) -> str:
    apps = ", ".join(step.label for step in plan.applications)
    return f"{apps} on {testset_name}"[:300]


async def get_run(session: AsyncSession, project_id: uuid.UUID, run_id: uuid.UUID) -> EvaluationRun:
    """The project's run ``run_id``, or a 404."""
    run = await session.scalar(
        select(EvaluationRun).where(
            EvaluationRun.id == run_id,
            EvaluationRun.project_id == project_id,
            EvaluationRun.deleted_at.is_(None),
        )
    )
    if run is None:
        raise NotFound(f"no evaluation run {run_id} in this project")
    return run


async def list_runs(
    session: AsyncSession,
    project_id: uuid.UUID,
    *,
    testset_id: uuid.UUID | None = None,
    ids: Sequence[uuid.UUID] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[EvaluationRun]:
    """The project's runs, newest first."""
    query = select(EvaluationRun).where(
        EvaluationRun.project_id == project_id, EvaluationRun.deleted_at.is_(None)
    )
    if testset_id is not None:
        query = query.where(EvaluationRun.testset_id == testset_id)
    if ids is not None:
        query = query.where(EvaluationRun.id.in_(list(ids)))
    query = query.order_by(EvaluationRun.id.desc()).offset(offset).limit(max(1, min(limit, 500)))
    return list(await session.scalars(query))


async def cancel_run(session: AsyncSession, run: EvaluationRun) -> None:
    """Stop a run that has not finished; a finished run is a 409."""
    if run.status in FINISHED_STATUSES:
        raise Conflict(f"the run already finished ({run.status})")
    run.status = CANCELLED
    run.finished_at = utcnow()
    await session.flush()


async def mark_running(session: AsyncSession, run_id: uuid.UUID) -> bool:
    """Move a pending run to running; False when it is no longer pending."""
    result = await session.execute(
        update(EvaluationRun)
        .where(EvaluationRun.id == run_id, EvaluationRun.status == PENDING)
        .values(status=RUNNING, started_at=utcnow())
    )
    return bool(result.rowcount)


async def refresh_totals(session: AsyncSession, run: EvaluationRun) -> None:
    """Copy the cells' totals onto the run row (pages and lists read them there)."""
    found = await cell_store.counts(session, run.id)
    run.cells_done, run.cells_failed = found.done, found.failed
    run.tokens_total, run.cost_total = found.tokens, found.cost
    await session.flush()


async def finish_run(
    session: AsyncSession,
    run: EvaluationRun,
    status: str,
    *,
    error: str | None = None,
    queue: JobQueue | None = None,
) -> bool:
    """Set a final status unless the run already has one; records the event. True if set."""
    result = await session.execute(
        update(EvaluationRun)
        .where(EvaluationRun.id == run.id, EvaluationRun.status.not_in(FINISHED_STATUSES))
        .values(status=status, error=error, finished_at=utcnow())
    )
    if not result.rowcount:
        return False
    await session.refresh(run)
    kind = EventType.EVALUATION_FAILED if status == "failed" else EventType.EVALUATION_FINISHED
    await record_event(
        session,
        project_id=run.project_id,
        event_type=kind,
        data={"run_id": run.id, "name": run.name, "status": status, "error": error},
        queue=queue,
    )
    return True
