"""The in-process runner of embedded mode: exactly-once runs, retries, timeouts, restarts, cron."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from agenta.db import utcnow
from agenta.jobs import store
from agenta.jobs.models import FAILED, RUNNING, SUCCEEDED, Job
from agenta.jobs.registry import CronSpec, JobContext, JobRegistry, JobSpec
from agenta.jobs.runner import InProcessRunner, cron_key
from agenta.jobs.system import JOBS
from agenta.platform import Platform
from agenta.settings import Settings


def runs_recorded(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def runner_for(platform: Platform, **options: float) -> InProcessRunner:
    context = JobContext(settings=platform.settings, db=platform.db, queue=platform.queue)
    return InProcessRunner(platform.queue, context, **options)  # type: ignore[arg-type]


async def test_a_job_enqueued_in_embedded_mode_runs_exactly_once(
    platform: Platform, tmp_path: Path
) -> None:
    record = tmp_path / "runs.txt"
    job_id = await platform.queue.enqueue("system.ping", record_to=str(record))
    await runner_for(platform).run_until_idle()
    await runner_for(platform).run_until_idle()  # a second runner finds nothing left to do
    assert runs_recorded(record) == [f"{job_id} 1"]
    job = await store.get_job(platform.db, job_id)
    assert job is not None and job.status == SUCCEEDED and job.attempts == 1


async def test_a_job_accepted_before_a_restart_runs_after_it(
    settings: Settings, tmp_path: Path
) -> None:
    record = tmp_path / "runs.txt"
    before = await Platform.start(settings, run_jobs=False)
    job_id = await before.queue.enqueue("system.ping", record_to=str(record))
    await before.stop()  # the process goes away with the job still queued

    after = await Platform.start(settings.with_overrides(job_poll_interval=0.05))
    try:
        async with asyncio.timeout(10):
            while not runs_recorded(record):
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
    finally:
        await after.stop()
    assert runs_recorded(record) == [f"{job_id} 1"]


async def test_a_job_whose_runner_died_is_taken_over_when_its_lease_expires(
    platform: Platform, tmp_path: Path
) -> None:
    record = tmp_path / "runs.txt"
    job_id = await platform.queue.enqueue("system.ping", record_to=str(record))
    # A runner claims it and then dies without finishing.
    assert await store.claim(platform.db, job_id, "dead-runner", lease=600) is not None
    await runner_for(platform).run_until_idle(timeout=5)
    assert runs_recorded(record) == []  # the lease is still valid: nobody else may run it
    await expire_lease(platform, job_id)
    await runner_for(platform).run_until_idle()
    assert runs_recorded(record) == [f"{job_id} 2"]


async def expire_lease(platform: Platform, job_id: object) -> None:
    """Let the lease run out without waiting for the clock."""
    async with platform.db.session() as session:
        await session.execute(
            update(Job).where(Job.id == job_id).values(locked_until=utcnow() - timedelta(seconds=1))
        )


async def test_a_failing_job_is_retried_with_backoff_then_marked_failed(
    platform: Platform,
) -> None:
    job_id = await platform.queue.enqueue("system.fail", message="the provider is down")
    runner = runner_for(platform)
    async with asyncio.timeout(10):
        while (job := await store.get_job(platform.db, job_id)) and job.status != FAILED:
            await runner.run_until_idle()
            await asyncio.sleep(0.05)
    assert job is not None
    assert job.attempts == 3
    assert "RuntimeError: the provider is down" in (job.last_error or "")


async def test_a_job_that_runs_too_long_is_stopped_and_reported(
    settings: Settings,
) -> None:
    async def forever(ctx: JobContext) -> None:
        await asyncio.sleep(60)

    registry = JobRegistry(jobs=[JobSpec("slow", forever, timeout=0.1, max_tries=1)])
    platform = await Platform.start(settings, registry=registry, run_jobs=False)
    try:
        job_id = await platform.queue.enqueue("slow")
        await runner_for(platform).run_until_idle()
        job = await store.get_job(platform.db, job_id)
    finally:
        await platform.stop()
    assert job is not None and job.status == FAILED
    assert job.last_error == "timed out after 0.1 s"


async def test_stopping_does_not_wait_forever_for_a_job_that_ignores_cancellation(
    settings: Settings,
) -> None:
    started = asyncio.Event()

    async def stubborn(ctx: JobContext) -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            await asyncio.sleep(30)  # swallows the first cancel; the loop's close ends it

    registry = JobRegistry(jobs=[JobSpec("stubborn", stubborn, max_tries=1)])
    platform = await Platform.start(settings, registry=registry, run_jobs=False)
    runner = runner_for(platform)
    try:
        job_id = await platform.queue.enqueue("stubborn")
        runner.start()
        await asyncio.wait_for(started.wait(), 10)
        await asyncio.wait_for(runner.stop(grace=0.2), 10)
        job = await store.get_job(platform.db, job_id)
    finally:
        await platform.stop()
    # Left running under its lease: another runner takes it up once the lease runs out.
    assert job is not None and job.status == RUNNING


async def test_an_idempotency_key_makes_one_job_of_two_enqueues(platform: Platform) -> None:
    first = await platform.queue.enqueue("system.ping", idempotency_key="nightly-2026-11-27")
    second = await platform.queue.enqueue("system.ping", idempotency_key="nightly-2026-11-27")
    assert first is not None and second is None


async def test_enqueueing_an_unknown_job_is_refused(platform: Platform) -> None:
    with pytest.raises(KeyError, match="no job is named 'nope'"):
        await platform.queue.enqueue("nope")


async def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(
    platform: Platform, tmp_path: Path
) -> None:
    record = tmp_path / "runs.txt"
    with pytest.raises(RuntimeError):
        async with platform.db.session() as session:
            await platform.queue.enqueue("system.ping", session=session, record_to=str(record))
            raise RuntimeError("the change failed")
    await runner_for(platform).run_until_idle()
    assert runs_recorded(record) == []


async def test_each_cron_tick_runs_once_however_many_runners_share_the_database(
    settings: Settings, tmp_path: Path
) -> None:
    record = tmp_path / "ticks.txt"

    async def tick(ctx: JobContext) -> None:
        with record.open("a") as out:
            out.write("tick\n")

    registry = JobRegistry(jobs=JOBS, crons=[CronSpec("tick", tick)])
    first = await Platform.start(settings, registry=registry, run_jobs=False)
    second = await Platform.start(settings, registry=registry, run_jobs=False)
    try:
        when = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
        runners = [runner_for(first), runner_for(second)]
        await asyncio.gather(*(r._enqueue_due(when) for r in runners))
        await asyncio.gather(*(r.run_until_idle() for r in runners))
        async with first.db.session() as session:
            assert await store.find_by_key(session, cron_key("tick", when)) is not None
    finally:
        await first.stop()
        await second.stop()
    assert runs_recorded(record) == ["tick"]


def test_a_runner_imports_at_start_up_what_its_jobs_would_import_on_their_first_run() -> None:
    # A fresh interpreter: this one imported everything long ago.
    script = """
import sys
from agenta.jobs.catalog import build_registry
from agenta.jobs.runner import preload

registry = build_registry()
wanted = {m for spec in [*registry.jobs.values(), *registry.crons.values()] for m in spec.imports}
assert "agenta.core.evaluations.execution" in wanted, wanted
assert not wanted & set(sys.modules), wanted & set(sys.modules)
preload(registry)
assert wanted <= set(sys.modules), wanted - set(sys.modules)
assert "openai" in sys.modules
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
