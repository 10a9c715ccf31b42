"""Evaluators: the built-in catalog (``builtins``) and the sandbox for custom code (``sandbox``).

This package is a pure library: no database, no routes. Evaluation runs and pages build on
``agenta.core.evaluators.builtins`` (``get_evaluator``, ``catalog``, ``EvaluatorContext``).
"""
