"""Custom code evaluator: the user's Python ``evaluate`` function, run in the sandbox.

Signatures, by the ``version`` setting (as in the original product):
- ``"1"``: ``evaluate(app_params, inputs, output, correct_answer) -> float``. ``app_params`` is an
  empty object here (evaluations do not carry the app's parameters); ``correct_answer`` is read
  from the ``correct_answer_key`` column, which must exist.
- ``"2"``: ``evaluate(inputs, outputs, trace) -> float`` (a bool is accepted too).
- ``"3"`` (default): same arguments, any JSON result: a number is a score, a bool the verdict,
  an object is kept in ``details`` (its ``score``/``success`` lifted), text or a list is kept as
  ``details.value``.
The code is checked when the settings are validated (syntax, sandbox policy, an ``evaluate``
function), so most mistakes surface when the evaluator is saved, not during a run. What the code
prints is returned in ``details.stdout``. Only Python is supported.
"""

from __future__ import annotations

import ast
from typing import Any

from ..sandbox import SandboxJob, SandboxOutcome, SandboxRunner, check_source
from .base import BuiltinEvaluator, EvaluationCall, EvaluatorResult, result_from_value
from .errors import CodeError, CodeServerError, InvalidSettings
from .settings import Choice, Custom, Setting, SettingsSchema, correct_answer_key, threshold
from .values import expected_value

FUNCTION_NAME = "evaluate"
# Failures caused by the code itself; the others (limits, crashes) are the sandbox's verdict.
_CODE_FAILURES = {"code-error", "invalid-code", "forbidden", "invalid-result"}

EXAMPLE_CODE = '''def evaluate(inputs, outputs, trace):
    """Return a score in [0, 1], a bool, or an object of metrics."""
    expected = str(inputs.get("correct_answer", "")).strip().lower()
    return 1.0 if str(outputs).strip().lower() == expected else 0.0
'''


def _clean_code(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidSettings(name, "expected Python code defining evaluate(...)")
    problems = check_source(value)
    if problems:
        raise InvalidSettings(name, "; ".join(problems))
    if not _defines_function(value, FUNCTION_NAME):
        raise InvalidSettings(name, f"the code must define a function named '{FUNCTION_NAME}'")
    return value


def _defines_function(source: str, name: str) -> bool:
    return any(
        isinstance(node, ast.FunctionDef) and node.name == name for node in ast.parse(source).body
    )


def sandbox_arguments(call: EvaluationCall) -> list[Any]:
    """The positional arguments of ``evaluate`` for the configured version."""
    if call.settings["version"] == "1":
        expected = expected_value(call.inputs, call.settings["correct_answer_key"])
        return [{}, dict(call.inputs), call.outputs, expected]
    return [dict(call.inputs), call.outputs, dict(call.trace or {})]


async def _custom_code(call: EvaluationCall) -> EvaluatorResult:
    job = SandboxJob(code=call.settings["code"], args=sandbox_arguments(call))
    outcome = await _run(job, call.context.sandbox)
    if not outcome.ok:
        failure = CodeError if outcome.error_kind in _CODE_FAILURES else CodeServerError
        raise failure(outcome.error or "the code failed")
    result = _result(outcome.value, call.settings["version"], call.settings["threshold"])
    if outcome.stdout:
        result.details["stdout"] = outcome.stdout
    return result


async def _run(job: SandboxJob, runner: SandboxRunner | None) -> SandboxOutcome:
    if runner is not None:
        return await runner.run(job)
    with SandboxRunner() as fresh:
        return await fresh.run(job)


def _result(value: Any, version: str, threshold_value: float) -> EvaluatorResult:
    numeric = isinstance(value, int | float)
    if version in {"1", "2"} and not numeric:
        raise CodeError(
            f"a version {version} evaluate must return a number, got {_json_name(value)}; "
            "use version 3 to return objects"
        )
    result = result_from_value(value, threshold_value)
    if result is not None:
        return EvaluatorResult(result.score, result.success, dict(result.details))
    if value is None:
        raise CodeError("evaluate returned nothing (None); return a number, a bool or an object")
    return EvaluatorResult(details={"value": value})


def _json_name(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", type(None): "nothing (None)"}
    return names.get(type(value), type(value).__name__)


CUSTOM_CODE = BuiltinEvaluator(
    key="auto_custom_code_run",
    name="Code Evaluation",
    description="Runs your own Python evaluate(...) function in a sandbox "
    "(no network, no files, limited CPU and memory).",
    settings=SettingsSchema(
        (
            Setting(
                "code",
                "Code",
                Custom(_clean_code, {"type": "string", "x-multiline": True, "format": "python"}),
                "Python defining evaluate(inputs, outputs, trace). Allowed modules: math, "
                "statistics, datetime, json, re, random, string, typing, collections, "
                "itertools, functools, difflib and a few more.",
                default=EXAMPLE_CODE,
            ),
            Setting(
                "runtime",
                "Runtime",
                Choice(("python",)),
                "Language of the code (only Python is supported).",
                default="python",
                advanced=True,
            ),
            Setting(
                "version",
                "Interface version",
                Choice(("1", "2", "3")),
                "1: evaluate(app_params, inputs, output, correct_answer) -> float; "
                "2: evaluate(inputs, outputs, trace) -> float; 3: same, any JSON result.",
                default="3",
                advanced=True,
            ),
            correct_answer_key(),
            threshold(),
        )
    ),
    run=_custom_code,
    tags=("custom",),
)
