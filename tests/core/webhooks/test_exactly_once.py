"""Several workers, duplicate jobs and dead workers never make a receiver get a try twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import select, update

from agenta.core.events.publishing import publish
from agenta.core.webhooks.delivery import claim, deliver
from agenta.core.webhooks.fanout import DELIVER_JOB
from agenta.core.webhooks.models import (
    RETRYING,
    SUCCEEDED,
    WebhookAttempt,
    WebhookDelivery,
)
from agenta.core.webhooks.policy import policy_from
from agenta.core.webhooks.recovery import retry_due
from agenta.db import utcnow
from agenta.jobs.registry import JobContext
from agenta.jobs.runner import InProcessRunner
from agenta.platform import Platform
from tests.core.webhooks.conftest import (
    MakeSubscription,
    Receiver,
    RecordEvent,
    make_runner,
    settle,
)


def job_context(platform: Platform) -> JobContext:
    return JobContext(settings=platform.settings, db=platform.db, queue=platform.queue)


async def all_deliveries(platform: Platform) -> list[WebhookDelivery]:
    async with platform.db.session() as session:
        return list((await session.scalars(select(WebhookDelivery))).all())


async def test_two_workers_never_deliver_the_same_delivery_twice(
    platform: Platform,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
) -> None:
    await make_subscription()
    for number in range(12):
        await emit("app.created", name=f"app {number}")
    first, second = make_runner(platform), make_runner(platform)
    try:
        await settle(platform, first, second)
        # Every first try also gets a second job, as a lost acknowledgement or a sweep would.
        for delivery in await all_deliveries(platform):
            await platform.queue.enqueue(DELIVER_JOB, delivery_id=delivery.id, attempt=1)
        await settle(platform, first, second)
    finally:
        await first.stop()
        await second.stop()

    counts = Counter(receiver.delivery_ids())
    assert len(counts) == 12
    assert set(counts.values()) == {1}
    assert {d.status for d in await all_deliveries(platform)} == {SUCCEEDED}


async def test_concurrent_jobs_for_the_same_try_send_it_once(
    platform: Platform,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
    runner: InProcessRunner,
) -> None:
    await make_subscription()
    await emit("app.created")
    ctx = job_context(platform)
    await runner.run_until_idle()  # publishes and delivers the first try
    [delivery] = await all_deliveries(platform)
    await asyncio.gather(*(deliver(ctx, str(delivery.id), 1) for _ in range(5)))
    assert len(receiver.requests) == 1


async def test_a_try_whose_worker_died_is_logged_as_lost_and_retried(
    platform: Platform,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
    runner: InProcessRunner,
) -> None:
    await make_subscription()
    event_id = await emit("app.created")
    ctx = job_context(platform)
    await publish(ctx, str(event_id))
    [delivery] = await all_deliveries(platform)
    # A worker claims the first try, then dies before sending it; its lock runs out.
    assert await claim(platform.db, delivery.id, 1, policy_from(platform.settings)) is not None
    async with platform.db.session() as session:
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery.id)
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
    await retry_due(ctx)
    await settle(platform, runner)

    async with platform.db.session() as session:
        attempts = (
            await session.scalars(
                select(WebhookAttempt)
                .where(WebhookAttempt.delivery_id == delivery.id)
                .order_by(WebhookAttempt.number)
            )
        ).all()
    assert [(a.number, a.outcome, a.error) for a in attempts] == [
        (1, "retry", "the worker stopped during this try"),
        (2, "succeeded", None),
    ]
    assert len(receiver.requests) == 1


async def test_an_overdue_try_whose_job_was_lost_is_enqueued_again(
    platform: Platform,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
    runner: InProcessRunner,
) -> None:
    await make_subscription()
    receiver.script = []
    await emit("app.created")
    await settle(platform, runner)
    [delivery] = await all_deliveries(platform)
    # The delivery waits for try 2 but that try's job is gone.
    async with platform.db.session() as session:
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery.id)
            .values(status=RETRYING, next_attempt_at=utcnow() - timedelta(minutes=5))
        )
    await retry_due(job_context(platform))
    await settle(platform, runner)

    [after] = await all_deliveries(platform)
    assert (after.status, after.attempts) == (SUCCEEDED, 2)
    assert len(receiver.requests) == 2
