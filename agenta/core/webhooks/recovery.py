"""The webhook retry cron: puts back on track deliveries whose next try was lost.

Two cases, both rare, both left behind by a process that stopped at the wrong moment:
- a try in progress whose lock ran out (the worker died mid-try): the try is logged as lost and
  the delivery retries, or fails if that was its last try;
- a waiting delivery whose try is overdue (its job was never dispatched or failed before it could
  claim): a new job is enqueued for that try. Any duplicate job is harmless, since only one claim
  of a try can win (``agenta.core.webhooks.delivery.claim``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from agenta.core.webhooks.delivery import record
from agenta.core.webhooks.fanout import DELIVER_JOB, deliver_job_key
from agenta.core.webhooks.models import DELIVERING, PENDING, RETRYING, WebhookDelivery
from agenta.core.webhooks.policy import policy_from
from agenta.core.webhooks.sending import AttemptResult
from agenta.db import utcnow
from agenta.jobs.registry import JobContext

OVERDUE_AFTER = timedelta(minutes=2)
BATCH = 500

log = logging.getLogger("agenta.webhooks")


async def retry_due(ctx: JobContext) -> None:
    """Recover lost tries and re-enqueue overdue ones (the ``webhooks.retry_due`` cron)."""
    await recover_lost_tries(ctx)
    await enqueue_overdue(ctx)


async def recover_lost_tries(ctx: JobContext) -> int:
    """Log tries whose lock expired as lost and move their deliveries on; returns how many."""
    policy = policy_from(ctx.settings)
    async with ctx.db.session() as session:
        stuck = (
            await session.scalars(
                select(WebhookDelivery)
                .where(
                    WebhookDelivery.status == DELIVERING,
                    WebhookDelivery.locked_until < utcnow(),
                )
                .limit(BATCH)
            )
        ).all()
    lost = AttemptResult("retry", error="the worker stopped during this try")
    for delivery in stuck:
        try:
            async with ctx.db.session() as session:
                await record(session, ctx.queue, delivery, delivery.attempts, lost, policy)
        except IntegrityError:  # the try finished after all: its own record won
            continue
    return len(stuck)


async def enqueue_overdue(ctx: JobContext) -> int:
    """Enqueue the next try of waiting deliveries that are overdue; returns how many."""
    now = utcnow()
    async with ctx.db.session() as session:
        overdue = (
            await session.execute(
                select(WebhookDelivery.id, WebhookDelivery.attempts)
                .where(
                    WebhookDelivery.status.in_((PENDING, RETRYING)),
                    WebhookDelivery.next_attempt_at < now - OVERDUE_AFTER,
                )
                .limit(BATCH)
            )
        ).all()
    sweep = f"sweep:{now:%Y-%m-%dT%H:%M}"
    for delivery_id, attempts in overdue:
        await ctx.queue.enqueue(
            DELIVER_JOB,
            idempotency_key=f"{deliver_job_key(delivery_id, attempts + 1)}:{sweep}",
            delivery_id=delivery_id,
            attempt=attempts + 1,
        )
    if overdue:
        log.warning("re-enqueued overdue webhook deliveries", extra={"count": len(overdue)})
    return len(overdue)
