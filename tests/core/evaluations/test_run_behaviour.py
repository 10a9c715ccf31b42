"""How a run behaves: spend cap, response cache, cancelling, rate limits, failures, resuming."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.evaluations.cells import cell_row, insert_cells, run_cells
from agenta.core.evaluations.llm_access import open_models
from agenta.core.evaluations.models import INVOCATION, EvaluationCell, EvaluationRun
from agenta.core.evaluations.plan import RunPlan
from agenta.core.evaluations.runs import cancel_run
from agenta.core.evaluations.scenarios import copy_testset_rows, scenarios_between
from agenta.core.evaluations.slices import UNCOMMITTED_PER_SLOT, SliceRunner, StopSignal
from agenta.core.evaluations.units import Unit, missing_units
from agenta.core.evaluations.writer import CellWriter
from agenta.platform import Platform
from tests.core.evaluations.conftest import run_jobs
from tests.fakes.llm_state import FakeLLM

Factory = Callable[..., Awaitable[Any]]
ROWS = [{"country": f"country {index}", "correct_answer": f"country {index}"} for index in range(8)]


async def load(platform: Platform, run_id: uuid.UUID) -> tuple[EvaluationRun, list[EvaluationCell]]:
    async with platform.db.session() as session:
        run = await session.get(EvaluationRun, run_id)
        assert run is not None
        return run, await run_cells(session, [run_id])


async def slice_units(
    platform: Platform, run_id: uuid.UUID, testset: uuid.UUID, rows: int
) -> tuple[EvaluationRun, RunPlan, list[Unit]]:
    """The run, its plan and the units of its first ``rows`` rows, as a slice would see them."""
    async with platform.db.session() as session:
        run = await session.get(EvaluationRun, run_id)
        assert run is not None
        await copy_testset_rows(session, run_id, testset)
        plan = RunPlan.from_config(run.config)
        units = missing_units(plan, await scenarios_between(session, run_id, 0, rows), {})
    return run, plan, units


async def test_a_run_stops_with_capped_once_its_spend_cap_is_reached(
    platform: Platform,
    provider_env: FakeLLM,
    make_app: Factory,
    make_testset: Factory,
    start_run: Factory,
) -> None:
    run_id = await start_run(
        testset_revision_id=await make_testset(ROWS),
        application_revision_ids=[await make_app()],
        spend_cap=1e-9,
        concurrency=1,
    )
    await run_jobs(platform)

    run, cells = await load(platform, run_id)
    assert run.status == "capped"
    assert run.error is not None and run.error.startswith("stopped: the spend cap of $1e-09")
    assert 1 <= len(cells) < len(ROWS)


async def test_the_response_cache_answers_a_rerun_without_calling_the_model(
    platform: Platform,
    provider_env: FakeLLM,
    make_app: Factory,
    make_testset: Factory,
    start_run: Factory,
) -> None:
    revision, testset = await make_app(), await make_testset(ROWS)
    first = await start_run(
        testset_revision_id=testset, application_revision_ids=[revision], use_cache=True
    )
    await run_jobs(platform)
    calls = len(provider_env.requests)
    second = await start_run(
        testset_revision_id=testset, application_revision_ids=[revision], use_cache=True
    )
    await run_jobs(platform)

    _, before = await load(platform, first)
    run, after = await load(platform, second)
    assert len(provider_env.requests) == calls == len(ROWS)
    assert run.status == "succeeded" and run.cost_total == 0
    assert all(cell.cached and cell.cost == 0 for cell in after)
    assert [c.output for c in after] == [c.output for c in before]
    assert after[0].total_tokens == before[0].total_tokens > 0


async def test_a_cancelled_run_stops_and_keeps_what_it_wrote(
    platform: Platform,
    provider_env: FakeLLM,
    make_app: Factory,
    make_testset: Factory,
    start_run: Factory,
) -> None:
    provider_env.latency = 0.2
    run_id = await start_run(
        testset_revision_id=await make_testset(ROWS),
        application_revision_ids=[await make_app()],
        concurrency=1,
    )
    running = asyncio.create_task(run_jobs(platform))
    async with asyncio.timeout(20):
        while not (await load(platform, run_id))[1]:
            await asyncio.sleep(0.05)
    async with platform.db.session() as session:
        run = await session.get(EvaluationRun, run_id)
        assert run is not None
        await cancel_run(session, run)
    await running

    run, cells = await load(platform, run_id)
    assert run.status == "cancelled"
    assert 1 <= len(cells) < len(ROWS)


async def test_rate_limited_calls_wait_and_succeed(
    platform: Platform,
    provider_env: FakeLLM,
    make_app: Factory,
    make_testset: Factory,
    start_run: Factory,
) -> None:
    provider_env.fail_next(429, times=3)
    run_id = await start_run(
        testset_revision_id=await make_testset(ROWS[:3]),
        application_revision_ids=[await make_app()],
        concurrency=1,
    )
    await run_jobs(platform)

    run, cells = await load(platform, run_id)
    assert run.status == "succeeded" and run.cells_failed == 0
    assert [cell.output for cell in cells] == ["country 0", "country 1", "country 2"]
    assert len(provider_env.requests) == 3 + 3


async def test_when_the_app_fails_its_evaluators_record_why_and_the_run_fails(
    platform: Platform,
    provider_env: FakeLLM,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
    start_run: Factory,
) -> None:
    broken = {
        "messages": [{"role": "user", "content": "{{country}}"}],
        "template_format": "curly",
        "llm_config": {"model": "gpt-4o-mini-fake-error-500"},
    }
    run_id = await start_run(
        testset_revision_id=await make_testset(ROWS[:2]),
        application_revision_ids=[await make_app(prompt=broken)],
        evaluator_ids=[await make_evaluator()],
    )
    await run_jobs(platform)

    run, cells = await load(platform, run_id)
    invocation = next(cell for cell in cells if cell.evaluator_id == INVOCATION)
    judged = next(cell for cell in cells if cell.evaluator_id != INVOCATION)
    assert run.status == "failed"
    assert run.error is not None and run.error.startswith("every invocation failed; the first:")
    assert invocation.error_type == "workflows:llm-error"
    assert judged.error_type == "evaluations:invocation-failed"
    assert (run.cells_done, run.cells_failed) == (4, 4)


async def test_a_resumed_run_computes_only_the_missing_cells(
    platform: Platform,
    provider_env: FakeLLM,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
    start_run: Factory,
) -> None:
    run_id = await start_run(
        testset_revision_id=await make_testset(ROWS),
        application_revision_ids=[await make_app()],
        evaluator_ids=[await make_evaluator()],
    )
    await run_jobs(platform)
    _, before = await load(platform, run_id)
    lost = {cell.id for cell in before if cell.row_index in (2, 5)}
    async with platform.db.session() as session:
        await session.execute(delete(EvaluationCell).where(EvaluationCell.id.in_(lost)))
        run = await session.get(EvaluationRun, run_id)
        assert run is not None
        run.status, run.finished_at = "running", None
    calls = len(provider_env.requests)

    await platform.queue.enqueue("evaluations.run_slice", run_id=run_id, chunk=0)
    await run_jobs(platform)

    run, after = await load(platform, run_id)
    kept = {cell.id for cell in before} - lost
    assert run.status == "succeeded" and len(after) == len(before)
    assert kept <= {cell.id for cell in after}
    assert len(provider_env.requests) - calls == 2  # rows 2 and 5 only


async def test_an_llm_judge_in_a_run_counts_its_tokens_and_cost(
    platform: Platform,
    provider_env: FakeLLM,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
    start_run: Factory,
) -> None:
    judge = await make_evaluator("judge", "auto_ai_critique", model="gpt-4o-mini")
    run_id = await start_run(
        testset_revision_id=await make_testset(ROWS[:2]),
        application_revision_ids=[await make_app()],
        evaluator_ids=[judge],
    )
    await run_jobs(platform)

    run, cells = await load(platform, run_id)
    verdicts = [cell for cell in cells if cell.evaluator_id != INVOCATION]
    assert run.status == "succeeded"
    assert all(cell.score is not None and cell.total_tokens > 0 for cell in verdicts)
    assert all(cell.cost > 0 for cell in verdicts)
    assert run.cost_total == sum(cell.cost for cell in cells)


async def test_a_unit_that_loses_the_race_for_its_invocation_judges_the_stored_output(
    platform: Platform,
    provider_env: FakeLLM,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
    start_run: Factory,
) -> None:
    testset = await make_testset([{"country": "France", "correct_answer": "written first"}])
    run_id = await start_run(
        testset_revision_id=testset,
        application_revision_ids=[await make_app()],
        evaluator_ids=[await make_evaluator()],
    )
    run, plan, units = await slice_units(platform, run_id, testset, rows=1)
    async with platform.db.session() as session:
        # Another worker finishes the same invocation first.
        await insert_cells(session, [cell_row(run_id, units[0].key(), output="written first")])

    signal = StopSignal(platform.db, run_id, None)
    async with (
        open_models(platform.settings, platform.db, run.project_id) as models,
        CellWriter(platform.db, run.project_id) as writer,
    ):
        await SliceRunner(platform.db, run, plan, models, signal, writer).run(units)

    _, cells = await load(platform, run_id)
    invocation = next(cell for cell in cells if cell.evaluator_id == INVOCATION)
    verdict = next(cell for cell in cells if cell.evaluator_id != INVOCATION)
    assert invocation.output == "written first"
    assert verdict.success is True  # judged on the stored output, not on "France"


async def hold_cell_writes(session: AsyncSession) -> None:
    """Keep every other writer of cells waiting until ``session`` ends its transaction."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("LOCK TABLE evaluation_cells IN EXCLUSIVE MODE"))
    else:  # SQLite has one write lock for the whole database: take it
        await session.execute(text("DELETE FROM evaluation_cells WHERE 1 = 0"))


async def test_units_waiting_for_their_commit_leave_their_slot_to_the_next_up_to_a_bound(
    platform: Platform,
    provider_env: FakeLLM,
    make_app: Factory,
    make_testset: Factory,
    start_run: Factory,
) -> None:
    bound = UNCOMMITTED_PER_SLOT  # units open at once with one slot
    rows = bound + 2
    testset = await make_testset(ROWS[:rows])
    run_id = await start_run(
        testset_revision_id=testset, application_revision_ids=[await make_app()], concurrency=1
    )
    run, plan, units = await slice_units(platform, run_id, testset, rows=rows)

    signal = StopSignal(platform.db, run_id, None)
    async with (
        open_models(platform.settings, platform.db, run.project_id) as models,
        CellWriter(platform.db, run.project_id) as writer,
        platform.db.session() as blocker,
    ):
        await hold_cell_writes(blocker)
        running = asyncio.create_task(
            SliceRunner(platform.db, run, plan, models, signal, writer).run(units)
        )
        # With one slot, the next rows are asked while the first row's cells cannot be written,
        async with asyncio.timeout(20):
            while len(provider_env.requests) < bound:
                await asyncio.sleep(0.02)
        # but no more rows than the bound may wait for a commit: a crash now loses only those.
        await asyncio.sleep(0.5)
        assert len(provider_env.requests) == bound
        await blocker.rollback()
        await running

    _, cells = await load(platform, run_id)
    assert sorted(cell.output for cell in cells) == [f"country {index}" for index in range(rows)]
