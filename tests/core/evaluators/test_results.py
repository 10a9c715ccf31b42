"""The result type and how ``evaluate`` turns typed errors and bad scores into results."""

from __future__ import annotations

from agenta.core.evaluators.builtins import BuiltinEvaluator, EvaluatorResult
from agenta.core.evaluators.builtins.base import EvaluationCall
from agenta.core.evaluators.builtins.errors import InvalidInput
from agenta.core.evaluators.builtins.settings import SettingsSchema


def evaluator_returning(result: EvaluatorResult | Exception) -> BuiltinEvaluator:
    async def run(call: EvaluationCall) -> EvaluatorResult:
        if isinstance(result, Exception):
            raise result
        return result

    return BuiltinEvaluator("probe", "Probe", "A test evaluator.", SettingsSchema(), run)


def test_a_result_serializes_to_plain_json() -> None:
    result = EvaluatorResult.scored(0.25, 0.5, distance=3)
    assert result.to_dict() == {
        "score": 0.25,
        "success": False,
        "details": {"distance": 3},
        "error": None,
        "error_type": None,
    }


async def test_a_typed_error_becomes_an_error_result() -> None:
    result = await evaluator_returning(InvalidInput("column 'x' is not JSON")).evaluate({}, {}, "o")
    assert result == EvaluatorResult(
        error="column 'x' is not JSON", error_type="schemas:invalid-input"
    )


async def test_a_non_finite_score_is_reported_instead_of_returned() -> None:
    result = await evaluator_returning(EvaluatorResult(score=float("nan"))).evaluate({}, {}, "o")
    assert result.score is None
    assert result.error == "the evaluator produced a non-finite score (nan)"
