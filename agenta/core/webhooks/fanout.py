"""Fanning an event out to the subscriptions that want it, in the publishing transaction.

A subscription wants an event when it is active, lists the event's type (or lists none, meaning
all) and its filters match the event's data (``application_id``, ``environment``). A
``webhook.test`` event goes only to the subscription it names, active or not, and to no other.
Each match becomes one delivery row, with the deterministic id of the event and subscription,
plus its first ``webhooks.deliver`` job, both in the caller's transaction: a fan-out that runs
twice finds the rows already there and adds nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, UUID, uuid5

from sqlalchemy import select

from agenta.core.events.models import Event
from agenta.core.events.types import EventType
from agenta.core.webhooks.models import WebhookDelivery, WebhookSubscription

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from agenta.jobs.queue import JobQueue

DELIVER_JOB = "webhooks.deliver"
DELIVERY_NAMESPACE = uuid5(NAMESPACE_URL, "agenta:webhooks.delivery")
FILTER_KEYS = ("application_id", "environment")


def delivery_id_for(event_id: UUID, subscription_id: UUID) -> UUID:
    """The id of the delivery of one event to one subscription (UUIDv5, stable)."""
    return uuid5(DELIVERY_NAMESPACE, f"{event_id}:{subscription_id}")


def deliver_job_key(delivery_id: UUID, attempt: int) -> str:
    """The job idempotency key of try ``attempt`` of a delivery: one job per try."""
    return f"{DELIVER_JOB}:{delivery_id}:{attempt}"


def wants(subscription: WebhookSubscription, event: Event) -> bool:
    """True when ``subscription`` should receive ``event``."""
    if event.event_type == EventType.WEBHOOK_TEST:
        return str(subscription.id) == str(event.data.get("subscription_id"))
    if not subscription.active:
        return False
    if subscription.event_types and event.event_type not in subscription.event_types:
        return False
    return all(
        str(event.data.get(key)) == str(wanted)
        for key, wanted in subscription.filters.items()
        if key in FILTER_KEYS and wanted not in (None, "")
    )


async def fan_out(session: AsyncSession, event: Event, queue: JobQueue) -> list[UUID]:
    """Create the deliveries of ``event`` and schedule their first tries; returns their ids."""
    subscriptions = (
        await session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.project_id == event.project_id,
                WebhookSubscription.deleted_at.is_(None),
            )
        )
    ).all()
    targets = [s for s in subscriptions if wants(s, event)]
    existing = await _existing_ids(session, [delivery_id_for(event.id, s.id) for s in targets])
    created = []
    for subscription in targets:
        delivery_id = delivery_id_for(event.id, subscription.id)
        if delivery_id in existing:
            continue
        session.add(_new_delivery(delivery_id, event, subscription))
        created.append(delivery_id)
    await session.flush()
    for delivery_id in created:
        await queue.enqueue(
            DELIVER_JOB,
            session=session,
            idempotency_key=deliver_job_key(delivery_id, 1),
            delivery_id=delivery_id,
            attempt=1,
        )
    return created


def _new_delivery(
    delivery_id: UUID, event: Event, subscription: WebhookSubscription
) -> WebhookDelivery:
    return WebhookDelivery(
        id=delivery_id,
        project_id=event.project_id,
        subscription_id=subscription.id,
        event_id=event.id,
        event_type=event.event_type,
        attempt_limit=subscription.max_attempts,
    )


async def _existing_ids(session: AsyncSession, ids: list[UUID]) -> set[UUID]:
    if not ids:
        return set()
    found = await session.scalars(select(WebhookDelivery.id).where(WebhookDelivery.id.in_(ids)))
    return set(found.all())
