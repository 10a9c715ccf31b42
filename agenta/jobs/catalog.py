"""The composition root of jobs: every feature's job and cron declarations in one registry."""

from __future__ import annotations

from agenta.core.alerts import jobs as alerts_jobs
from agenta.core.evaluations import jobs as evaluations_jobs
from agenta.core.events import jobs as events_jobs
from agenta.core.online import jobs as online_jobs
from agenta.core.tracing import jobs as tracing_jobs
from agenta.core.webhooks import jobs as webhooks_jobs
from agenta.jobs import system
from agenta.jobs.registry import JobRegistry
from agenta.jobs.worker import Consumer


def build_registry() -> JobRegistry:
    """All jobs and crons of the platform (features add their lists here)."""
    jobs = [*system.JOBS, *events_jobs.JOBS, *webhooks_jobs.JOBS, *evaluations_jobs.JOBS]
    crons = [*system.CRONS, *events_jobs.CRONS, *webhooks_jobs.CRONS, *alerts_jobs.CRONS]
    crons += tracing_jobs.CRONS
    jobs += online_jobs.JOBS
    crons += online_jobs.CRONS
    return JobRegistry(jobs=jobs, crons=crons)


def build_consumers() -> list[Consumer]:
    """Long-running consumers the production worker runs beside its jobs (stream loops)."""
    return [*tracing_jobs.CONSUMERS]
