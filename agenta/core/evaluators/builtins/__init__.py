"""Built-in evaluators: one module per family, one registry.

Use ``get_evaluator(key)`` and ``await evaluator.evaluate(settings, inputs, outputs, trace,
context)``; ``catalog()`` lists them for the catalog page. See ``base`` for the result type,
``context`` for what the caller injects (LLM calls, sandbox, outbound policy) and ``errors`` for
the typed error codes.
"""

from .base import BuiltinEvaluator, EvaluatorResult
from .context import EvaluatorContext, LLMAccess
from .errors import EvaluatorError, InvalidSettings, UnknownEvaluator
from .registry import BUILTIN_EVALUATORS, catalog, get_evaluator, list_evaluators

__all__ = [
    "BUILTIN_EVALUATORS",
    "BuiltinEvaluator",
    "EvaluatorContext",
    "EvaluatorError",
    "EvaluatorResult",
    "InvalidSettings",
    "LLMAccess",
    "UnknownEvaluator",
    "catalog",
    "get_evaluator",
    "list_evaluators",
]
