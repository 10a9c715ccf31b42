"""The sandbox runner: protocol, limits, warm processes and start-up time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest

from agenta.core.evaluators.sandbox import (
    SandboxJob,
    SandboxLimits,
    SandboxOutcome,
    SandboxRunner,
    check_source,
)

QUICK = SandboxLimits(cpu_seconds=1, wall_seconds=4)
REACH_PID = (
    "def evaluate():\n"
    "    classes = ().__class__.__base__.__subclasses__()\n"
    "    wrap = [c for c in classes if c.__name__ == '_wrap_close'][0]\n"
    "    return wrap.__init__.__globals__['getpid']()\n"
)


@pytest.fixture(scope="module")
def runner() -> Iterator[SandboxRunner]:
    with SandboxRunner(QUICK) as shared:
        yield shared


def job(code: str, *args: object, function: str = "evaluate") -> SandboxJob:
    return SandboxJob(code=code, args=list(args), function=function)


async def test_it_calls_the_function_with_json_arguments(runner: SandboxRunner) -> None:
    code = "def evaluate(inputs, outputs, trace):\n    return [inputs['a'], outputs, trace]"
    outcome = await runner.run(job(code, {"a": 1}, {"b": [True, None]}, {}))
    assert outcome == SandboxOutcome(
        ok=True,
        value=[1, {"b": [True, None]}, {}],
        stdout="",
        elapsed_ms=outcome.elapsed_ms,
        isolation=outcome.isolation,
    )


async def test_it_sends_values_that_are_not_json_as_text(runner: SandboxRunner) -> None:
    outcome = await runner.run(job("def evaluate(day):\n    return day", date(2024, 5, 1)))
    assert outcome.value == "2024-05-01"


async def test_it_calls_another_function_name_when_asked(runner: SandboxRunner) -> None:
    outcome = await runner.run(job("def score(x):\n    return x * 2", 21, function="score"))
    assert outcome.value == 42


async def test_a_missing_function_is_reported(runner: SandboxRunner) -> None:
    outcome = await runner.run(job("def other():\n    return 1"))
    assert outcome.error_kind == "invalid-code"
    assert outcome.error == "the code must define a function 'evaluate'"


async def test_a_syntax_error_is_reported_with_its_line(runner: SandboxRunner) -> None:
    outcome = await runner.run(job("x = 1\ndef evaluate(:\n    pass"))
    assert outcome.error_kind == "invalid-code"
    assert (outcome.error or "").startswith("line 2: syntax error")


async def test_a_result_that_is_not_json_is_reported(runner: SandboxRunner) -> None:
    for body in ("return float('nan')", "return object()", "return {1, 2}"):
        outcome = await runner.run(job(f"def evaluate():\n    {body}"))
        assert outcome.error_kind == "invalid-result", body
        assert "not plain JSON" in (outcome.error or "")


@pytest.mark.parametrize("raised", ["SystemExit(3)", "KeyboardInterrupt()", "ValueError('bad')"])
async def test_any_exception_from_the_code_is_a_code_error(
    runner: SandboxRunner, raised: str
) -> None:
    outcome = await runner.run(job(f"def evaluate():\n    raise {raised}"))
    assert outcome.error_kind == "code-error"
    assert (outcome.error or "").startswith(raised.split("(")[0])


async def test_code_at_module_level_is_checked_and_reported_too(runner: SandboxRunner) -> None:
    outcome = await runner.run(job("x = [][1]\ndef evaluate():\n    return 1"))
    assert outcome.error_kind == "code-error"
    assert "line 1, in <module>: x = [][1]" in (outcome.error or "")


async def test_printed_text_is_captured_and_capped() -> None:
    limits = SandboxLimits(cpu_seconds=1, wall_seconds=4, print_chars=50)
    with SandboxRunner(limits) as small:
        outcome = await small.run(job("def evaluate():\n    print('x' * 80)\n    return 1"))
    assert outcome.ok
    assert outcome.stdout == "x" * 50 + "\n[output truncated]"


async def test_a_reply_over_the_output_cap_is_refused() -> None:
    limits = SandboxLimits(cpu_seconds=1, wall_seconds=4, output_bytes=2000)
    with SandboxRunner(limits) as small:
        outcome = await small.run(job("def evaluate():\n    return 'y' * 5000"))
    assert outcome.error_kind == "output-too-large"
    assert "more than the 2000-byte limit" in (outcome.error or "")


async def test_code_that_outlives_the_wall_clock_limit_is_killed() -> None:
    limits = SandboxLimits(cpu_seconds=10, wall_seconds=0.5)
    started = time.monotonic()
    with SandboxRunner(limits) as slow:
        outcome = await slow.run(job("def evaluate():\n    while True:\n        pass"))
    assert outcome.error_kind == "wall-time"
    assert outcome.error == "the code ran longer than 0.5 s and was stopped"
    assert time.monotonic() - started < 3


async def test_every_job_gets_a_fresh_process_even_with_warm_ones() -> None:
    with SandboxRunner(QUICK, warm_processes=2, check_source=False) as warm:
        pids = [(await warm.run(job(REACH_PID))).value for _ in range(3)]
    assert len(set(pids)) == 3


async def test_a_closed_runner_still_runs_jobs_in_cold_processes() -> None:
    warm = SandboxRunner(QUICK, warm_processes=1)
    warm.prewarm()
    warm.close()
    outcome = await warm.run(job("def evaluate():\n    return 'cold'"))
    assert outcome.value == "cold"


def test_a_job_runs_in_a_process_started_beforehand_and_a_new_one_is_readied() -> None:
    code = job("def evaluate():\n    return 1")
    with SandboxRunner(QUICK, warm_processes=1) as warm:
        warm.prewarm()
        [ready] = warm._warm
        assert warm.run_blocking(code).ok
        assert ready.process.poll() is not None  # it ran the job and exited
        [replacement] = warm._warm
        assert replacement is not ready and replacement.process.poll() is None


def test_limits_refuse_values_that_cannot_work() -> None:
    with pytest.raises(ValueError, match="cpu_seconds"):
        SandboxLimits(cpu_seconds=0)
    with pytest.raises(ValueError, match="memory_bytes"):
        SandboxLimits(memory_bytes=2**20)


def test_the_source_check_is_available_to_the_server() -> None:
    assert check_source("import math\ndef evaluate(inputs, outputs, trace):\n    return 1") == []
    assert check_source("input = 3\nprint(input)") == []  # a variable named like a builtin
    assert check_source("print(input)") == ["line 1: 'input' is not available in the sandbox"]
