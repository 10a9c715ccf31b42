"""Reading deliveries and their tries for the pages and the API, and redelivering by hand.

A redelivery puts a finished delivery (delivered or failed) back in the queue with the same id,
so receivers that already processed it can recognise it, and grants it a new round of up to the
subscription's ``max_attempts`` tries. Try numbers keep counting, so the log stays in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.events.types import EventType
from agenta.core.webhooks.fanout import DELIVER_JOB, deliver_job_key
from agenta.core.webhooks.models import (
    FAILED,
    PENDING,
    SUCCEEDED,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from agenta.db import utcnow
from agenta.errors import Conflict, NotFound
from agenta.jobs.queue import JobQueue

STATUSES = ("pending", "delivering", "retrying", "succeeded", "failed")
PAGE_SIZE = 50


@dataclass(frozen=True)
class DeliveryFilter:
    """Which deliveries to list: of one subscription, in one status, older than a cursor."""

    subscription_id: UUID | None = None
    status: str | None = None
    before: UUID | None = None
    limit: int = PAGE_SIZE


async def list_deliveries(
    session: AsyncSession, project_id: UUID, wanted: DeliveryFilter
) -> list[WebhookDelivery]:
    """The project's deliveries matching ``wanted``, newest first."""
    if wanted.status is not None and wanted.status not in STATUSES:
        raise ValueError(f"unknown delivery status {wanted.status!r}: use {', '.join(STATUSES)}")
    query = select(WebhookDelivery).where(WebhookDelivery.project_id == project_id)
    if wanted.subscription_id is not None:
        query = query.where(WebhookDelivery.subscription_id == wanted.subscription_id)
    if wanted.status is not None:
        query = query.where(WebhookDelivery.status == wanted.status)
    if wanted.before is not None:
        cursor = await session.get(WebhookDelivery, wanted.before)
        if cursor is not None:
            query = query.where(WebhookDelivery.created_at < cursor.created_at)
    query = query.order_by(WebhookDelivery.created_at.desc()).limit(max(1, min(wanted.limit, 200)))
    return list((await session.scalars(query)).all())


async def get_delivery(
    session: AsyncSession, project_id: UUID, delivery_id: UUID
) -> WebhookDelivery:
    """One delivery of the project; 404 if it is not there."""
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.project_id != project_id:
        raise NotFound(f"No webhook delivery {delivery_id} in this project")
    return delivery


async def attempts_of(session: AsyncSession, delivery_id: UUID) -> list[WebhookAttempt]:
    """Every try of a delivery, first to last."""
    rows = await session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(WebhookAttempt.number)
    )
    return list(rows.all())


async def redeliver(session: AsyncSession, delivery: WebhookDelivery, queue: JobQueue) -> None:
    """Send a finished delivery again (same id), with a new round of tries."""
    if delivery.status not in (SUCCEEDED, FAILED):
        raise Conflict(f"This delivery is {delivery.status}: it is already on its way")
    subscription = await session.get_one(WebhookSubscription, delivery.subscription_id)
    if subscription.deleted_at is not None:
        raise Conflict("The webhook of this delivery was deleted")
    if not subscription.active and delivery.event_type != EventType.WEBHOOK_TEST:
        raise Conflict("The webhook is inactive: activate it before redelivering")
    delivery.status = PENDING
    delivery.attempt_limit = delivery.attempts + subscription.max_attempts
    delivery.next_attempt_at = utcnow()
    delivery.finished_at = None
    await session.flush()
    await queue.enqueue(
        DELIVER_JOB,
        session=session,
        idempotency_key=deliver_job_key(delivery.id, delivery.attempts + 1),
        delivery_id=delivery.id,
        attempt=delivery.attempts + 1,
    )
