"""Isolation samples for the webhook routes (see ``tests/core/access/route_table.py``)."""

from __future__ import annotations

from uuid import UUID

from agenta.core.events.publishing import publish
from agenta.core.events.service import record_event
from agenta.core.webhooks.fanout import delivery_id_for
from agenta.core.webhooks.secret_storage import secret_box
from agenta.core.webhooks.subscriptions import SubscriptionInput, create_subscription
from agenta.jobs.registry import JobContext
from agenta.platform import Platform
from tests.support.accounts import Persona


async def subscription_id(platform: Platform, owner: Persona) -> str:
    async with platform.db.session() as session:
        subscription, _ = await create_subscription(
            session,
            project_id=owner.project_id,
            data=SubscriptionInput(name="owner hook", url="https://example.com/hook"),
            box=secret_box(platform.settings),
            allow_private=False,
        )
    return str(subscription.id)


async def delivery_id(platform: Platform, owner: Persona) -> str:
    subscription = await subscription_id(platform, owner)
    async with platform.db.session() as session:
        event_id = await record_event(
            session, project_id=owner.project_id, event_type="app.created", data={}
        )
    ctx = JobContext(settings=platform.settings, db=platform.db, queue=platform.queue)
    await publish(ctx, str(event_id))
    return str(delivery_id_for(event_id, UUID(subscription)))


async def action_test(platform: Platform, owner: Persona) -> str:
    return "test"


SAMPLES = {
    "subscription_id": subscription_id,
    "delivery_id": delivery_id,
    "/api/webhooks/subscriptions/{subscription_id:uuid}/{action:str}#action": action_test,
    "/settings/webhooks/{subscription_id:uuid}/{action:str}#action": action_test,
}
