"""Running one claimed job: the same code path for the in-process runner and arq workers.

The job body runs under its timeout while a heartbeat renews the lease. Success marks the row
succeeded; an error either schedules another try after a backoff or, on the last try, marks the
job failed with the error text. The caller learns which, so arq can defer its own retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from dataclasses import dataclass

from agenta.jobs import store
from agenta.jobs.registry import JobContext, JobSpec
from agenta.jobs.store import ClaimedJob

log = logging.getLogger("agenta.jobs")


@dataclass(frozen=True)
class Outcome:
    status: str  # "succeeded" | "retry" | "failed"
    retry_in: float = 0.0
    error: str | None = None


async def run_claimed(
    spec: JobSpec, job: ClaimedJob, ctx: JobContext, *, worker: str, lease: float
) -> Outcome:
    """Run ``job`` (already claimed by ``worker``) and record the outcome in the jobs table."""
    ctx.job_id, ctx.attempt = job.id, job.attempt
    heartbeat = asyncio.create_task(_heartbeat(ctx, job, worker, lease))
    try:
        await asyncio.wait_for(spec.func(ctx, **job.kwargs), timeout=spec.timeout)
    except Exception as exc:
        error = _describe(exc, spec)
        return await _record_failure(spec, job, ctx, error)
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat
    await store.mark_succeeded(ctx.db, job.id)
    log.info("job succeeded", extra={"job": spec.name, "job_id": str(job.id)})
    return Outcome("succeeded")


async def _record_failure(spec: JobSpec, job: ClaimedJob, ctx: JobContext, error: str) -> Outcome:
    if job.attempt < min(spec.max_tries, job.max_tries):
        delay = spec.backoff(job.attempt)
        await store.mark_retry(ctx.db, job.id, error, delay)
        log.warning(
            "job failed, will retry",
            extra={"job": spec.name, "job_id": str(job.id), "retry_in": round(delay, 2)},
        )
        return Outcome("retry", delay, error)
    await store.mark_failed(ctx.db, job.id, error)
    log.error("job failed", extra={"job": spec.name, "job_id": str(job.id), "error": error})
    return Outcome("failed", error=error)


def _describe(exc: BaseException, spec: JobSpec) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out after {spec.timeout:g} s"
    summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return summary


async def _heartbeat(ctx: JobContext, job: ClaimedJob, worker: str, lease: float) -> None:
    while True:
        await asyncio.sleep(lease / 3)
        try:
            await store.renew_lease(ctx.db, job.id, worker, lease)
        except Exception:  # a missed renewal only risks a duplicate run, never a lost job
            log.exception("could not renew job lease", extra={"job_id": str(job.id)})
