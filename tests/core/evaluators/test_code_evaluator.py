"""The custom code evaluator: the three interface versions, result mapping and code checks."""

from __future__ import annotations

from typing import Any

import pytest

from agenta.core.evaluators.builtins import InvalidSettings, get_evaluator
from tests.core.evaluators.conftest import Evaluate

INPUTS = {"question": "Capital of France?", "correct_answer": "Paris"}


def code(body: str, signature: str = "inputs, outputs, trace") -> dict[str, Any]:
    return {
        "code": f"def evaluate({signature}):\n"
        + "".join(f"    {line}\n" for line in body.splitlines())
    }


@pytest.mark.parametrize(
    ("body", "score", "success", "details"),
    [
        ("return 0.75", 0.75, True, {}),
        ("return 0", 0.0, False, {}),
        ("return outputs == inputs['correct_answer']", None, True, {}),
        ("return {'score': 0.4, 'length': len(outputs)}", 0.4, False, {"score": 0.4, "length": 5}),
        ("return {'exact': 1.0, 'fuzzy': 0.5}", None, None, {"exact": 1.0, "fuzzy": 0.5}),
        ("return 'needs review'", None, None, {"value": "needs review"}),
        ("return [1, 2]", None, None, {"value": [1, 2]}),
    ],
)
async def test_version_three_maps_any_json_result(
    evaluate: Evaluate, body: str, score: Any, success: Any, details: dict[str, Any]
) -> None:
    result = await evaluate("auto_custom_code_run", code(body), INPUTS, "Paris")
    assert result.error is None
    assert (result.score, result.success, result.details) == (score, success, details)


async def test_the_default_example_code_works(evaluate: Evaluate) -> None:
    result = await evaluate("auto_custom_code_run", {}, INPUTS, " paris ")
    assert (result.score, result.success) == (1.0, True)


async def test_it_passes_the_trace(evaluate: Evaluate) -> None:
    settings = code("return trace['spans'][0]['cost'] < 0.01")
    trace = {"spans": [{"cost": 0.002}]}
    result = await evaluate("auto_custom_code_run", settings, INPUTS, "Paris", trace=trace)
    assert result.success is True


async def test_version_two_must_return_a_number(evaluate: Evaluate) -> None:
    settings = {**code("return {'score': 1}"), "version": "2"}
    result = await evaluate("auto_custom_code_run", settings, INPUTS, "Paris")
    assert result.error_type == "workflows:code-error"
    assert result.error == (
        "a version 2 evaluate must return a number, got an object; use version 3 to return objects"
    )


async def test_version_one_receives_the_correct_answer(evaluate: Evaluate) -> None:
    body = "return 1.0 if output == correct_answer and app_params == {} else 0.0"
    settings = {**code(body, "app_params, inputs, output, correct_answer"), "version": 1}
    result = await evaluate("auto_custom_code_run", settings, INPUTS, "Paris")
    assert (result.score, result.success) == (1.0, True)


async def test_version_one_needs_the_ground_truth_column(evaluate: Evaluate) -> None:
    settings = {**code("return 1.0", "app_params, inputs, output, correct_answer"), "version": "1"}
    result = await evaluate("auto_custom_code_run", settings, {"question": "q"}, "x")
    assert result.error_type == "schemas:missing-input"


async def test_what_the_code_prints_is_kept(evaluate: Evaluate) -> None:
    result = await evaluate(
        "auto_custom_code_run", code("print('checking', outputs)\nreturn 1"), INPUTS, "Paris"
    )
    assert result.details == {"stdout": "checking Paris\n"}


async def test_an_exception_in_the_code_is_reported_with_its_line(evaluate: Evaluate) -> None:
    result = await evaluate(
        "auto_custom_code_run", code("total = 0\nreturn 1 / total"), INPUTS, "x"
    )
    assert result.error_type == "workflows:code-error"
    assert result.error == (
        "ZeroDivisionError: division by zero\n"
        "Traceback (user code):\n"
        "  line 3, in evaluate: return 1 / total"
    )


async def test_returning_nothing_is_an_error(evaluate: Evaluate) -> None:
    result = await evaluate("auto_custom_code_run", code("pass"), INPUTS, "x")
    assert result.error == "evaluate returned nothing (None); return a number, a bool or an object"


async def test_the_allowed_modules_work(evaluate: Evaluate) -> None:
    body = (
        "import json, math, statistics, re, difflib\n"
        "from collections import Counter\n"
        "ratio = difflib.SequenceMatcher(None, outputs, inputs['correct_answer']).ratio()\n"
        "words = Counter(re.findall(r'\\w+', outputs))\n"
        "return {'score': round(ratio, 2), 'mean': statistics.mean([1, 2]), "
        "'words': json.loads(json.dumps(words)), 'pi': math.floor(math.pi)}"
    )
    result = await evaluate("auto_custom_code_run", code(body), INPUTS, "Paris Paris")
    assert result.details == {"score": 0.62, "mean": 1.5, "words": {"Paris": 2}, "pi": 3}


def test_forbidden_code_is_refused_when_the_settings_are_validated() -> None:
    with pytest.raises(
        InvalidSettings, match=r"setting 'code': line 1: module 'os' is not allowed"
    ):
        get_evaluator("auto_custom_code_run").validate_settings(
            {"code": "import os\ndef evaluate(inputs, outputs, trace):\n    return 1"}
        )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def evaluate(:\n    pass", "line 1: syntax error"),
        (
            "def score(inputs, outputs, trace):\n    return 1",
            "must define a function named 'evaluate'",
        ),
        ("", "expected Python code"),
    ],
)
def test_code_without_a_usable_evaluate_is_refused(source: str, message: str) -> None:
    with pytest.raises(InvalidSettings, match=message):
        get_evaluator("auto_custom_code_run").validate_settings({"code": source})


def test_only_python_is_supported() -> None:
    with pytest.raises(InvalidSettings, match="setting 'runtime': expected one of python"):
        get_evaluator("auto_custom_code_run").validate_settings({"runtime": "javascript"})


async def test_it_runs_without_a_shared_sandbox_runner() -> None:
    result = await get_evaluator("auto_custom_code_run").evaluate(code("return 0.9"), INPUTS, "x")
    assert result.score == 0.9


async def test_a_limit_hit_is_a_server_side_code_error(evaluate: Evaluate) -> None:
    result = await evaluate("auto_custom_code_run", code("return 'x' * (10 ** 7)"), INPUTS, "x")
    assert result.error_type == "workflows:custom-code-server-error"
    assert "more than the 1000000-byte limit" in (result.error or "")
