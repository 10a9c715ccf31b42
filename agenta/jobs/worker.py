"""The arq worker of production mode, built from the same registry as the in-process runner.

Each registered job becomes an arq function taking our job id; it claims the row, runs it through
``agenta.jobs.execute`` and, when the job asks for another try, dispatches it again after the
backoff under a new arq id. Cron entries become arq cron jobs with ``unique=True`` plus a row per
tick in the jobs table, so a tick runs once however many workers are up. arq's own retry count is
not used: the jobs table is the one place that counts tries.

``consumers`` are long-running coroutines (``async def consume(ctx: JobContext)``), such as the
tracing feature's Redis stream consumer: the worker's startup hook starts each as a task, restarts
it after a pause if it ever returns or fails, and its shutdown hook cancels them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from arq import cron, func
from arq.connections import RedisSettings
from arq.cron import CronJob
from arq.worker import Function

from agenta.db import Database, utcnow
from agenta.jobs import store
from agenta.jobs.execute import run_claimed
from agenta.jobs.queue import JobQueue
from agenta.jobs.registry import CronSpec, JobContext, JobRegistry, JobSpec
from agenta.jobs.runner import cron_key, preload, runner_name
from agenta.llm import LLMClient
from agenta.settings import Settings

log = logging.getLogger("agenta.jobs")

POLL_DELAY_SECONDS = 0.1

GRACE_SECONDS = 30
CONSUMER_RESTART_SECONDS = 1.0

Consumer = Callable[[JobContext], Awaitable[None]]


def redis_settings(url: str) -> RedisSettings:
    return RedisSettings.from_dsn(url)


def build_worker_settings(
    settings: Settings, registry: JobRegistry, consumers: Sequence[Consumer] = ()
) -> dict[str, Any]:
    """Keyword arguments for ``arq.worker.Worker`` (functions, crons, startup, health check)."""
    if settings.redis_url is None:
        raise ValueError("AGENTA_REDIS_URL is required to run a worker")
    functions: list[Function] = [
        func(_job_function(spec), name=spec.name, timeout=spec.timeout + GRACE_SECONDS, max_tries=1)
        for spec in registry.jobs.values()
    ]
    crons: list[CronJob] = [
        cron(
            _cron_function(spec),
            name=spec.name,
            minute=spec.minutes(),
            second=0,
            unique=True,
            timeout=spec.timeout + GRACE_SECONDS,
            max_tries=1,
        )
        for spec in registry.crons.values()
    ]

    async def on_startup(ctx: dict[str, Any]) -> None:
        await asyncio.to_thread(preload, registry)
        db = Database(settings.database_url)
        queue = JobQueue(db, registry, arq=ctx["redis"])
        ctx["agenta"] = JobContext(
            settings=settings, db=db, queue=queue, redis=ctx["redis"], llm=LLMClient()
        )
        ctx["agenta_worker"] = runner_name()
        ctx["agenta_consumers"] = [
            asyncio.create_task(_keep_running(consumer, ctx), name=f"consumer-{index}")
            for index, consumer in enumerate(consumers)
        ]

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        for task in ctx.get("agenta_consumers", ()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if "agenta" in ctx:  # arq has waited for its jobs to end
            await ctx["agenta"].llm.aclose()
            await ctx["agenta"].db.dispose()

    return {
        "functions": functions,
        "cron_jobs": crons,
        "redis_settings": redis_settings(settings.redis_url),
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "max_jobs": settings.job_concurrency,
        # arq polls Redis for new jobs (0.5 s by default); a run's slices follow one another
        # through the queue, so each waited up to that long. A poll is one cheap Redis call.
        "poll_delay": POLL_DELAY_SECONDS,
        "health_check_interval": 10,
        "keep_result": 60,
        "handle_signals": True,
    }


async def _keep_running(consumer: Consumer, ctx: dict[str, Any]) -> None:
    name = getattr(consumer, "__qualname__", repr(consumer))
    while True:
        try:
            await consumer(_fresh_context(ctx))
            log.warning("a consumer returned; starting it again", extra={"consumer": name})
        except Exception:
            log.exception("a consumer failed; starting it again", extra={"consumer": name})
        await asyncio.sleep(CONSUMER_RESTART_SECONDS)


def _fresh_context(ctx: dict[str, Any]) -> JobContext:
    base: JobContext = ctx["agenta"]
    return JobContext(
        settings=base.settings, db=base.db, queue=base.queue, redis=base.redis, llm=base.llm
    )


def _job_function(spec: JobSpec) -> Any:
    async def run(ctx: dict[str, Any], job_id: str) -> str:
        agenta_ctx = _fresh_context(ctx)
        worker = ctx["agenta_worker"]
        lease = agenta_ctx.settings.job_lease_seconds
        claimed = await store.claim(agenta_ctx.db, uuid.UUID(job_id), worker, lease)
        if claimed is None:
            return "not runnable"
        outcome = await run_claimed(spec, claimed, agenta_ctx, worker=worker, lease=lease)
        if outcome.status == "retry":
            await agenta_ctx.queue.dispatch(
                spec.name, claimed.id, delay=outcome.retry_in, n=claimed.attempt
            )
        return outcome.status

    run.__qualname__ = run.__name__ = spec.name.replace(".", "_")
    return run


def _cron_function(spec: CronSpec) -> Any:
    job_spec = JobSpec(name=spec.name, func=spec.func, timeout=spec.timeout, max_tries=1)

    async def run(ctx: dict[str, Any]) -> str:
        agenta_ctx = _fresh_context(ctx)
        tick = utcnow().replace(second=0, microsecond=0)
        async with agenta_ctx.db.session() as session:
            job_id = await store.insert_job(
                session, spec.name, {}, max_tries=1, idempotency_key=cron_key(spec.name, tick)
            )
        if job_id is None:
            return "tick already ran"
        worker = ctx["agenta_worker"]
        lease = agenta_ctx.settings.job_lease_seconds
        claimed = await store.claim(agenta_ctx.db, job_id, worker, lease)
        if claimed is None:
            return "tick already ran"
        outcome = await run_claimed(job_spec, claimed, agenta_ctx, worker=worker, lease=lease)
        return outcome.status

    run.__qualname__ = run.__name__ = "cron_" + spec.name.replace(".", "_")
    return run


async def recover_stale_jobs(ctx: JobContext) -> None:
    """Cron: dispatch again jobs whose push was lost or whose runner died mid-run."""
    if ctx.queue.arq is None:
        return  # the in-process runner already picks up such rows itself
    for job_id in await store.stale_ids(ctx.db, older_than=60):
        job = await store.get_job(ctx.db, job_id)
        if job is None or job.name not in ctx.queue.registry.jobs:
            continue
        await ctx.queue.dispatch(job.name, job.id, n=f"r{int(time.time())}")
