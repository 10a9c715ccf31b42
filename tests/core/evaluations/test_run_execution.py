"""A run end to end in one process: every cell written once, with outputs, scores and costs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import func, select

from agenta.core.evaluations.cells import run_cells
from agenta.core.evaluations.models import INVOCATION, EvaluationCell, EvaluationRun
from agenta.platform import Platform
from tests.core.evaluations.conftest import run_jobs
from tests.fakes.llm_state import FakeLLM

Factory = Callable[..., Awaitable[Any]]


async def load_run(platform: Platform, run_id: Any) -> EvaluationRun:
    async with platform.db.session() as session:
        run = await session.get(EvaluationRun, run_id)
        assert run is not None
        return run


async def test_a_run_invokes_every_row_and_scores_every_evaluator(
    platform: Platform,
    provider_env: FakeLLM,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
    start_run: Factory,
) -> None:
    revision = await make_app(
        prompt={
            "messages": [{"role": "user", "content": "{{correct_answer}}"}],
            "template_format": "curly",
            "llm_config": {"model": "gpt-4o-mini"},
        }
    )
    exact = await make_evaluator("exact", "auto_exact_match")
    regex = await make_evaluator("has-a", "auto_regex_test", regex_pattern="a")
    run_id = await start_run(
        testset_revision_id=await make_testset(),
        application_revision_ids=[revision],
        evaluator_ids=[exact, regex],
    )

    await run_jobs(platform)

    run = await load_run(platform, run_id)
    assert run.status == "succeeded"
    assert (run.cells_total, run.cells_done, run.cells_failed) == (9, 9, 0)
    async with platform.db.session() as session:
        cells = await run_cells(session, [run_id])
    invocations = [cell for cell in cells if cell.evaluator_id == INVOCATION]
    assert [cell.output for cell in invocations] == ["Paris", "Tokyo", "Lima"]
    assert all(cell.trace_id and cell.total_tokens > 0 for cell in invocations)
    verdicts = {(c.row_index, c.step_key): c.success for c in cells if c.evaluator_id != INVOCATION}
    assert verdicts == {
        (0, "evaluator-exact"): True,
        (1, "evaluator-exact"): True,
        (2, "evaluator-exact"): True,
        (0, "evaluator-has-a"): True,
        (1, "evaluator-has-a"): False,
        (2, "evaluator-has-a"): True,
    }


async def test_a_run_with_repeats_and_two_revisions_writes_each_cell_once(
    platform: Platform,
    provider_env: FakeLLM,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
    start_run: Factory,
) -> None:
    first = await make_app("first")
    second = await make_app("second")
    run_id = await start_run(
        testset_revision_id=await make_testset(),
        application_revision_ids=[first, second],
        evaluator_ids=[await make_evaluator()],
        repeats=2,
        chunk_rows=2,
    )

    await run_jobs(platform)

    async with platform.db.session() as session:
        total = await session.scalar(
            select(func.count(EvaluationCell.id)).where(EvaluationCell.run_id == run_id)
        )
    assert total == 3 * 2 * 2 * 2
    assert (await load_run(platform, run_id)).status == "succeeded"
    assert len(provider_env.requests) == 3 * 2 * 2


async def test_the_slices_of_a_run_call_through_the_runner_s_client_which_keeps_its_providers(
    platform: Platform,
    provider_env: FakeLLM,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
    start_run: Factory,
) -> None:
    run_id = await start_run(
        testset_revision_id=await make_testset(),
        application_revision_ids=[await make_app()],
        evaluator_ids=[await make_evaluator()],
        chunk_rows=1,
    )

    runner = await run_jobs(platform, stop=False)
    assert (await load_run(platform, run_id)).status == "succeeded"
    # Three slices ran; the provider (and its connections) outlived each of them.
    assert len(runner.llm.pool) == 1
    await runner.stop()
    assert len(runner.llm.pool) == 0
