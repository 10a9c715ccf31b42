"""Production mode: jobs go through Redis to arq workers built from the same registry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from arq.worker import Worker

from agenta.jobs import store
from agenta.jobs.catalog import build_registry
from agenta.jobs.models import FAILED, SUCCEEDED
from agenta.jobs.registry import CronSpec, JobContext, JobRegistry
from agenta.jobs.system import JOBS
from agenta.jobs.worker import _cron_function, build_worker_settings, recover_stale_jobs
from agenta.platform import Platform
from agenta.settings import Settings

pytestmark = pytest.mark.redis


@pytest.fixture
def arq_settings(
    make_settings: Callable[..., Settings], database_url: str, redis_url: str
) -> Settings:
    return make_settings(database_url, redis_url=redis_url, job_lease_seconds=1.0)


@pytest.fixture
async def producer(arq_settings: Settings) -> AsyncIterator[Platform]:
    platform = await Platform.start(arq_settings)
    assert platform.runner is None  # production mode: the server runs no jobs itself
    yield platform
    await platform.stop()


async def run_burst_worker(settings: Settings, registry: JobRegistry | None = None) -> Worker:
    options = build_worker_settings(settings, registry or build_registry())
    options.update(handle_signals=False, poll_delay=0.01)
    worker = Worker(**options, burst=True)
    await worker.async_run()
    await worker.close()
    return worker


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


async def test_a_job_enqueued_in_production_mode_runs_once_in_a_worker(
    producer: Platform, arq_settings: Settings, tmp_path: Path
) -> None:
    record = tmp_path / "runs.txt"
    job_id = await producer.queue.enqueue("system.ping", record_to=str(record))
    assert job_id is not None
    # A lost acknowledgement or the recovery cron may dispatch a job twice: it still runs once.
    await producer.queue.dispatch("system.ping", job_id, n="again")
    worker = await run_burst_worker(arq_settings)
    assert lines(record) == [f"{job_id} 1"]
    assert worker.jobs_complete == 2
    job = await store.get_job(producer.db, job_id)
    assert job is not None and job.status == SUCCEEDED


async def test_a_failing_job_is_retried_by_the_worker_until_marked_failed(
    producer: Platform, arq_settings: Settings
) -> None:
    job_id = await producer.queue.enqueue("system.fail", message="boom")
    assert job_id is not None
    async with asyncio.timeout(20):
        while (job := await store.get_job(producer.db, job_id)) and job.status != FAILED:
            await run_burst_worker(arq_settings)
            await asyncio.sleep(0.1)
    assert job is not None and job.attempts == 3 and "boom" in (job.last_error or "")


async def test_a_job_whose_worker_died_is_dispatched_again_and_completes(
    producer: Platform, arq_settings: Settings, tmp_path: Path
) -> None:
    record = tmp_path / "runs.txt"
    job_id = await producer.queue.enqueue("system.ping", record_to=str(record))
    assert job_id is not None
    # The first worker took the job and died: its arq entry is gone, its lease runs out.
    await producer.redis.flushdb()  # type: ignore[union-attr]
    assert await store.claim(producer.db, job_id, "dead-worker", lease=0.2) is not None
    await asyncio.sleep(0.3)
    ctx = JobContext(settings=arq_settings, db=producer.db, queue=producer.queue)
    await recover_stale_jobs(ctx)
    await run_burst_worker(arq_settings)
    assert lines(record) == [f"{job_id} 2"]


async def test_with_two_workers_each_cron_tick_runs_once(
    arq_settings: Settings, tmp_path: Path
) -> None:
    record = tmp_path / "ticks.txt"

    async def tick(ctx: JobContext) -> None:
        with record.open("a") as out:
            out.write("tick\n")

    registry = JobRegistry(jobs=JOBS, crons=[CronSpec("tick", tick)])
    run = _cron_function(registry.crons["tick"])
    workers: list[dict[str, Any]] = []
    for _ in range(2):
        ctx: dict[str, Any] = {"redis": None}
        await build_worker_settings(arq_settings, registry)["on_startup"](ctx)
        workers.append(ctx)
    try:
        results = await asyncio.gather(*(run(ctx) for ctx in workers))
    finally:
        for ctx in workers:
            await ctx["agenta"].db.dispose()
    assert sorted(results) == ["succeeded", "tick already ran"]
    assert lines(record) == ["tick"]


def test_the_worker_refuses_to_start_without_redis(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    with pytest.raises(ValueError, match="AGENTA_REDIS_URL is required"):
        build_worker_settings(make_settings(sqlite_url), build_registry())
