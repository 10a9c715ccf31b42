"""Jobs the platform itself needs: a ping to check the job pipeline end to end, stale-job
recovery and the purge of old finished job rows."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from agenta.jobs import store
from agenta.jobs.registry import CronSpec, JobContext, JobSpec
from agenta.jobs.worker import recover_stale_jobs

FINISHED_JOBS_KEPT = timedelta(days=7)


async def ping(ctx: JobContext, seconds: float = 0.0, record_to: str | None = None) -> None:
    """Do nothing (optionally slowly); with ``record_to``, append the job id to that file.

    ``agenta jobs ping`` uses it to check that a runner or worker picks jobs up.
    """
    if seconds:
        await asyncio.sleep(seconds)
    if record_to:
        with Path(record_to).open("a") as out:
            out.write(f"{ctx.job_id} {ctx.attempt}\n")


async def fail(ctx: JobContext, message: str = "failed on purpose") -> None:
    """Always fail: lets operators and tests see retries and the failed state."""
    raise RuntimeError(message)


async def purge_finished_jobs(ctx: JobContext) -> None:
    await store.purge_finished(ctx.db, FINISHED_JOBS_KEPT)


JOBS = [
    JobSpec("system.ping", ping, timeout=600, max_tries=3),
    JobSpec("system.fail", fail, timeout=10, max_tries=3, backoff_base=0.05, backoff_max=0.2),
]
CRONS = [
    CronSpec("system.recover_stale_jobs", recover_stale_jobs, every_minutes=1),
    CronSpec("system.purge_finished_jobs", purge_finished_jobs, every_minutes=60),
]
