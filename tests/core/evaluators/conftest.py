"""Fixtures for evaluator tests: a way to run any built-in by key, and a shared sandbox runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from agenta.core.evaluators.builtins import EvaluatorContext, EvaluatorResult, get_evaluator
from agenta.core.evaluators.sandbox import SandboxRunner

Evaluate = Callable[..., Awaitable[EvaluatorResult]]


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxRunner]:
    """One runner for the session, with a warm process so tests do not wait for start-ups."""
    with SandboxRunner(warm_processes=1) as runner:
        yield runner


@pytest.fixture
def evaluate(sandbox: SandboxRunner) -> Evaluate:
    """``await evaluate(key, settings, inputs, outputs, trace=None, context=None)``."""

    async def run(
        key: str,
        settings: dict[str, Any] | None,
        inputs: Any,
        outputs: Any,
        trace: dict[str, Any] | None = None,
        context: Any = None,
    ) -> EvaluatorResult:
        context = context if context is not None else EvaluatorContext(sandbox=sandbox)
        return await get_evaluator(key).evaluate(settings, inputs, outputs, trace, context)

    return run
