"""Exporting a run's results as CSV or JSON: one record per row, app revision and repeat.

A record carries the row number and repeat, the application revision, the test case's inputs,
the output (or the error), latency, tokens, cost and trace id, and per evaluator its score,
verdict and error. CSV flattens it into columns (``inputs.<column>``, ``<evaluator>.score`` ...;
objects become JSON text); JSON keeps the nesting and adds each evaluator's details. Both are
produced a line at a time, so a large run streams.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from typing import Any

from agenta.core.evaluations.models import EvaluationCell
from agenta.core.evaluations.plan import RunPlan
from agenta.core.evaluations.results import ResultEntry, ResultRow

FORMATS = ("csv", "json")
EVALUATION_PARTS = ("score", "success", "error")


def check_format(fmt: str) -> str:
    """``csv`` or ``json``; anything else is a ``ValueError`` naming the choices."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be csv or json, got {fmt!r}")
    return fmt


def records(plan: RunPlan, rows: Sequence[ResultRow]) -> Iterator[dict[str, Any]]:
    """One nested record per row, app revision and repeat."""
    apps = {app.revision_id: app for app in plan.applications}
    for row in rows:
        for entry in row.entries:
            yield _record(plan, apps[entry.revision_id].label, row, entry)


def _record(plan: RunPlan, app_label: str, row: ResultRow, entry: ResultEntry) -> dict[str, Any]:
    invocation = entry.invocation
    return {
        "row": row.row_index,
        "repeat": entry.repeat,
        "application": app_label,
        "application_revision_id": str(entry.revision_id),
        "testcase_id": str(row.testcase_id) if row.testcase_id else None,
        "inputs": row.inputs,
        "output": invocation.output if invocation else None,
        "error": invocation.error if invocation else None,
        "trace_id": invocation.trace_id if invocation else None,
        "latency_ms": _rounded(invocation.latency_ms) if invocation else None,
        "tokens": invocation.total_tokens if invocation else None,
        "cost": invocation.cost if invocation else None,
        "cached": invocation.cached if invocation else None,
        "evaluations": {
            step.slug: _evaluation(entry.evaluations.get(step.revision_id))
            for step in plan.evaluators
        },
    }


def _evaluation(cell: EvaluationCell | None) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {
        "score": cell.score,
        "success": cell.success,
        "error": cell.error,
        "details": cell.output,
        "cost": cell.cost,
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def json_lines(plan: RunPlan, rows: Sequence[ResultRow]) -> Iterator[str]:
    """A JSON array, one record per line."""
    yield "[\n"
    for index, record in enumerate(records(plan, rows)):
        prefix = "" if index == 0 else ",\n"
        yield prefix + json.dumps(record, ensure_ascii=False, default=str)
    yield "\n]\n"


def csv_lines(plan: RunPlan, rows: Sequence[ResultRow]) -> Iterator[str]:
    """A CSV file: a header, then one flattened record per line."""
    input_columns = _input_columns(rows)
    header = [
        "row",
        "repeat",
        "application",
        *(f"inputs.{name}" for name in input_columns),
        "output",
        "error",
        *(f"{step.slug}.{part}" for step in plan.evaluators for part in EVALUATION_PARTS),
        "latency_ms",
        "tokens",
        "cost",
        "trace_id",
    ]
    yield _csv_line(header)
    for record in records(plan, rows):
        yield _csv_line(_flat(record, input_columns, plan))


def _flat(record: dict[str, Any], input_columns: list[str], plan: RunPlan) -> list[Any]:
    evaluations = record["evaluations"]
    judged = []
    for step in plan.evaluators:
        found = evaluations.get(step.slug) or {}
        judged += [found.get("score"), found.get("success"), found.get("error")]
    return [
        record["row"],
        record["repeat"],
        record["application"],
        *(record["inputs"].get(name) for name in input_columns),
        record["output"],
        record["error"],
        *judged,
        record["latency_ms"],
        record["tokens"],
        record["cost"],
        record["trace_id"],
    ]


def _input_columns(rows: Sequence[ResultRow]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row.inputs))
    return list(seen)


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([_csv_cell(value) for value in values])
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
