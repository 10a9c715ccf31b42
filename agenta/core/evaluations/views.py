"""JSON shapes of runs, metrics, results and comparisons, as the API answers them.

A run record answers both our pages' clients and the official SDK: ``id`` is a UUID string,
timestamps are ISO-8601, and ``status`` is ours (pending, running, succeeded, failed, cancelled,
capped) with the SDK's word for it in ``data.status`` (success, failure, cancelled...).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from agenta.core.evaluations.comparison import Comparison
from agenta.core.evaluations.metrics import RunMetrics
from agenta.core.evaluations.models import (
    CANCELLED,
    CAPPED,
    FAILED,
    PENDING,
    RUNNING,
    SUCCEEDED,
    EvaluationCell,
    EvaluationRun,
)
from agenta.core.evaluations.plan import RunPlan
from agenta.core.evaluations.results import ResultRow
from agenta.core.evaluations.stats import BootstrapResult

SDK_STATUS = {
    PENDING: "pending",
    RUNNING: "running",
    SUCCEEDED: "success",
    FAILED: "failure",
    CANCELLED: "cancelled",
    CAPPED: "errors",
}


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def progress(run: EvaluationRun, done: int | None = None) -> float:
    """The share of cells written, from 0 to 1."""
    done = run.cells_done if done is None else done
    return min(1.0, done / run.cells_total) if run.cells_total else 0.0


def run_record(run: EvaluationRun, *, done: int | None = None) -> dict[str, Any]:
    """A run with its plan, totals and progress."""
    plan = RunPlan.from_config(run.config)
    return {
        "id": str(run.id),
        "name": run.name,
        "description": run.description,
        "status": run.status,
        "origin": run.origin,
        "testset_id": _text(run.testset_id),
        "testset_revision_id": _text(run.testset_revision_id),
        "testset": plan.testset,
        "applications": [
            {
                "revision_id": str(app.revision_id),
                "application": app.application_slug,
                "variant": app.variant_slug,
                "version": app.version,
                "label": app.label,
                "step_key": app.step_key,
            }
            for app in plan.applications
        ],
        "evaluators": [
            {
                "id": _text(step.evaluator_id),
                "revision_id": str(step.revision_id),
                "slug": step.slug,
                "key": step.key,
                "version": step.version,
                "step_key": step.step_key,
            }
            for step in plan.evaluators
        ],
        "repeats": plan.repeats,
        "concurrency": plan.concurrency,
        "spend_cap": plan.spend_cap,
        "use_cache": plan.use_cache,
        "rows": run.row_count,
        "cells_total": run.cells_total,
        "cells_done": run.cells_done if done is None else done,
        "cells_failed": run.cells_failed,
        "progress": round(progress(run, done), 4),
        "tokens": run.tokens_total,
        "cost": run.cost_total,
        "error": run.error,
        "flags": run.flags or {},
        "tags": run.tags or {},
        "meta": run.meta or {},
        "data": {"status": SDK_STATUS.get(run.status, run.status)},
        "created_at": iso(run.created_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "created_by_id": _text(run.created_by_id),
    }


def metrics_record(plan: RunPlan, metrics: RunMetrics) -> dict[str, Any]:
    """Per app revision: invocation metrics and each evaluator's metrics (keyed by slug)."""
    found = []
    for app in plan.applications:
        invocation = metrics.invocation(app.revision_id)
        found.append(
            {
                "revision_id": str(app.revision_id),
                "label": app.label,
                "invocations": asdict(invocation),
                "evaluators": {
                    step.slug: asdict(metrics.evaluator(app.revision_id, step.revision_id))
                    for step in plan.evaluators
                },
            }
        )
    return {"applications": found}


def cell_record(cell: EvaluationCell | None) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {
        "id": str(cell.id),
        "status": cell.status,
        "output": cell.output,
        "score": cell.score,
        "success": cell.success,
        "error": cell.error,
        "error_type": cell.error_type,
        "trace_id": cell.trace_id,
        "latency_ms": cell.latency_ms,
        "tokens": cell.total_tokens,
        "cost": cell.cost,
        "cached": cell.cached,
    }


def row_record(plan: RunPlan, row: ResultRow) -> dict[str, Any]:
    """One results row with every entry's invocation and evaluations."""
    slugs = {step.revision_id: step.slug for step in plan.evaluators}
    return {
        "row": row.row_index,
        "testcase_id": _text(row.testcase_id),
        "inputs": row.inputs,
        "entries": [
            {
                "revision_id": str(entry.revision_id),
                "repeat": entry.repeat,
                "invocation": cell_record(entry.invocation),
                "evaluations": {
                    slugs.get(key, str(key)): cell_record(cell)
                    for key, cell in entry.evaluations.items()
                },
            }
            for entry in row.entries
        ],
    }


def bootstrap_record(result: BootstrapResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "rows": result.rows,
        "mean_difference": result.mean_difference,
        "ci_low": result.low,
        "ci_high": result.high,
        "confidence": result.confidence,
        "verdict": result.verdict,
    }


def comparison_record(comparison: Comparison) -> dict[str, Any]:
    """Columns, metrics with deltas and significance, and rows side by side."""
    return {
        "columns": [
            {
                "run_id": str(column.run.id),
                "revision_id": str(column.app.revision_id),
                "label": column.label,
            }
            for column in comparison.columns
        ],
        "metrics": [
            {
                "name": metric.name,
                "higher_is_better": metric.higher_is_better,
                "values": metric.values,
                "deltas": metric.deltas,
                "tests": [bootstrap_record(test) for test in metric.tests],
            }
            for metric in comparison.metrics
        ],
        "rows": [
            {"inputs": row.inputs, "outputs": row.outputs, "values": row.values}
            for row in comparison.rows
        ],
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
