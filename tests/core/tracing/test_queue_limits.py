"""Tracing limits from the environment, and a queue that cannot be reached."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from redis.asyncio import Redis

from agenta.core.tracing.queue import QueueLimits, QueueUnavailable
from agenta.core.tracing.queue_redis import RedisSpanQueue
from agenta.settings import Settings, SettingsError


def test_queue_and_batch_limits_are_read_from_the_environment(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    env = {
        "AGENTA_TRACING_QUEUE_MAX_BATCHES": "7",
        "AGENTA_TRACING_BATCH_MAX_SPANS": "300",
        "AGENTA_TRACING_BATCH_MAX_EXPORTS": "4",
    }

    limits = QueueLimits.from_settings(make_settings(sqlite_url, env=env))

    assert limits.max_batches == 7
    assert limits.consume_max_spans == 300
    assert limits.consume_max_messages == 4


def test_the_body_limit_is_also_read_under_its_former_name(
    make_settings: Callable[..., Settings], sqlite_url: str
) -> None:
    former = make_settings(sqlite_url, env={"AGENTA_OTLP_MAX_BYTES": "1000"})
    both = make_settings(
        sqlite_url,
        env={"AGENTA_OTLP_MAX_BYTES": "1000", "AGENTA_TRACING_OTLP_MAX_BYTES": "2000"},
    )

    assert former.tracing_otlp_max_bytes == 1000
    assert both.tracing_otlp_max_bytes == 2000


@pytest.mark.parametrize(
    "name",
    [
        "AGENTA_TRACING_OTLP_MAX_BYTES",
        "AGENTA_TRACING_QUEUE_MAX_BATCHES",
        "AGENTA_TRACING_BATCH_MAX_SPANS",
        "AGENTA_TRACING_BATCH_MAX_EXPORTS",
    ],
)
def test_a_limit_below_one_is_refused_by_name(
    make_settings: Callable[..., Settings], sqlite_url: str, name: str
) -> None:
    with pytest.raises(SettingsError, match=f"{name} must be at least 1, got 0"):
        make_settings(sqlite_url, env={name: "0"})


async def test_an_unreachable_redis_makes_the_queue_unavailable() -> None:
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    queue = RedisSpanQueue(redis, QueueLimits(retry_after_seconds=3))
    try:
        with pytest.raises(QueueUnavailable) as refused:
            await queue.put(uuid.uuid4(), b"{}", 1)
    finally:
        await redis.aclose()

    assert refused.value.retry_after == 3
