"""The tracing feature's jobs, crons and consumers, gathered by `agenta.jobs.catalog`.

- `consume_spans` is the production-mode span consumer: a long-running loop over the Redis
  stream (`queue_redis.StreamConsumer`), started by `agenta worker`'s startup hook and
  restarted by it if it ever stops. (In embedded mode `agenta serve` runs the table-backed
  consumer itself, see `runtime.py`.)
- `tracing.retention` applies the projects' retention every hour.
"""

from __future__ import annotations

from agenta.core.tracing.queue import QueueLimits
from agenta.core.tracing.queue_redis import StreamConsumer
from agenta.core.tracing.retention import delete_expired_spans
from agenta.jobs.registry import CronSpec, JobContext, JobSpec


async def consume_spans(ctx: JobContext) -> None:
    """Consume the span stream until cancelled (needs Redis: production mode only)."""
    if ctx.redis is None:
        raise RuntimeError("the span stream consumer needs Redis (AGENTA_REDIS_URL)")
    consumer = StreamConsumer(ctx.redis, ctx.db, QueueLimits.from_settings(ctx.settings))
    await consumer.run()


async def enforce_retention(ctx: JobContext) -> None:
    """Cron: delete spans older than each project's retention."""
    await delete_expired_spans(ctx.db)


JOBS: list[JobSpec] = []
CRONS = [CronSpec("tracing.retention", enforce_retention, every_minutes=60, timeout=1800)]
CONSUMERS = [consume_spans]
