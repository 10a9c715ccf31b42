"""Review items from evaluation runs: one app revision's rows, or two revisions' rows side by side.

A side of a review is one application revision in one finished run (a run with a single app
revision needs no revision named). ``run_rows`` gives one item per row of the run: the test
case's inputs, the app's output (first repeat) and the reference answer, linked to the row and
its trace. ``ab_pairs`` gives one item per row both sides ran, holding both outputs; the sides
must come from runs on the same test set revision, so their rows are the same test cases.

Runs that have not finished are refused: their outputs are still being written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.annotations.models import AB_PAIR, RUN_ROW
from agenta.core.annotations.queues import ItemInput
from agenta.core.evaluations.cells import run_cells
from agenta.core.evaluations.models import (
    FINISHED_STATUSES,
    INVOCATION,
    EvaluationCell,
    EvaluationRun,
)
from agenta.core.evaluations.plan import AppStep, RunPlan
from agenta.core.evaluations.runs import get_run
from agenta.core.evaluations.scenarios import run_scenarios
from agenta.errors import AppError, Conflict, NotFound


@dataclass(frozen=True)
class RunSide:
    """One application revision of one run (the run's only one when not named)."""

    run_id: uuid.UUID
    revision_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ResolvedSide:
    run: EvaluationRun
    plan: RunPlan
    app: AppStep

    def describe(self) -> dict[str, Any]:
        """What a queue's ``source`` records about this side."""
        return {
            "run_id": str(self.run.id),
            "run_name": self.run.name,
            "revision_id": str(self.app.revision_id),
            "label": self.app.label,
        }


async def resolve_side(session: AsyncSession, project_id: uuid.UUID, side: RunSide) -> ResolvedSide:
    """The run and app revision of a side, checked (finished run, known revision)."""
    run = await get_run(session, project_id, side.run_id)
    if run.status not in FINISHED_STATUSES:
        raise Conflict(f"run {run.name!r} is {run.status}: review it once it has finished")
    plan = RunPlan.from_config(run.config)
    if side.revision_id is None:
        if len(plan.applications) != 1:
            labels = ", ".join(f"{a.label} ({a.revision_id})" for a in plan.applications)
            raise AppError(f"run {run.name!r} ran several revisions; choose one: {labels}")
        return ResolvedSide(run, plan, plan.applications[0])
    app = plan.application(side.revision_id)
    if app is None:
        raise NotFound(f"run {run.name!r} did not run revision {side.revision_id}")
    return ResolvedSide(run, plan, app)


async def run_rows(
    session: AsyncSession, project_id: uuid.UUID, side: RunSide
) -> tuple[list[ItemInput], dict[str, Any]]:
    """One item per row of a run's revision, and the queue source describing it."""
    found = await resolve_side(session, project_id, side)
    outputs = await _outputs(session, found)
    answer_column = str(found.plan.testset.get("answer_column") or "")
    items = []
    for scenario in await run_scenarios(session, found.run.id):
        cell = outputs.get(scenario.row_index)
        items.append(
            ItemInput(
                kind=RUN_ROW,
                content={
                    "title": f"Row {scenario.row_index + 1}",
                    "inputs": scenario.inputs,
                    "outputs": cell.output if cell else None,
                    "error": cell.error if cell else None,
                    "reference": scenario.inputs.get(answer_column) if answer_column else None,
                },
                trace_id=cell.trace_id if cell else None,
                run_id=found.run.id,
                row_index=scenario.row_index,
                testcase_id=scenario.testcase_id,
            )
        )
    return items, {"type": "run", **found.describe()}


async def ab_pairs(
    session: AsyncSession, project_id: uuid.UUID, a: RunSide, b: RunSide
) -> tuple[list[ItemInput], dict[str, Any]]:
    """One item per row both sides ran, with both outputs, and the queue source."""
    side_a = await resolve_side(session, project_id, a)
    side_b = await resolve_side(session, project_id, b)
    if (side_a.run.id, side_a.app.revision_id) == (side_b.run.id, side_b.app.revision_id):
        raise AppError("an A/B review needs two different sides; both name the same one")
    if side_a.run.testset_revision_id != side_b.run.testset_revision_id:
        raise AppError("both runs must be on the same test set revision to compare their rows")
    outputs_a, outputs_b = await _outputs(session, side_a), await _outputs(session, side_b)
    answer_column = str(side_a.plan.testset.get("answer_column") or "")
    items = []
    for scenario in await run_scenarios(session, side_a.run.id):
        cell_a, cell_b = outputs_a.get(scenario.row_index), outputs_b.get(scenario.row_index)
        if cell_a is None or cell_b is None:
            continue
        items.append(
            ItemInput(
                kind=AB_PAIR,
                content={
                    "title": f"Row {scenario.row_index + 1}",
                    "inputs": scenario.inputs,
                    "output_a": cell_a.output,
                    "output_b": cell_b.output,
                    "trace_a": cell_a.trace_id,
                    "trace_b": cell_b.trace_id,
                    "reference": scenario.inputs.get(answer_column) if answer_column else None,
                },
                run_id=side_a.run.id,
                row_index=scenario.row_index,
                testcase_id=scenario.testcase_id,
            )
        )
    return items, {"type": "ab", "a": side_a.describe(), "b": side_b.describe()}


async def _outputs(session: AsyncSession, side: ResolvedSide) -> dict[int, EvaluationCell]:
    """The side's invocation cell of the first repeat, by row."""
    cells = await run_cells(session, [side.run.id])
    return {
        cell.row_index: cell
        for cell in cells
        if cell.evaluator_id == INVOCATION
        and cell.revision_id == side.app.revision_id
        and cell.repeat == 0
    }
