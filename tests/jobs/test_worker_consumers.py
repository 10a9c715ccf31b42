"""The worker's long-running consumers: started with the worker, restarted, cancelled at exit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from agenta.jobs import worker
from agenta.jobs.registry import JobContext, JobRegistry
from agenta.jobs.worker import build_worker_settings
from agenta.settings import Settings


@pytest.fixture
def worker_settings(make_settings: Callable[..., Settings], sqlite_url: str) -> Settings:
    # The startup hook never connects to Redis itself; the URL only marks production mode.
    return make_settings(sqlite_url, redis_url="redis://127.0.0.1:1/0")


async def test_a_consumer_runs_from_startup_until_shutdown(worker_settings: Settings) -> None:
    seen: list[JobContext] = []
    cancelled = asyncio.Event()

    async def consume(ctx: JobContext) -> None:
        seen.append(ctx)
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    options = build_worker_settings(worker_settings, JobRegistry(), consumers=[consume])
    ctx: dict[str, Any] = {"redis": None}
    await options["on_startup"](ctx)
    await asyncio.sleep(0.05)
    await options["on_shutdown"](ctx)

    assert len(seen) == 1
    assert seen[0].settings is worker_settings
    assert cancelled.is_set()


async def test_a_consumer_that_fails_is_started_again(
    worker_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "CONSUMER_RESTART_SECONDS", 0.01)
    runs: list[int] = []
    third_run = asyncio.Event()

    async def consume(ctx: JobContext) -> None:
        runs.append(len(runs))
        if len(runs) < 3:
            raise RuntimeError("the database is down")
        third_run.set()
        await asyncio.Event().wait()

    options = build_worker_settings(worker_settings, JobRegistry(), consumers=[consume])
    ctx: dict[str, Any] = {"redis": None}
    await options["on_startup"](ctx)
    try:
        await asyncio.wait_for(third_run.wait(), 5)
    finally:
        await options["on_shutdown"](ctx)

    assert runs == [0, 1, 2]


async def test_a_worker_without_consumers_starts_none(worker_settings: Settings) -> None:
    options = build_worker_settings(worker_settings, JobRegistry())
    ctx: dict[str, Any] = {"redis": None}
    await options["on_startup"](ctx)
    await options["on_shutdown"](ctx)

    assert ctx["agenta_consumers"] == []
