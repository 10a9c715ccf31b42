"""Queue limits from settings, and a queue that cannot be reached."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from redis.asyncio import Redis

from agenta.core.tracing.queue import QueueLimits, QueueUnavailable
from agenta.core.tracing.queue_redis import RedisSpanQueue
from agenta.settings import Settings


def test_limits_can_be_tuned_through_settings(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    settings = make_settings(sqlite_url, extra={"tracing": {"max_batches": 7}})

    assert QueueLimits.from_settings(settings).max_batches == 7


def test_an_unknown_limit_is_refused_by_name(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    settings = make_settings(sqlite_url, extra={"tracing": {"max_batchez": 7}})

    with pytest.raises(ValueError, match="max_batchez"):
        QueueLimits.from_settings(settings)


async def test_an_unreachable_redis_makes_the_queue_unavailable() -> None:
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    queue = RedisSpanQueue(redis, QueueLimits(retry_after_seconds=3))
    try:
        with pytest.raises(QueueUnavailable) as refused:
            await queue.put(uuid.uuid4(), b"{}", 1)
    finally:
        await redis.aclose()

    assert refused.value.retry_after == 3
