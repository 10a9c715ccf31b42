"""The span queue between ingestion and storage: its interface, limits and backpressure.

An export is acknowledged once its spans sit in a durable queue: the `span_batches` table
in embedded mode (`queue_embedded.py`), the Redis stream `agenta:spans` in production mode
(`queue_redis.py`). Both implement `SpanQueue`.

Backpressure instead of loss: when more than `max_batches` messages wait, `put` is refused
with `QueueFull`, which the OTLP route turns into 503 with `Retry-After` (exporters retry
those). Nothing is ever trimmed from a queue. Counting the backlog on every request would
cost a round trip each, so `CapacityGate` re-reads it at most every `check_interval`
seconds; a burst can overshoot the limit by what arrives in that interval.

The backlog limit and the size of a write batch come from the settings
(`AGENTA_TRACING_QUEUE_MAX_BATCHES`, `AGENTA_TRACING_BATCH_MAX_SPANS`,
`AGENTA_TRACING_BATCH_MAX_EXPORTS`); the timings below are internal, tests shorten them by
building `QueueLimits` directly. The defaults suit a laptop and a small server alike.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from agenta.settings import Settings


@dataclass(frozen=True, slots=True)
class QueueLimits:
    """How much may wait, and how consumers take work."""

    max_batches: int = 10_000
    retry_after_seconds: int = 5
    check_interval: float = 0.25
    consume_max_spans: int = 5_000
    consume_max_messages: int = 50
    gather_seconds: float = 0.05
    poll_interval: float = 0.5
    reclaim_idle_seconds: float = 15.0
    max_deliveries: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> QueueLimits:
        """The limits the settings configure, default timings."""
        return cls(
            max_batches=settings.tracing_queue_max_batches,
            consume_max_spans=settings.tracing_batch_max_spans,
            consume_max_messages=settings.tracing_batch_max_exports,
        )


class QueueFull(Exception):
    """The queue is over its limit; the client should retry after `retry_after` seconds."""

    def __init__(self, backlog: int, limit: int, retry_after: int) -> None:
        super().__init__(f"the span queue holds {backlog} batches, over its limit of {limit}")
        self.retry_after = retry_after


class QueueUnavailable(Exception):
    """The queue cannot be reached (Redis or the database is down); retry later."""

    def __init__(self, reason: str, retry_after: int) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class SpanQueue(Protocol):
    """Where accepted exports wait for the tracing consumer."""

    async def put(self, project_id: uuid.UUID, payload: bytes, span_count: int) -> None:
        """Durably queue one message; raises `QueueFull` or `QueueUnavailable`."""
        ...

    async def backlog(self) -> int:
        """How many messages wait (not counting parked failures)."""
        ...


class CapacityGate:
    """Refuses new messages while the (periodically re-read) backlog is over the limit."""

    def __init__(self, count: Callable[[], Awaitable[int]], limits: QueueLimits) -> None:
        self._count = count
        self._limits = limits
        self._backlog = 0
        self._checked_at = float("-inf")

    async def check(self) -> None:
        """Raise `QueueFull` when the backlog is over `max_batches`."""
        now = time.monotonic()
        if now - self._checked_at >= self._limits.check_interval:
            self._backlog = await self._count()
            self._checked_at = now
        if self._backlog >= self._limits.max_batches:
            raise QueueFull(
                self._backlog, self._limits.max_batches, self._limits.retry_after_seconds
            )

    def added(self) -> None:
        """Count a message this process just queued, until the next re-read."""
        self._backlog += 1
