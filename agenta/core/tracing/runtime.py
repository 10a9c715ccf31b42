"""Tracing's per-process resources: the span queue, redaction rules cache and consumer.

`lifespan` (listed in the app's lifespans, after the platform's) builds one
`TracingRuntime` per serve process and keeps it in `platform.services`. The queue is the
Redis stream when the platform has Redis (production mode), else the `span_batches` table.
In embedded mode, when the platform runs jobs in-process (`platform.runner` is set), the
lifespan also runs the embedded consumer, so `agenta serve` alone ingests and stores.
In production mode the consumer runs in `agenta worker` instead (see `jobs.py`).

`runtime_of(platform)` returns the runtime, building one (without a consumer) for code
that runs outside the app, such as benchmarks and CLI commands.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from litestar import Litestar

from agenta.core.tracing.project_settings import RedactorCache
from agenta.core.tracing.queue import QueueLimits, SpanQueue
from agenta.core.tracing.queue_embedded import DatabaseSpanQueue, EmbeddedConsumer
from agenta.core.tracing.queue_redis import RedisSpanQueue
from agenta.core.tracing.raw import DecodeLimits
from agenta.platform import Platform

SERVICE_KEY = "tracing"
# Compressed bodies may inflate; allow generous room but keep a ceiling.
DECODED_SIZE_FACTOR = 8


@dataclass
class TracingRuntime:
    """What ingestion and the consumer need in one process."""

    queue: SpanQueue
    limits: QueueLimits
    decode_limits: DecodeLimits
    redactors: RedactorCache
    consumer: EmbeddedConsumer | None = None


def build_runtime(platform: Platform) -> TracingRuntime:
    """The runtime for the platform's mode (no consumer started)."""
    limits = QueueLimits.from_settings(platform.settings)
    queue: SpanQueue
    if platform.redis is not None:
        queue = RedisSpanQueue(platform.redis, limits)
    else:
        queue = DatabaseSpanQueue(platform.db, limits)
    max_bytes = platform.settings.tracing_otlp_max_bytes
    decode_limits = DecodeLimits(
        max_body_bytes=max_bytes,
        max_decoded_bytes=max(64 * 1024 * 1024, max_bytes * DECODED_SIZE_FACTOR),
    )
    return TracingRuntime(queue, limits, decode_limits, RedactorCache(platform.db))


def runtime_of(platform: Platform) -> TracingRuntime:
    """The process's tracing runtime (built on first use outside the app)."""
    runtime = platform.services.get(SERVICE_KEY)
    if not isinstance(runtime, TracingRuntime):
        runtime = build_runtime(platform)
        platform.services[SERVICE_KEY] = runtime
    return runtime


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Build the runtime; in embedded mode with jobs running, run the span consumer."""
    platform: Platform = app.state.platform
    runtime = build_runtime(platform)
    platform.services[SERVICE_KEY] = runtime
    if platform.runner is not None and isinstance(runtime.queue, DatabaseSpanQueue):
        runtime.consumer = EmbeddedConsumer(runtime.queue)
        runtime.consumer.start()
    try:
        yield
    finally:
        if runtime.consumer is not None:
            await runtime.consumer.stop()
