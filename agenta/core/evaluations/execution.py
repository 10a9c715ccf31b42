"""Running a run: one slice of its rows per job, each slice enqueuing the next.

``run_slice(run_id, chunk)`` (``worker-evaluations``' role) starts the run on its first slice
(status running, scenarios copied from the test set), computes the slice's missing cells with a
``SliceRunner``, refreshes the run's totals, then either enqueues slice ``chunk + 1`` (one
idempotency key per run and slice, so a replayed slice never forks the chain) or finishes the
run. A worker killed mid-slice leaves the job's lease to expire; the job system runs the slice
again and, since written cells are skipped, the run completes with every cell exactly once.

The per-slice resources (``llm_access.open_models``) are closed when the slice ends; model calls
go through the runner's LLM client, so connections to providers outlive slices.
A slice that keeps failing marks the run failed on its last try.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.evaluations.cells import counts, done_keys
from agenta.core.evaluations.jobs import RUN_JOB, SLICE_TRIES
from agenta.core.evaluations.llm_access import open_models
from agenta.core.evaluations.models import (
    CAPPED,
    CELL_ERROR,
    FAILED,
    FINISHED_STATUSES,
    INVOCATION,
    PENDING,
    SUCCEEDED,
    EvaluationCell,
    EvaluationRun,
)
from agenta.core.evaluations.plan import RunPlan
from agenta.core.evaluations.runs import (
    finish_run,
    mark_running,
    refresh_totals,
    slice_key,
)
from agenta.core.evaluations.scenarios import copy_testset_rows, scenario_count, scenarios_between
from agenta.core.evaluations.slices import SliceRunner, StopSignal
from agenta.core.evaluations.units import Unit, missing_units
from agenta.core.evaluations.writer import CellWriter
from agenta.jobs.registry import JobContext

log = logging.getLogger("agenta.evaluations")

CODE_EVALUATOR = "auto_custom_code_run"


async def run_slice(ctx: JobContext, run_id: str, chunk: int = 0) -> None:
    """Job: compute slice ``chunk`` of run ``run_id`` (see the module docstring)."""
    run_uuid = uuid.UUID(run_id)
    try:
        await process_slice(ctx, run_uuid, chunk)
    except Exception as error:
        if ctx.attempt >= SLICE_TRIES:
            async with ctx.db.session() as session:
                run = await session.get(EvaluationRun, run_uuid)
                if run is not None:
                    await finish_run(session, run, FAILED, error=str(error)[:2000])
        raise


async def process_slice(ctx: JobContext, run_id: uuid.UUID, chunk: int) -> None:
    """Start the run if needed, fill the slice's missing cells, then move on."""
    async with ctx.db.session() as session:
        run = await session.get(EvaluationRun, run_id)
        if run is None or run.status in FINISHED_STATUSES:
            return
        if run.status == PENDING:
            await mark_running(session, run_id)
        if await scenario_count(session, run_id) == 0 and run.testset_revision_id:
            await copy_testset_rows(session, run_id, run.testset_revision_id)
        plan = RunPlan.from_config(run.config)
        start, stop = chunk * plan.chunk_rows, (chunk + 1) * plan.chunk_rows
        units = missing_units(
            plan,
            await scenarios_between(session, run_id, start, stop),
            await done_keys(session, run_id, start, stop),
        )
        spent = (await counts(session, run_id)).cost
    reason = await _compute(ctx, run, plan, units, spent) if units else None
    await _after_slice(ctx, run_id, chunk, stop, reason)


async def _compute(
    ctx: JobContext, run: EvaluationRun, plan: RunPlan, units: list[Unit], spent: float
) -> str | None:
    signal = StopSignal(ctx.db, run.id, plan.spend_cap, spent=spent)
    if signal.spend_cap is not None and spent >= signal.spend_cap:
        return "capped"
    needs_sandbox = any(step.key == CODE_EVALUATOR for step in plan.evaluators)
    async with (
        open_models(
            ctx.settings, ctx.db, run.project_id, sandbox=needs_sandbox, client=ctx.llm
        ) as models,
        CellWriter(ctx.db, run.project_id) as writer,
    ):
        await SliceRunner(ctx.db, run, plan, models, signal, writer).run(units)
    return signal.reason


async def _after_slice(
    ctx: JobContext, run_id: uuid.UUID, chunk: int, stop: int, reason: str | None
) -> None:
    async with ctx.db.session() as session:
        run = await session.get(EvaluationRun, run_id)
        if run is None:
            return
        await refresh_totals(session, run)
        if run.status in FINISHED_STATUSES:
            return
        if reason == "capped":
            cap = RunPlan.from_config(run.config).spend_cap
            spent = f"${run.cost_total:.4f}"
            message = f"stopped: the spend cap of ${cap:g} was reached (spent {spent})"
            await finish_run(session, run, CAPPED, error=message, queue=ctx.queue)
        elif stop < run.row_count:
            await ctx.queue.enqueue(
                RUN_JOB,
                session=session,
                idempotency_key=slice_key(run_id, chunk + 1),
                run_id=run_id,
                chunk=chunk + 1,
            )
        else:
            status, error = await _final_status(session, run)
            await finish_run(session, run, status, error=error, queue=ctx.queue)


async def _final_status(session: AsyncSession, run: EvaluationRun) -> tuple[str, str | None]:
    """Failed when no invocation succeeded (the first error says why), else succeeded."""
    invocations = EvaluationCell.evaluator_id == INVOCATION
    succeeded = await session.scalar(
        select(EvaluationCell.id)
        .where(EvaluationCell.run_id == run.id, invocations, EvaluationCell.status != CELL_ERROR)
        .limit(1)
    )
    if succeeded is not None:
        return SUCCEEDED, None
    first_error = await session.scalar(
        select(EvaluationCell.error)
        .where(EvaluationCell.run_id == run.id, invocations)
        .order_by(EvaluationCell.row_index)
        .limit(1)
    )
    return FAILED, f"every invocation failed; the first: {first_error}"
