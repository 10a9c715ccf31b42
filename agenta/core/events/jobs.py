"""The events feature's jobs and crons, gathered by ``agenta.jobs.catalog``."""

from __future__ import annotations

from agenta.core.events.publishing import publish, publish_pending
from agenta.core.events.service import PUBLISH_JOB
from agenta.jobs.registry import CronSpec, JobSpec

JOBS = [JobSpec(PUBLISH_JOB, publish, timeout=60, max_tries=10, backoff_max=120)]
CRONS = [CronSpec("events.publish_pending", publish_pending, every_minutes=1, timeout=240)]
