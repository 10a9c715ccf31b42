"""The shape shared by every built-in evaluator: its result, its call, and its definition.

A ``BuiltinEvaluator`` is data plus one async function. ``evaluate`` validates the settings and
inputs, runs the function, and converts a typed ``EvaluatorError`` into a result with ``error``
and ``error_type`` set, so callers get one kind of answer per test case. Unexpected exceptions are
programming errors and propagate.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .context import EvaluatorContext, LLMAccess, as_context
from .errors import EvaluatorError, InvalidInputs
from .settings import SettingsSchema


@dataclass(frozen=True)
class EvaluatorResult:
    """The outcome of one evaluation.

    ``score`` is a number (usually in [0, 1]) or None for pass/fail evaluators; ``success`` is the
    verdict or None when the evaluator gives only a score or detail metrics; ``details`` holds
    extra metrics and explanations (for dict results, each key is a metric); ``error`` is a
    readable message and ``error_type`` the error code when the evaluation could not be done.
    """

    score: float | None = None
    success: bool | None = None
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    error_type: str | None = None

    @classmethod
    def failed(cls, error: EvaluatorError) -> EvaluatorResult:
        """A result that reports ``error`` instead of a verdict."""
        return cls(error=error.message, error_type=error.code)

    @classmethod
    def verdict(cls, success: bool, **details: Any) -> EvaluatorResult:
        """A pass/fail result."""
        return cls(success=success, details=details)

    @classmethod
    def scored(cls, score: float, threshold: float, **details: Any) -> EvaluatorResult:
        """A scored result; success means ``score >= threshold``."""
        return cls(score=score, success=score >= threshold, details=details)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (for storage and APIs)."""
        return {
            "score": self.score,
            "success": self.success,
            "details": self.details,
            "error": self.error,
            "error_type": self.error_type,
        }


@dataclass(frozen=True)
class EvaluationCall:
    """Everything one evaluation sees: clean settings, the test case, the app output, the trace."""

    settings: dict[str, Any]
    inputs: Mapping[str, Any]
    outputs: Any
    trace: Mapping[str, Any] | None
    context: EvaluatorContext


EvaluateFn = Callable[[EvaluationCall], Awaitable[EvaluatorResult]]


@dataclass(frozen=True)
class BuiltinEvaluator:
    """One entry of the built-in catalog."""

    key: str
    name: str
    description: str
    settings: SettingsSchema
    run: EvaluateFn
    requires_llm: bool = False
    tags: tuple[str, ...] = ()
    archived: bool = False

    @property
    def uri(self) -> str:
        """The original product's handler URI, e.g. ``agenta:builtin:auto_exact_match:v0``."""
        return f"agenta:builtin:{self.key}:v0"

    def validate_settings(self, raw: Mapping[str, Any] | None) -> dict[str, Any]:
        """Clean settings or raise ``InvalidSettings`` naming the bad one (for config forms)."""
        return self.settings.validate(raw)

    async def evaluate(
        self,
        settings: Mapping[str, Any] | None,
        inputs: Mapping[str, Any],
        outputs: Any,
        trace: Mapping[str, Any] | None = None,
        context: EvaluatorContext | LLMAccess | None = None,
    ) -> EvaluatorResult:
        """Evaluate one output; typed failures come back as a result with ``error`` set."""
        try:
            call = EvaluationCall(
                settings=self.validate_settings(settings),
                inputs=_checked_inputs(inputs),
                outputs=outputs,
                trace=trace,
                context=as_context(context),
            )
            return _checked_result(await self.run(call))
        except EvaluatorError as error:
            return EvaluatorResult.failed(error)

    def describe(self) -> dict[str, Any]:
        """The catalog entry: key, name, description, settings schema and needs."""
        return {
            "key": self.key,
            "uri": self.uri,
            "name": self.name,
            "description": self.description,
            "settings_schema": self.settings.json_schema(),
            "requires_llm_api_keys": self.requires_llm,
            "tags": list(self.tags),
            "archived": self.archived,
        }


def result_from_value(value: Any, threshold: float) -> EvaluatorResult | None:
    """Map a returned value: bool is the verdict, a number the score, an object the details.

    An object's ``score`` (number) and ``success`` (bool) are lifted into the result; without a
    ``success``, a lifted score is compared with the threshold. Other types give None, so each
    caller decides what they mean.
    """
    if isinstance(value, bool):
        return EvaluatorResult.verdict(value)
    if isinstance(value, int | float):
        return EvaluatorResult.scored(float(value), threshold)
    if not isinstance(value, dict):
        return None
    score = value.get("score")
    score = None if isinstance(score, bool) or not isinstance(score, int | float) else score
    success = value.get("success")
    if not isinstance(success, bool):
        success = None if score is None else score >= threshold
    return EvaluatorResult(
        score=None if score is None else float(score), success=success, details=value
    )


def _checked_inputs(inputs: Any) -> Mapping[str, Any]:
    if not isinstance(inputs, Mapping):
        raise InvalidInputs(
            f"inputs must be an object (the test case's columns), got {type(inputs).__name__}"
        )
    return inputs


def _checked_result(result: EvaluatorResult) -> EvaluatorResult:
    # A NaN score would poison aggregates downstream; report it instead.
    if result.score is not None and not math.isfinite(result.score):
        raise EvaluatorError(f"the evaluator produced a non-finite score ({result.score})")
    return result
