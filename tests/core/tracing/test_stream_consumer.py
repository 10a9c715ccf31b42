"""The production queue: the Redis stream, its consumer group, reclaim, dead letters, limits."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from agenta.core.tracing.consume import store_messages
from agenta.core.tracing.messages import decode_message, encode_message
from agenta.core.tracing.queue import QueueFull, QueueLimits
from agenta.core.tracing.queue_redis import (
    DEAD_STREAM,
    GROUP,
    STREAM,
    RedisSpanQueue,
    StreamConsumer,
)
from agenta.platform import Platform
from tests.core.tracing.storage_support import llm_trace, span_count, stored_spans
from tests.support.accounts import Persona

pytestmark = pytest.mark.redis

LIMITS = QueueLimits(reclaim_idle_seconds=0.2)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def put_trace(redis: Redis, project_id: uuid.UUID, children: int = 2) -> None:
    spans = llm_trace(children=children)
    await RedisSpanQueue(redis, LIMITS).put(project_id, encode_message(project_id, spans), 3)


async def test_queued_spans_are_stored_and_leave_the_stream(
    redis: Redis, platform: Platform, owner: Persona
) -> None:
    await put_trace(redis, owner.project_id)
    consumer = StreamConsumer(redis, platform.db, LIMITS, name="one")

    taken = await consumer.step()

    assert taken == 1
    assert await span_count(platform.db, owner.project_id) == 3
    assert await redis.xlen(STREAM) == 0
    assert (await redis.xpending(STREAM, GROUP))["pending"] == 0


async def test_entries_added_before_any_consumer_existed_are_consumed(
    redis: Redis, platform: Platform, owner: Persona
) -> None:
    await put_trace(redis, owner.project_id)
    await put_trace(redis, owner.project_id)

    await StreamConsumer(redis, platform.db, LIMITS, name="late").step()

    assert await span_count(platform.db, owner.project_id) == 6


async def test_entries_of_a_dead_consumer_are_reclaimed_and_stored_once(
    redis: Redis, platform: Platform, owner: Persona
) -> None:
    await put_trace(redis, owner.project_id)
    dead = StreamConsumer(redis, platform.db, LIMITS, name="dead")
    await dead.ensure_group()
    # The dead consumer read the entry and stored it, then died before acknowledging it.
    reply = await redis.xreadgroup(GROUP, "dead", {STREAM: ">"}, count=10)
    [(_entry_id, fields)] = reply[0][1]
    async with platform.db.session() as session:
        await store_messages(session, [decode_message(fields[b"data"])])
    await asyncio.sleep(LIMITS.reclaim_idle_seconds + 0.1)

    reclaimed = await StreamConsumer(redis, platform.db, LIMITS, name="heir").reclaim()

    assert reclaimed == 1
    assert await span_count(platform.db, owner.project_id) == 3
    assert await redis.xlen(STREAM) == 0


async def test_an_unreadable_entry_moves_to_the_dead_letter_stream(
    redis: Redis, platform: Platform, owner: Persona
) -> None:
    await redis.xadd(STREAM, {"data": b"not a span message"})
    await put_trace(redis, owner.project_id)

    await StreamConsumer(redis, platform.db, LIMITS, name="one").step()

    assert await span_count(platform.db, owner.project_id) == 3
    assert await redis.xlen(STREAM) == 0
    [(_id, dead)] = await redis.xrange(DEAD_STREAM)
    assert dead[b"data"] == b"not a span message"
    assert b"not valid JSON" in dead[b"error"]


async def test_an_entry_delivered_too_often_is_parked(
    redis: Redis, platform: Platform, owner: Persona
) -> None:
    await put_trace(redis, owner.project_id)
    limits = QueueLimits(reclaim_idle_seconds=0.0, max_deliveries=2)
    await StreamConsumer(redis, platform.db, limits, name="a").ensure_group()
    await redis.xreadgroup(GROUP, "a", {STREAM: ">"}, count=10)
    for name in ("b", "c"):  # two more deliveries to consumers that die at once
        await redis.xautoclaim(STREAM, GROUP, name, 0, start_id="0-0")

    await StreamConsumer(redis, platform.db, limits, name="d").reclaim()

    assert await span_count(platform.db, owner.project_id) == 0
    assert await redis.xlen(DEAD_STREAM) == 1
    assert await redis.xlen(STREAM) == 0


async def test_spans_of_a_project_that_no_longer_exists_are_dropped(
    redis: Redis, platform: Platform, owner: Persona
) -> None:
    await put_trace(redis, uuid.uuid4())
    await put_trace(redis, owner.project_id)

    await StreamConsumer(redis, platform.db, LIMITS, name="one").step()

    assert await span_count(platform.db) == 3
    assert await redis.xlen(STREAM) == 0


async def test_a_trace_split_over_two_entries_is_rolled_up_whole(
    redis: Redis, platform: Platform, owner: Persona
) -> None:
    root, *children = llm_trace(children=3)
    queue = RedisSpanQueue(redis, LIMITS)
    await queue.put(owner.project_id, encode_message(owner.project_id, children), 3)
    await queue.put(owner.project_id, encode_message(owner.project_id, [root]), 1)
    consumer = StreamConsumer(redis, platform.db, QueueLimits(consume_max_messages=1), name="x")

    await consumer.step()
    await consumer.step()

    stored = await stored_spans(platform.db, owner.project_id)
    assert stored["generate"].attributes["ag"]["metrics"]["tokens"]["cumulative"]["total"] == 45


async def test_a_full_stream_refuses_more_messages(redis: Redis, owner: Persona) -> None:
    queue = RedisSpanQueue(redis, QueueLimits(max_batches=2, check_interval=0.0))
    payload = encode_message(owner.project_id, llm_trace(children=1))
    await queue.put(owner.project_id, payload, 2)
    await queue.put(owner.project_id, payload, 2)

    with pytest.raises(QueueFull) as refused:
        await queue.put(owner.project_id, payload, 2)

    assert refused.value.retry_after == 5
    assert await redis.xlen(STREAM) == 2
