"""The results table of a run: one row per test case, its outputs and verdicts, filtered and sorted.

``build_rows`` joins a run's scenarios with its cells: each row holds, per app revision and
repeat, the invocation cell and the evaluator cells. ``select_rows`` applies a ``ResultQuery``:
free-text search over inputs and outputs, only failed rows, only rows where one evaluator
passed or failed; sort by row, latency, cost or an evaluator's value; then one page.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from agenta.core.evaluations.metrics import cell_value
from agenta.core.evaluations.models import (
    CELL_ERROR,
    INVOCATION,
    EvaluationCell,
    EvaluationScenario,
)
from agenta.core.evaluations.plan import RunPlan

PER_PAGE = 50
SORTS = ("row", "latency", "cost")


@dataclass(frozen=True)
class ResultEntry:
    """One app revision's attempt at a row (one repeat): its output and its verdicts."""

    revision_id: uuid.UUID
    repeat: int
    invocation: EvaluationCell | None
    evaluations: dict[uuid.UUID, EvaluationCell] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        cells = [self.invocation, *self.evaluations.values()]
        return any(cell is not None and cell.status == CELL_ERROR for cell in cells)


@dataclass(frozen=True)
class ResultRow:
    """One test case of the run with every entry for it."""

    row_index: int
    inputs: dict[str, Any]
    testcase_id: uuid.UUID | None
    entries: tuple[ResultEntry, ...]

    @property
    def failed(self) -> bool:
        return any(entry.failed for entry in self.entries)

    def value(self, evaluator_id: uuid.UUID) -> float | None:
        """The mean value of one evaluator over the row's entries."""
        values = [
            v
            for entry in self.entries
            if (cell := entry.evaluations.get(evaluator_id)) is not None
            and (v := cell_value(cell)) is not None
        ]
        return sum(values) / len(values) if values else None

    def passed(self, evaluator_id: uuid.UUID) -> bool:
        """True when every verdict of one evaluator on the row is a pass."""
        cells = [e.evaluations[evaluator_id] for e in self.entries if evaluator_id in e.evaluations]
        verdicts = [cell.success for cell in cells if cell.status != CELL_ERROR]
        if verdicts and all(verdict is not None for verdict in verdicts):
            return all(verdicts)
        value = self.value(evaluator_id)
        return value is not None and value >= 0.5

    def total(self, column: str) -> float:
        """The row's summed ``latency_ms`` or ``cost`` over its invocations."""
        return sum(
            getattr(entry.invocation, column) or 0.0
            for entry in self.entries
            if entry.invocation is not None
        )

    def text(self) -> str:
        """Everything searchable in the row, lower-cased."""
        outputs = [entry.invocation.output for entry in self.entries if entry.invocation]
        return json.dumps([self.inputs, outputs], ensure_ascii=False, default=str).lower()


@dataclass(frozen=True)
class ResultQuery:
    """How to filter, sort and page the results table."""

    search: str = ""
    failed_only: bool = False
    evaluator_id: uuid.UUID | None = None
    verdict: str | None = None  # "pass" | "fail", with evaluator_id
    sort: str = "row"  # "row" | "latency" | "cost" | an evaluator revision id
    descending: bool = False
    page: int = 1
    per_page: int = PER_PAGE


def build_rows(
    plan: RunPlan, scenarios: Sequence[EvaluationScenario], cells: Iterable[EvaluationCell]
) -> list[ResultRow]:
    """The table rows of a run, in row order."""
    by_entry: dict[tuple[int, uuid.UUID, int], dict[uuid.UUID, EvaluationCell]] = {}
    for cell in cells:
        by_entry.setdefault((cell.row_index, cell.revision_id, cell.repeat), {})[
            cell.evaluator_id
        ] = cell
    rows = []
    for scenario in scenarios:
        entries = []
        for app in plan.applications:
            for repeat in range(plan.repeats):
                found = by_entry.get((scenario.row_index, app.revision_id, repeat), {})
                invocation = found.pop(INVOCATION, None)
                entries.append(ResultEntry(app.revision_id, repeat, invocation, found))
        inputs = dict(scenario.inputs or {})
        rows.append(ResultRow(scenario.row_index, inputs, scenario.testcase_id, tuple(entries)))
    return rows


def select_rows(rows: Sequence[ResultRow], query: ResultQuery) -> tuple[list[ResultRow], int]:
    """The page of rows matching ``query``, and how many match in all."""
    matching = [row for row in rows if _matches(row, query)]
    matching.sort(key=_sort_key(query), reverse=query.descending)
    per_page = max(1, min(query.per_page, 500))
    start = (max(query.page, 1) - 1) * per_page
    return matching[start : start + per_page], len(matching)


def _matches(row: ResultRow, query: ResultQuery) -> bool:
    if query.failed_only and not row.failed:
        return False
    if query.search and query.search.lower() not in row.text():
        return False
    if query.evaluator_id is not None and query.verdict in ("pass", "fail"):
        passed = row.passed(query.evaluator_id)
        return passed if query.verdict == "pass" else not passed
    return True


def _sort_key(query: ResultQuery) -> Any:
    if query.sort == "latency":
        return lambda row: row.total("latency_ms")
    if query.sort == "cost":
        return lambda row: row.total("cost")
    evaluator_id = _uuid(query.sort)
    if evaluator_id is not None:
        missing = float("-inf") if query.descending else float("inf")
        return lambda row: v if (v := row.value(evaluator_id)) is not None else missing
    return lambda row: row.row_index


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
