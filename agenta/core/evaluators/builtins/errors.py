"""Typed evaluator errors, mirroring the original product's error catalog.

Each error carries a ``code`` (``<area>:<name>``, e.g. ``schemas:missing-input``), an HTTP-like
``status`` (400 for bad settings or inputs, 500 for computation failures, 503 when no LLM is
reachable) and a readable message naming what is wrong. ``type_url`` gives the documentation URL
the original uses as the error type. Evaluators raise these; ``BuiltinEvaluator.evaluate`` turns
them into an ``EvaluatorResult`` with ``error`` and ``error_type`` set, so a run never crashes on
one bad test case.
"""

from __future__ import annotations

ERROR_TYPE_PREFIX = "https://agenta.ai/docs/misc/errors#v0:"


class EvaluatorError(Exception):
    """Base of all evaluator errors; ``code`` and ``status`` classify it."""

    code = "workflows:evaluator-error"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def type_url(self) -> str:
        """The documentation URL used as the error's type."""
        return ERROR_TYPE_PREFIX + self.code


class UnknownEvaluator(EvaluatorError):
    code = "interface:invalid-uri"
    status = 400


class InvalidSettings(EvaluatorError):
    """A setting is malformed or out of range; ``setting`` names it."""

    code = "schemas:invalid-parameter"
    status = 400

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"setting '{setting}': {message}")
        self.setting = setting


class MissingSetting(InvalidSettings):
    code = "schemas:missing-parameter"


class InvalidInputs(EvaluatorError):
    code = "schemas:invalid-inputs"
    status = 400


class MissingInput(EvaluatorError):
    code = "schemas:missing-input"
    status = 400


class InvalidInput(EvaluatorError):
    code = "schemas:invalid-input"
    status = 400


class MissingOutput(EvaluatorError):
    code = "schemas:missing-output"
    status = 400


class InvalidOutputs(EvaluatorError):
    code = "schemas:invalid-outputs"
    status = 400


class RegexPatternError(InvalidSettings):
    code = "workflows:regex-pattern-error"


class PromptFormattingError(EvaluatorError):
    code = "workflows:prompt-formatting-error"
    status = 400


class JsonDiffError(EvaluatorError):
    code = "workflows:json-diff-error"


class SemanticSimilarityError(EvaluatorError):
    code = "workflows:semantic-similarity-error"


class HookClientError(EvaluatorError):
    """The webhook call was refused on our side (bad or private URL)."""

    code = "workflows:custom-hook-client-error"


class HookServerError(EvaluatorError):
    """The webhook answered badly or not at all."""

    code = "workflows:custom-hook-server-error"


class CodeError(EvaluatorError):
    """The user's code is invalid, forbidden, or raised."""

    code = "workflows:code-error"


class CodeServerError(EvaluatorError):
    """The sandbox itself failed (limits hit, crash)."""

    code = "workflows:custom-code-server-error"


class LLMError(EvaluatorError):
    code = "workflows:llm-error"


class LLMUnavailable(EvaluatorError):
    code = "workflows:llm-unavailable"
    status = 503
