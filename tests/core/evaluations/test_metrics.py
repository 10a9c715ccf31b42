"""Run metrics from cells: values, pass rates, percentiles, errors, and metric names."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from agenta.core.evaluations.metrics import (
    cell_value,
    compute_metrics,
    metric_value,
    percentile,
    split_metric_name,
)
from agenta.core.evaluations.models import INVOCATION, EvaluationCell
from agenta.core.evaluations.plan import AppStep, EvaluatorStep, RunPlan

APP = uuid.uuid4()
JUDGE = uuid.uuid4()
EXACT = uuid.uuid4()
PLAN = RunPlan(
    applications=(AppStep(APP),),
    evaluators=(EvaluatorStep(JUDGE, slug="judge"), EvaluatorStep(EXACT, slug="exact")),
)


def cell(evaluator: uuid.UUID = INVOCATION, row: int = 0, **values: Any) -> EvaluationCell:
    fields = {"status": "success", "cost": 0.0, "total_tokens": 0, **values}
    return EvaluationCell(
        run_id=uuid.uuid4(), row_index=row, revision_id=APP, repeat=0, evaluator_id=evaluator,
        **fields,
    )  # fmt: skip


def test_a_cell_value_is_its_score_else_its_verdict() -> None:
    assert cell_value(cell(JUDGE, score=0.7, success=True)) == 0.7
    assert cell_value(cell(EXACT, success=False)) == 0.0
    assert cell_value(cell(EXACT, success=True)) == 1.0
    assert cell_value(cell(EXACT, status="error", success=True)) is None
    assert cell_value(cell(EXACT)) is None


def test_percentiles_interpolate() -> None:
    assert percentile([10.0, 20.0, 30.0, 40.0], 0.5) == 25.0
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([], 0.5) is None


def test_evaluator_metrics_leave_errors_out_of_means_and_rates() -> None:
    cells = [
        cell(JUDGE, 0, score=1.0, success=True),
        cell(JUDGE, 1, score=0.5, success=False),
        cell(JUDGE, 2, status="error", error="the judge failed"),
    ]
    found = compute_metrics(cells).evaluator(APP, JUDGE)
    assert (found.count, found.errors) == (3, 1)
    assert (found.value, found.score_mean, found.pass_rate) == (0.75, 0.75, 0.5)


def test_invocation_metrics_sum_cost_and_tokens_and_measure_latency() -> None:
    cells = [
        cell(latency_ms=100.0, cost=0.01, total_tokens=10),
        cell(latency_ms=300.0, cost=0.03, total_tokens=30),
        cell(status="error", latency_ms=5.0),
    ]
    found = compute_metrics(cells).invocation(APP)
    assert (found.count, found.errors, found.tokens_total) == (3, 1, 40)
    assert found.cost_total == pytest.approx(0.04)
    assert (found.latency_mean, found.latency_p50) == (200.0, 200.0)


def test_metrics_are_read_by_the_names_thresholds_use() -> None:
    metrics = compute_metrics(
        [cell(JUDGE, 0, score=0.8, success=True), cell(EXACT, 0, success=False)]
    )
    assert metric_value(PLAN, metrics, APP, "judge") == 0.8
    assert metric_value(PLAN, metrics, APP, "judge.score") == 0.8
    assert metric_value(PLAN, metrics, APP, "judge.pass_rate") == 1.0
    assert metric_value(PLAN, metrics, APP, "exact.score") is None
    with pytest.raises(KeyError, match="the run has no evaluator 'regex'"):
        metric_value(PLAN, metrics, APP, "regex")


def test_a_slug_with_dots_keeps_them_unless_the_last_part_is_a_statistic() -> None:
    assert split_metric_name("v1.judge") == ("v1.judge", "value")
    assert split_metric_name("v1.judge.pass_rate") == ("v1.judge", "pass_rate")
