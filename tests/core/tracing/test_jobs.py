"""The tracing feature's place in the job catalog: the retention cron and the stream consumer."""

from __future__ import annotations

import pytest

from agenta.core.tracing.jobs import consume_spans, enforce_retention
from agenta.jobs.catalog import build_consumers, build_registry
from agenta.jobs.registry import JobContext
from agenta.platform import Platform


def test_retention_runs_every_hour() -> None:
    cron = build_registry().crons["tracing.retention"]

    assert cron.func is enforce_retention
    assert cron.minutes() == {0}


def test_the_worker_runs_the_span_stream_consumer() -> None:
    assert consume_spans in build_consumers()


async def test_the_stream_consumer_refuses_to_run_without_redis(platform: Platform) -> None:
    ctx = JobContext(settings=platform.settings, db=platform.db, queue=platform.queue)

    with pytest.raises(RuntimeError, match="needs Redis"):
        await consume_spans(ctx)
