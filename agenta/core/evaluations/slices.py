"""Running one slice of a run: its units, concurrently, each cell written once as it finishes.

``SliceRunner.run`` works through the units with at most ``plan.concurrency`` of them calling
models at once. A unit invokes the application through the services layer, runs the missing
evaluators side by side on its output, then hands the invocation cell (with the invocation's
trace, and the cache entry when the cache is on) and the evaluator cells to the slice's
``CellWriter`` (group commit) and waits for the commit. It gives its calling slot back before
that wait: a group commit answers many units at once, and if they all kept their slots they
would all start their next calls in the same instant, queueing on one event loop, for every
commit. How many units may be open (calling, or waiting for their commit) is bounded too, at
``UNCOMMITTED_PER_SLOT`` times the concurrency, so a crash loses at most that many units, and
a resumed slice computes exactly those. When another worker wrote the invocation first (a
slice taken over while its first worker was still alive), the unit's verdicts are dropped and
redone, in a calling slot again, on the stored output.

When the application fails, its evaluators have nothing to judge: their cells record that
(``evaluations:invocation-failed``) so the run still completes every cell.

``StopSignal`` is checked before each unit starts: it polls the run's status (a cancelled run
stops after the units in flight) and adds up what the slice spent, counted when the models
answer (the money is spent then, committed or not), so the run stops with ``capped`` as soon
as the spend cap is reached.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import select

from agenta.core.evaluations import response_cache
from agenta.core.evaluations.cells import cell_row
from agenta.core.evaluations.invoking import AppTarget, invoke
from agenta.core.evaluations.llm_access import Meter, ProjectModels
from agenta.core.evaluations.models import (
    CELL_ERROR,
    CELL_SUCCESS,
    FINISHED_STATUSES,
    EvaluationCell,
    EvaluationRun,
)
from agenta.core.evaluations.plan import EvaluatorStep, RunPlan
from agenta.core.evaluations.units import Unit
from agenta.core.evaluations.writer import CellWriter, WriteRequest
from agenta.core.evaluators.builtins import EvaluatorResult, get_evaluator
from agenta.core.services.handlers import ServiceKind
from agenta.db import Database
from agenta.llm import Completion

STATUS_POLL_SECONDS = 0.5
UNCOMMITTED_PER_SLOT = 2
INVOCATION_FAILED = "evaluations:invocation-failed"


@dataclass
class StopSignal:
    """Whether the slice must stop starting units: cancelled, or spend cap reached."""

    db: Database
    run_id: uuid.UUID
    spend_cap: float | None
    spent: float = 0.0
    reason: str | None = None
    _checked_at: float = field(default=0.0)

    def add_cost(self, cost: float) -> None:
        self.spent += cost
        if self.spend_cap is not None and self.spent >= self.spend_cap:
            self.reason = self.reason or "capped"

    async def should_stop(self) -> bool:
        """True once the run was cancelled or its spend cap reached (polls at most 2x/s)."""
        if self.reason is None and time.monotonic() - self._checked_at >= STATUS_POLL_SECONDS:
            self._checked_at = time.monotonic()
            async with self.db.session() as session:
                status = await session.scalar(
                    select(EvaluationRun.status).where(EvaluationRun.id == self.run_id)
                )
            if status is None or status in FINISHED_STATUSES:
                self.reason = "cancelled"
        return self.reason is not None


class SliceRunner:
    """Computes the missing cells of one slice; see the module docstring."""

    def __init__(
        self,
        db: Database,
        run: EvaluationRun,
        plan: RunPlan,
        models: ProjectModels,
        stop: StopSignal,
        writer: CellWriter,
    ) -> None:
        self.db = db
        self.writer = writer
        self.run_id = run.id
        self.project_id = run.project_id
        self.plan = plan
        self.models = models
        self.stop = stop
        self.targets = {
            app.revision_id: AppTarget(
                app.revision_id, cast(ServiceKind, app.kind), app.parameters, app.references()
            )
            for app in plan.applications
        }

    async def run(self, units: list[Unit]) -> None:
        """Work through ``units``, at most ``plan.concurrency`` calling models at a time."""
        calling = asyncio.Semaphore(self.plan.concurrency)
        open_units = asyncio.Semaphore(self.plan.concurrency * UNCOMMITTED_PER_SLOT)

        async def one(unit: Unit) -> None:
            async with open_units:
                async with calling:
                    if await self.stop.should_stop():
                        return
                    request = await self.compute(unit)
                await self.settle(unit, request, calling)

        await asyncio.gather(*(one(unit) for unit in units))

    async def compute(self, unit: Unit) -> WriteRequest:
        """The unit's missing cells: invoke (unless already done), then evaluate."""
        if unit.invocation is not None:
            request = WriteRequest(rows=await self._verdicts(unit, unit.invocation))
        else:
            request = await self._invoke(unit)
            request.rows += await self._verdicts(unit, EvaluationCell(**request.rows[0]))
        self.stop.add_cost(sum(row["cost"] for row in request.rows))
        return request

    async def settle(self, unit: Unit, request: WriteRequest, calling: asyncio.Semaphore) -> None:
        """Commit the unit's cells; judge again when another worker's invocation won."""
        if not request.rows:
            return
        written = await self.writer.write(request)
        if not request.led_by_invocation or request.rows[0]["id"] in written:
            return
        # Another worker wrote this invocation first: judge the output it stored.
        stored = await self.writer.stored(request.rows[0])
        async with calling:
            rows = await self._verdicts(unit, stored)
        self.stop.add_cost(sum(row["cost"] for row in rows))
        if rows:
            await self.writer.write(WriteRequest(rows=rows))

    async def _invoke(self, unit: Unit) -> WriteRequest:
        use_cache = self.plan.use_cache
        result = await invoke(
            self.models,
            self.targets[unit.app.revision_id],
            unit.inputs,
            cache=self._cached if use_cache else None,
            cache_key_of=(lambda call: response_cache.cache_key(call.plan)) if use_cache else None,
        )
        row = cell_row(
            self.run_id,
            unit.key(),
            step_key=unit.app.step_key,
            testcase_id=unit.scenario.testcase_id,
            status=CELL_ERROR if result.failed else CELL_SUCCESS,
            output=result.outputs,
            error=result.error,
            error_type=result.error_type,
            trace_id=result.trace_id,
            latency_ms=result.latency_ms,
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            total_tokens=result.total_tokens,
            cost=result.cost,
            cached=result.cached,
        )
        fresh = result.completion is not None and not result.cached and not result.failed
        keep = self.plan.use_cache and fresh
        return WriteRequest(
            rows=[row],
            spans=result.spans,
            cache_key=result.cache_key if keep else None,
            completion=result.completion if keep else None,
            led_by_invocation=True,
        )

    async def _cached(self, key: str) -> Completion | None:
        async with self.db.session() as session:
            return await response_cache.lookup(session, self.project_id, key)

    async def _verdicts(self, unit: Unit, invocation: EvaluationCell) -> list[dict[str, Any]]:
        """The unit's missing evaluator cells, judged side by side."""
        if invocation.status == CELL_ERROR:
            return [self._skipped(unit, evaluator, invocation) for evaluator in unit.evaluators]
        return list(
            await asyncio.gather(
                *(self._judge(unit, evaluator, invocation) for evaluator in unit.evaluators)
            )
        )

    async def _judge(
        self, unit: Unit, evaluator: EvaluatorStep, invocation: EvaluationCell
    ) -> dict[str, Any]:
        meter = Meter()
        started = time.perf_counter()
        result = await get_evaluator(evaluator.key).evaluate(
            evaluator.settings,
            unit.inputs,
            invocation.output,
            _trace_of(invocation),
            self.models.context(meter),
        )
        elapsed = (time.perf_counter() - started) * 1000
        return self._evaluator_row(unit, evaluator, invocation, result, meter, elapsed)

    def _evaluator_row(
        self,
        unit: Unit,
        evaluator: EvaluatorStep,
        invocation: EvaluationCell,
        result: EvaluatorResult,
        meter: Meter,
        elapsed_ms: float,
    ) -> dict[str, Any]:
        return cell_row(
            self.run_id,
            unit.key(evaluator),
            step_key=evaluator.step_key,
            testcase_id=unit.scenario.testcase_id,
            status=CELL_ERROR if result.error else CELL_SUCCESS,
            output=result.details or None,
            score=result.score,
            success=result.success,
            error=result.error,
            error_type=result.error_type,
            trace_id=invocation.trace_id,
            latency_ms=elapsed_ms,
            prompt_tokens=meter.prompt_tokens,
            completion_tokens=meter.completion_tokens,
            total_tokens=meter.total_tokens,
            cost=meter.cost,
        )

    def _skipped(
        self, unit: Unit, evaluator: EvaluatorStep, invocation: EvaluationCell
    ) -> dict[str, Any]:
        return cell_row(
            self.run_id,
            unit.key(evaluator),
            step_key=evaluator.step_key,
            testcase_id=unit.scenario.testcase_id,
            status=CELL_ERROR,
            error=f"nothing to evaluate: the application failed ({invocation.error})",
            error_type=INVOCATION_FAILED,
            trace_id=invocation.trace_id,
        )


def _trace_of(invocation: EvaluationCell) -> dict[str, Any]:
    """What evaluators see of the invocation's trace: its id and its measurements."""
    return {
        "trace_id": invocation.trace_id,
        "latency_ms": invocation.latency_ms,
        "tokens": invocation.total_tokens,
        "cost": invocation.cost,
    }
