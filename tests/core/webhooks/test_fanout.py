"""Which subscriptions get which events: types, filters, the active flag and test events."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import select

from agenta.core.events.publishing import publish
from agenta.core.webhooks.models import WebhookDelivery, WebhookSubscription
from agenta.core.webhooks.subscriptions import send_test_event, set_active
from agenta.jobs.registry import JobContext
from agenta.jobs.runner import InProcessRunner
from agenta.platform import Platform
from tests.core.webhooks.conftest import MakeSubscription, Receiver, RecordEvent, settle


async def received_types(receiver: Receiver) -> list[str]:
    return [request.headers["x-agenta-event-type"] for request in receiver.requests]


async def test_a_subscription_gets_only_the_event_types_it_lists(
    platform: Platform,
    runner: InProcessRunner,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
) -> None:
    await make_subscription(event_types=["environment.deployed"])
    await emit("app.created")
    await emit("environment.deployed", environment="production")
    await settle(platform, runner)
    assert await received_types(receiver) == ["environment.deployed"]


async def test_filters_narrow_by_application_and_environment(
    platform: Platform,
    runner: InProcessRunner,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
) -> None:
    app_id = uuid4()
    await make_subscription(application_id=str(app_id), environment="production")
    await emit("environment.deployed", application_id=app_id, environment="staging")
    await emit("environment.deployed", application_id=uuid4(), environment="production")
    wanted = await emit("environment.deployed", application_id=app_id, environment="production")
    await settle(platform, runner)
    assert [r.json()["id"] for r in receiver.requests] == [str(wanted)]


async def test_an_inactive_subscription_gets_nothing_but_its_test_events(
    platform: Platform,
    runner: InProcessRunner,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
) -> None:
    subscription_id = await make_subscription()
    other_id = await make_subscription(name="other")
    async with platform.db.session() as session:
        subscription = await session.get_one(WebhookSubscription, subscription_id)
        await set_active(session, subscription, False, None)
        await send_test_event(session, subscription, actor=None, queue=platform.queue)
    await emit("app.created")
    await settle(platform, runner)

    # The other (active) subscription gets the app event but not the test aimed elsewhere.
    async with platform.db.session() as session:
        rows = (await session.scalars(select(WebhookDelivery))).all()
    by_subscription = {(row.subscription_id, row.event_type) for row in rows}
    assert by_subscription == {(subscription_id, "webhook.test"), (other_id, "app.created")}


async def test_publishing_an_event_twice_creates_its_deliveries_once(
    platform: Platform,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
    runner: InProcessRunner,
) -> None:
    await make_subscription()
    event_id = await emit("app.created")
    ctx = JobContext(settings=platform.settings, db=platform.db, queue=platform.queue)
    await publish(ctx, str(event_id))
    await publish(ctx, str(event_id))
    await settle(platform, runner)
    assert len(receiver.requests) == 1
