"""The embedded queue: batches stored exactly once, bad batches parked, limits, the consumer."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from agenta.core.tracing.messages import encode_message
from agenta.core.tracing.models import SpanBatch
from agenta.core.tracing.queue import QueueFull, QueueLimits
from agenta.core.tracing.queue_embedded import (
    DatabaseSpanQueue,
    EmbeddedConsumer,
    drain,
    drain_once,
)
from agenta.core.tracing.retention import delete_expired_spans
from agenta.db import utcnow
from agenta.platform import Platform
from tests.core.tracing.storage_support import (
    llm_trace,
    queued_batches,
    span_count,
    wait_for_spans,
)
from tests.support.accounts import Persona

LIMITS = QueueLimits()


async def put_trace(queue: DatabaseSpanQueue, owner: Persona, children: int = 2) -> None:
    spans = llm_trace(children=children)
    await queue.put(owner.project_id, encode_message(owner.project_id, spans), len(spans))


async def test_a_drained_batch_is_stored_and_leaves_the_queue(
    platform: Platform, owner: Persona
) -> None:
    queue = DatabaseSpanQueue(platform.db, LIMITS)
    await put_trace(queue, owner)
    await put_trace(queue, owner)

    result = await drain_once(platform.db, LIMITS)

    assert (result.batches, result.spans) == (2, 6)
    assert await span_count(platform.db, owner.project_id) == 6
    assert await queued_batches(platform.db) == 0


async def test_two_consumers_racing_store_each_batch_once(
    platform: Platform, owner: Persona
) -> None:
    queue = DatabaseSpanQueue(platform.db, LIMITS)
    for _ in range(5):
        await put_trace(queue, owner)

    results = await asyncio.gather(drain_once(platform.db, LIMITS), drain_once(platform.db, LIMITS))

    assert sum(result.batches for result in results) == 5
    assert await span_count(platform.db, owner.project_id) == 15
    assert await queued_batches(platform.db) == 0


async def test_a_batch_that_keeps_failing_is_parked_and_the_rest_flow(
    platform: Platform, owner: Persona
) -> None:
    limits = QueueLimits(max_deliveries=2)
    async with platform.db.session() as session:
        session.add(SpanBatch(project_id=owner.project_id, payload=b"garbage", span_count=1))
    await put_trace(DatabaseSpanQueue(platform.db, limits), owner)

    await drain(platform.db, limits)
    await drain(platform.db, limits)

    assert await span_count(platform.db, owner.project_id) == 3
    async with platform.db.session() as session:
        parked = (await session.scalars(select(SpanBatch))).one()
    assert parked.failed_at is not None
    assert parked.attempts == 2
    assert "not valid JSON" in (parked.last_error or "")
    assert await DatabaseSpanQueue(platform.db, limits).backlog() == 0


async def test_a_full_queue_refuses_more_batches(platform: Platform, owner: Persona) -> None:
    queue = DatabaseSpanQueue(platform.db, QueueLimits(max_batches=2, check_interval=0.0))
    await put_trace(queue, owner)
    await put_trace(queue, owner)

    with pytest.raises(QueueFull):
        await put_trace(queue, owner)

    assert await queued_batches(platform.db) == 2


async def test_the_consumer_stores_batches_as_they_arrive(
    platform: Platform, owner: Persona
) -> None:
    queue = DatabaseSpanQueue(platform.db, QueueLimits(poll_interval=30.0))
    consumer = EmbeddedConsumer(queue)
    consumer.start()
    try:
        await asyncio.sleep(0.1)  # the consumer found nothing and now sleeps until woken
        await put_trace(queue, owner)
        assert await wait_for_spans(platform.db, owner.project_id, 3, timeout=10) == 3
    finally:
        await consumer.stop()


async def test_parked_batches_are_deleted_after_a_week(platform: Platform, owner: Persona) -> None:
    now = utcnow()
    async with platform.db.session() as session:
        for age in (8, 1):
            session.add(
                SpanBatch(
                    project_id=owner.project_id,
                    payload=b"bad",
                    span_count=1,
                    failed_at=now - timedelta(days=age),
                )
            )
        session.add(SpanBatch(project_id=owner.project_id, payload=b"waiting", span_count=1))

    await delete_expired_spans(platform.db, now)

    async with platform.db.session() as session:
        left = (await session.scalars(select(SpanBatch.payload))).all()
    assert sorted(left) == [b"bad", b"waiting"]
