"""The webhooks feature's jobs and crons, gathered by ``agenta.jobs.catalog``.

``webhooks.deliver`` retries at the job level only for crashes before its claim (a try that was
claimed is retried by the delivery's own schedule, never by the job system).
"""

from __future__ import annotations

from agenta.core.webhooks.delivery import deliver
from agenta.core.webhooks.fanout import DELIVER_JOB
from agenta.core.webhooks.recovery import retry_due
from agenta.jobs.registry import CronSpec, JobSpec

JOBS = [JobSpec(DELIVER_JOB, deliver, timeout=120, max_tries=3, backoff_base=5, backoff_max=60)]
CRONS = [CronSpec("webhooks.retry_due", retry_due, every_minutes=1, timeout=240)]
