"""The ``webhooks.deliver`` job (the webhooks worker's role): one try of one delivery.

A try first claims its delivery with a conditional update that only succeeds when the delivery
is waiting (``pending`` or ``retrying``) and has made exactly ``attempt - 1`` tries. However many
jobs, workers or sweeps ask for the same try, one claim wins and the receiver gets that try once.
The winner sends, then records the try and the delivery's new state in one transaction: delivered,
failed, or retrying, in which case the next try's job is written in that same transaction with
its backoff delay. When ``attempt_limit`` tries have failed the delivery is marked failed; it can
then be redelivered by hand (``agenta.core.webhooks.deliveries.redeliver``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.events.models import Event
from agenta.core.events.types import EventType
from agenta.core.webhooks.fanout import DELIVER_JOB, deliver_job_key
from agenta.core.webhooks.models import (
    DELIVERING,
    FAILED,
    PENDING,
    RETRYING,
    SUCCEEDED,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from agenta.core.webhooks.payloads import delivery_body, delivery_headers
from agenta.core.webhooks.policy import DeliveryPolicy, policy_from
from agenta.core.webhooks.secret_storage import secret_box
from agenta.core.webhooks.sending import AttemptResult, send
from agenta.crypto import DecryptionError
from agenta.db import Database, utcnow
from agenta.jobs.queue import JobQueue
from agenta.jobs.registry import JobContext

log = logging.getLogger("agenta.webhooks")


@dataclass(frozen=True)
class Target:
    """Everything one try needs, read after the claim."""

    delivery: WebhookDelivery
    subscription: WebhookSubscription
    event: Event


async def deliver(ctx: JobContext, delivery_id: str, attempt: int) -> None:
    """Make try ``attempt`` of a delivery, unless another worker already made it."""
    policy = policy_from(ctx.settings)
    target = await claim(ctx.db, UUID(delivery_id), attempt, policy)
    if target is None:
        return
    result = await attempt_once(ctx, target, attempt, policy)
    async with ctx.db.session() as session:
        await record(session, ctx.queue, target.delivery, attempt, result, policy)


async def claim(
    db: Database, delivery_id: UUID, attempt: int, policy: DeliveryPolicy
) -> Target | None:
    """Take try ``attempt`` of the delivery; None when it is not this try's turn."""
    now = utcnow()
    async with db.session() as session:
        result = await session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status.in_((PENDING, RETRYING)),
                WebhookDelivery.attempts == attempt - 1,
                WebhookDelivery.attempt_limit >= attempt,
            )
            .values(
                status=DELIVERING,
                attempts=attempt,
                locked_until=now + timedelta(seconds=policy.lock_seconds),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        delivery = await session.get_one(WebhookDelivery, delivery_id)
        subscription = await session.get_one(WebhookSubscription, delivery.subscription_id)
        event = await session.get_one(Event, delivery.event_id)
    return Target(delivery, subscription, event)


async def attempt_once(
    ctx: JobContext, target: Target, attempt: int, policy: DeliveryPolicy
) -> AttemptResult:
    """Send the try, or explain why it cannot be sent."""
    subscription, event = target.subscription, target.event
    is_test = event.event_type == EventType.WEBHOOK_TEST
    if subscription.deleted_at is not None:
        return AttemptResult("failed", error="the subscription was deleted")
    if not subscription.active and not is_test:
        return AttemptResult("failed", error="the subscription is inactive")
    try:
        secret = secret_box(ctx.settings).decrypt(subscription.secret_encrypted)
    except DecryptionError as exc:  # no retry can help: the secret must be rotated
        return AttemptResult("failed", error=f"{exc}; create a new secret for this webhook")
    body = delivery_body(event)
    headers = delivery_headers(
        secret=secret, body=body, event=event, delivery_id=target.delivery.id, attempt=attempt
    )
    return await send(subscription.url, body, headers, policy)


async def record(
    session: AsyncSession,
    queue: JobQueue,
    delivery: WebhookDelivery,
    attempt: int,
    result: AttemptResult,
    policy: DeliveryPolicy,
) -> str:
    """Log the try and move the delivery on (scheduling the next try); returns its new status."""
    state = _next_state(delivery, attempt, result, policy)
    session.add(
        WebhookAttempt(
            project_id=delivery.project_id,
            delivery_id=delivery.id,
            number=attempt,
            outcome=_OUTCOME_OF_STATUS[state.status],
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            response_excerpt=result.response_excerpt,
            error=result.error,
        )
    )
    await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery.id,
            WebhookDelivery.status == DELIVERING,
            WebhookDelivery.attempts == attempt,
        )
        .values(
            status=state.status,
            locked_until=None,
            next_attempt_at=state.next_attempt_at,
            finished_at=state.finished_at,
            last_status_code=result.status_code,
            last_error=state.error,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if state.status == RETRYING:
        await queue.enqueue(
            DELIVER_JOB,
            session=session,
            idempotency_key=deliver_job_key(delivery.id, attempt + 1),
            delay=state.delay,
            delivery_id=delivery.id,
            attempt=attempt + 1,
        )
    log.info(
        "webhook delivery attempt",
        extra={"delivery_id": str(delivery.id), "attempt": attempt, "status": state.status},
    )
    return state.status


_OUTCOME_OF_STATUS = {SUCCEEDED: "succeeded", RETRYING: "retry", FAILED: "failed"}


@dataclass(frozen=True)
class _State:
    status: str
    error: str | None
    next_attempt_at: datetime | None = None
    finished_at: datetime | None = None
    delay: float = 0.0


def _next_state(
    delivery: WebhookDelivery, attempt: int, result: AttemptResult, policy: DeliveryPolicy
) -> _State:
    now = utcnow()
    if result.outcome == "succeeded":
        return _State(SUCCEEDED, None, finished_at=now)
    if result.outcome == "retry" and attempt < delivery.attempt_limit:
        delay = policy.backoff(attempt)
        return _State(RETRYING, result.error, now + timedelta(seconds=delay), delay=delay)
    if result.outcome == "retry":
        error = f"gave up after {attempt} tries; the last one said: {result.error}"
        return _State(FAILED, error, finished_at=now)
    return _State(FAILED, result.error, finished_at=now)
