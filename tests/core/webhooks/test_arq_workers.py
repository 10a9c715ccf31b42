"""Production mode: events go through Redis to two arq workers; every delivery arrives once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from arq.worker import Worker
from sqlalchemy import select

from agenta.core.events.models import Event
from agenta.core.events.service import record_event
from agenta.core.webhooks.fanout import DELIVER_JOB
from agenta.core.webhooks.models import SUCCEEDED, WebhookDelivery
from agenta.core.webhooks.secret_storage import secret_box
from agenta.core.webhooks.subscriptions import SubscriptionInput, create_subscription
from agenta.jobs.catalog import build_registry
from agenta.jobs.worker import build_worker_settings
from agenta.platform import Platform
from agenta.settings import Settings
from tests.core.webhooks.conftest import FAST_RETRIES, Receiver
from tests.support.accounts import make_user

pytestmark = pytest.mark.redis


@pytest.fixture
def production_settings(
    make_settings: Callable[..., Settings], database_url: str, redis_url: str
) -> Settings:
    return make_settings(
        database_url,
        redis_url=redis_url,
        webhooks_allow_private=True,
        **FAST_RETRIES,
    )


@pytest.fixture
async def producer(production_settings: Settings) -> AsyncIterator[Platform]:
    platform = await Platform.start(production_settings)
    yield platform
    await platform.stop()


async def burst(settings: Settings) -> None:
    options: dict[str, Any] = build_worker_settings(settings, build_registry())
    options.update(handle_signals=False, poll_delay=0.01, cron_jobs=[])
    worker = Worker(**options, burst=True)
    await worker.async_run()
    await worker.close()


async def two_workers_until_settled(settings: Settings, platform: Platform) -> None:
    async with asyncio.timeout(30):
        while True:
            await platform.queue.drain()
            await asyncio.gather(burst(settings), burst(settings))
            async with platform.db.session() as session:
                unpublished = await session.scalar(
                    select(Event.id).where(Event.published_at.is_(None))
                )
                waiting = await session.scalar(
                    select(WebhookDelivery.id).where(WebhookDelivery.status != SUCCEEDED)
                )
            if unpublished is None and waiting is None:
                return
            await asyncio.sleep(0.05)


async def test_two_arq_workers_deliver_each_delivery_once(
    producer: Platform, production_settings: Settings, receiver: Receiver
) -> None:
    owner = await make_user(producer)
    async with producer.db.session() as session:
        _, receiver.secret = await create_subscription(
            session,
            project_id=owner.project_id,
            data=SubscriptionInput(name="receiver", url=receiver.url),
            box=secret_box(production_settings),
            allow_private=True,
        )
    for number in range(8):
        async with producer.db.session() as session:
            await record_event(
                session,
                project_id=owner.project_id,
                event_type="variant.committed",
                data={"name": f"v{number}"},
                queue=producer.queue,
            )
    await two_workers_until_settled(production_settings, producer)
    async with producer.db.session() as session:
        delivery_ids = (await session.scalars(select(WebhookDelivery.id))).all()
    # A second job for every first try, as a redelivered arq message would bring.
    for delivery_id in delivery_ids:
        await producer.queue.enqueue(DELIVER_JOB, delivery_id=delivery_id, attempt=1)
    await two_workers_until_settled(production_settings, producer)

    counts = Counter(receiver.delivery_ids())
    assert len(counts) == 8 and set(counts.values()) == {1}
    assert all(receiver.signatures_ok)
