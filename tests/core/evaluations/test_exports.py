"""Exports and the results table, from rows built in memory."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

from agenta.core.evaluations.exports import csv_lines, json_lines
from agenta.core.evaluations.models import INVOCATION, EvaluationCell, EvaluationScenario
from agenta.core.evaluations.plan import AppStep, EvaluatorStep, RunPlan
from agenta.core.evaluations.results import ResultQuery, build_rows, select_rows

APP = uuid.uuid4()
EXACT = uuid.uuid4()
PLAN = RunPlan(
    applications=(AppStep(APP, application_slug="qa", variant_slug="v", version=2),),
    evaluators=(EvaluatorStep(EXACT, slug="exact"),),
    repeats=2,
)


def scenario(row: int, **inputs: Any) -> EvaluationScenario:
    return EvaluationScenario(run_id=uuid.uuid4(), row_index=row, inputs=inputs)


def cell(row: int, repeat: int, evaluator: uuid.UUID = INVOCATION, **values: Any) -> EvaluationCell:
    base = {"status": "success", "cost": 0.0, "total_tokens": 0, "cached": False}
    return EvaluationCell(
        run_id=uuid.uuid4(),
        row_index=row,
        revision_id=APP,
        repeat=repeat,
        evaluator_id=evaluator,
        **{**base, **values},
    )


ROWS = build_rows(
    PLAN,
    [scenario(0, question="2+2", meta={"level": 1}), scenario(1, question="capital")],
    [
        cell(0, 0, output={"answer": 4}, latency_ms=10.0, cost=0.5),
        cell(0, 1, output={"answer": 5}, latency_ms=30.0, cost=0.5),
        cell(0, 0, EXACT, success=True),
        cell(0, 1, EXACT, success=False),
        cell(1, 0, status="error", error="timed out", latency_ms=99.0),
        cell(1, 0, EXACT, status="error", error="nothing to evaluate"),
    ],
)


def test_csv_has_one_line_per_row_and_repeat_with_objects_as_json() -> None:
    table = list(csv.DictReader(io.StringIO("".join(csv_lines(PLAN, ROWS)))))
    assert [(r["row"], r["repeat"]) for r in table] == [
        ("0", "0"),
        ("0", "1"),
        ("1", "0"),
        ("1", "1"),
    ]
    assert table[0]["application"] == "qa/v v2"
    assert json.loads(table[0]["inputs.meta"]) == {"level": 1}
    assert json.loads(table[0]["output"]) == {"answer": 4}
    assert (table[0]["exact.success"], table[1]["exact.success"]) == ("true", "false")
    assert table[2]["error"] == "timed out"
    assert table[3]["output"] == "" and table[3]["exact.success"] == ""


def test_json_keeps_the_nesting_and_each_evaluation() -> None:
    records = json.loads("".join(json_lines(PLAN, ROWS)))
    assert len(records) == 4
    assert records[0]["inputs"] == {"question": "2+2", "meta": {"level": 1}}
    assert records[0]["evaluations"]["exact"]["success"] is True
    assert records[3]["evaluations"]["exact"] is None


def test_a_row_passes_only_when_every_repeat_passes() -> None:
    passed, _ = select_rows(ROWS, ResultQuery(evaluator_id=EXACT, verdict="pass"))
    failed, count = select_rows(ROWS, ResultQuery(evaluator_id=EXACT, verdict="fail"))
    assert passed == [] and count == 2
    assert [row.row_index for row in failed] == [0, 1]


def test_rows_sort_by_latency_and_page() -> None:
    ordered, total = select_rows(ROWS, ResultQuery(sort="latency", descending=True, per_page=1))
    assert total == 2 and [row.row_index for row in ordered] == [1]
    second, _ = select_rows(ROWS, ResultQuery(sort="latency", descending=True, per_page=1, page=2))
    assert [row.row_index for row in second] == [0]


def test_failed_only_and_search_narrow_the_rows() -> None:
    failed, _ = select_rows(ROWS, ResultQuery(failed_only=True))
    found, _ = select_rows(ROWS, ResultQuery(search="CAPITAL"))
    assert [row.row_index for row in failed] == [1]  # a failed verdict is not an error
    assert [row.row_index for row in found] == [1]
