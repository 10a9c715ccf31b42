"""Comparing runs on the same test set: side by side per row, deltas and significance.

Each (run, app revision) is a column; the first column is the baseline. Rows are matched by
test case (its content id, so two revisions of a test set still line up on the rows they share),
falling back to the row number. For every evaluator of the baseline (matched in the other runs
by configuration, else by slug), and for cost and latency, a ``MetricRow`` gives each column's
mean, its delta from the baseline and a paired bootstrap of the difference over shared rows,
which says whether the column is better, worse, or not significantly different.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.evaluations.cells import run_cells
from agenta.core.evaluations.metrics import cell_value, mean
from agenta.core.evaluations.models import CELL_ERROR, INVOCATION, EvaluationCell, EvaluationRun
from agenta.core.evaluations.plan import AppStep, EvaluatorStep, RunPlan
from agenta.core.evaluations.runs import get_run
from agenta.core.evaluations.scenarios import run_scenarios
from agenta.core.evaluations.stats import BootstrapResult, paired_bootstrap, paired_rows
from agenta.errors import AppError

MAX_RUNS = 6


@dataclass(frozen=True)
class Column:
    """One app revision of one run."""

    run: EvaluationRun
    plan: RunPlan
    app: AppStep

    @property
    def label(self) -> str:
        return f"{self.run.name} · {self.app.label}"

    def evaluator_like(self, wanted: EvaluatorStep) -> EvaluatorStep | None:
        """This run's evaluator matching ``wanted`` (same configuration, else same slug)."""
        for step in self.plan.evaluators:
            if wanted.evaluator_id is not None and step.evaluator_id == wanted.evaluator_id:
                return step
        return next((step for step in self.plan.evaluators if step.slug == wanted.slug), None)


@dataclass(frozen=True)
class MetricRow:
    """One metric across the columns."""

    name: str
    higher_is_better: bool
    values: list[float | None]
    deltas: list[float | None]
    tests: list[BootstrapResult | None]


@dataclass(frozen=True)
class ComparedRow:
    """One test case: its inputs, each column's output and each metric's values."""

    key: Hashable
    inputs: dict[str, Any]
    outputs: list[Any]
    values: dict[str, list[float | None]]


@dataclass(frozen=True)
class Comparison:
    columns: list[Column]
    metrics: list[MetricRow]
    rows: list[ComparedRow]


PerRow = dict[Hashable, float]


async def compare_runs(
    session: AsyncSession, project_id: uuid.UUID, run_ids: Sequence[uuid.UUID]
) -> Comparison:
    """The comparison of ``run_ids`` (in that order; the first is the baseline)."""
    if not 1 <= len(run_ids) <= MAX_RUNS:
        raise AppError(f"compare between 1 and {MAX_RUNS} runs, got {len(run_ids)}")
    runs = [await get_run(session, project_id, run_id) for run_id in run_ids]
    testsets = {run.testset_id for run in runs}
    if len(testsets) > 1:
        raise AppError("these runs are on different test sets: compare runs of one test set")
    columns = [
        Column(run, plan, app)
        for run, plan in ((run, _plan(run)) for run in runs)
        for app in plan.applications
    ]
    if len(columns) < 2:
        raise AppError("pick at least two runs (or one run with two app revisions) to compare")
    keys: dict[uuid.UUID, dict[int, Hashable]] = {}
    inputs: dict[Hashable, dict[str, Any]] = {}
    cells_by_run: dict[uuid.UUID, list[EvaluationCell]] = {}
    for run in runs:
        keys[run.id] = {}
        for scenario in await run_scenarios(session, run.id):
            key = scenario.testcase_id or ("row", scenario.row_index)
            keys[run.id][scenario.row_index] = key
            inputs.setdefault(key, dict(scenario.inputs or {}))
        cells_by_run[run.id] = await run_cells(session, [run.id])
    return _build(columns, keys, inputs, cells_by_run)


def _plan(run: EvaluationRun) -> RunPlan:
    return RunPlan.from_config(run.config)


def _build(
    columns: list[Column],
    keys: dict[uuid.UUID, dict[int, Hashable]],
    inputs: dict[Hashable, dict[str, Any]],
    cells_by_run: dict[uuid.UUID, list[EvaluationCell]],
) -> Comparison:
    per_column = [_column_cells(column, cells_by_run[column.run.id]) for column in columns]
    metrics: list[tuple[str, bool, list[PerRow]]] = []
    for step in columns[0].plan.evaluators:
        found = [
            _values(cells, keys[col.run.id], evaluator=match.revision_id)
            if (match := col.evaluator_like(step))
            else {}
            for col, cells in zip(columns, per_column, strict=True)
        ]
        metrics.append((step.label, True, found))
    for name, attribute in (("cost (USD)", "cost"), ("latency (ms)", "latency_ms")):
        found = [
            _values(cells, keys[col.run.id], attribute=attribute)
            for col, cells in zip(columns, per_column, strict=True)
        ]
        metrics.append((name, False, found))
    return Comparison(
        columns=columns,
        metrics=[_metric_row(name, higher, found) for name, higher, found in metrics],
        rows=_rows(columns, per_column, keys, inputs, metrics),
    )


def _column_cells(column: Column, cells: list[EvaluationCell]) -> list[EvaluationCell]:
    return [cell for cell in cells if cell.revision_id == column.app.revision_id]


def _values(
    cells: list[EvaluationCell],
    keys: dict[int, Hashable],
    *,
    evaluator: uuid.UUID | None = None,
    attribute: str | None = None,
) -> PerRow:
    """Per row key, the mean over repeats of an evaluator's values or an invocation measure."""
    collected: dict[Hashable, list[float]] = defaultdict(list)
    for cell in cells:
        if evaluator is not None and cell.evaluator_id == evaluator:
            value = cell_value(cell)
        elif attribute is not None and cell.evaluator_id == INVOCATION:
            value = None if cell.status == CELL_ERROR else getattr(cell, attribute)
        else:
            continue
        if value is not None and cell.row_index in keys:
            collected[keys[cell.row_index]].append(float(value))
    return {key: sum(found) / len(found) for key, found in collected.items()}


def _metric_row(name: str, higher_is_better: bool, found: list[PerRow]) -> MetricRow:
    baseline = found[0]
    values = [mean(list(column.values())) for column in found]
    deltas: list[float | None] = [None]
    tests: list[BootstrapResult | None] = [None]
    for index, column in enumerate(found[1:], start=1):
        value, base = values[index], values[0]
        deltas.append(None if value is None or base is None else value - base)
        before, after = paired_rows(baseline, column)
        tests.append(paired_bootstrap(before, after, higher_is_better=higher_is_better))
    return MetricRow(name, higher_is_better, values, deltas, tests)


def _rows(
    columns: list[Column],
    per_column: list[list[EvaluationCell]],
    keys: dict[uuid.UUID, dict[int, Hashable]],
    inputs: dict[Hashable, dict[str, Any]],
    metrics: list[tuple[str, bool, list[PerRow]]],
) -> list[ComparedRow]:
    outputs = [
        _first_outputs(cells, keys[col.run.id])
        for col, cells in zip(columns, per_column, strict=True)
    ]
    return [
        ComparedRow(
            key=key,
            inputs=row_inputs,
            outputs=[found.get(key) for found in outputs],
            values={name: [column.get(key) for column in found] for name, _, found in metrics},
        )
        for key, row_inputs in inputs.items()
    ]


def _first_outputs(cells: list[EvaluationCell], keys: dict[int, Hashable]) -> dict[Hashable, Any]:
    """Per row key, the output (or error) of the first repeat."""
    found: dict[Hashable, Any] = {}
    for cell in cells:
        if cell.evaluator_id == INVOCATION and cell.repeat == 0 and cell.row_index in keys:
            found[keys[cell.row_index]] = cell.output if cell.error is None else cell.error
    return found
