"""Production mode: two arq workers run overlapping backfills of one rule at once, and every
trace is still evaluated once (one claim, one score, one annotation)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from arq.worker import Worker
from sqlalchemy import select

from agenta.core.evaluators.configs import builtin_data, create_config
from agenta.core.online.backfills import request_backfill
from agenta.core.online.models import OnlineScore
from agenta.core.online.rules import RuleInput, create_rule
from agenta.core.tracing.annotations import AnnotationFilter, query_annotations
from agenta.jobs.catalog import build_registry
from agenta.jobs.models import Job
from agenta.jobs.worker import build_worker_settings
from agenta.platform import Platform
from agenta.settings import Settings
from tests.core.annotations.traces import store_trace
from tests.core.evaluations.conftest import principal_of
from tests.core.online.conftest import claims_of
from tests.support.accounts import make_user

pytestmark = pytest.mark.redis


@pytest.fixture
def production_settings(
    make_settings: Callable[..., Settings], database_url: str, redis_url: str
) -> Settings:
    return make_settings(database_url, redis_url=redis_url)


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
    async with asyncio.timeout(60):
        while True:
            await platform.queue.drain()
            await asyncio.gather(burst(settings), burst(settings))
            async with platform.db.session() as session:
                waiting = await session.scalar(
                    select(Job.id).where(
                        Job.name == "online.backfill", Job.status.in_(("queued", "running"))
                    )
                )
            if waiting is None:
                return
            await asyncio.sleep(0.05)


async def test_overlapping_backfills_on_two_workers_evaluate_each_trace_once(
    producer: Platform, production_settings: Settings
) -> None:
    owner = await make_user(producer)
    started = datetime.now(UTC) - timedelta(hours=1)
    traces = [
        await store_trace(producer.db, owner.project_id, at=started + timedelta(seconds=n))
        for n in range(10)
    ]
    async with producer.db.session() as session:
        config = await create_config(
            session,
            owner.project_id,
            owner.user_id,
            slug="says-paris",
            data=builtin_data("auto_regex_test", {"regex_pattern": "Paris"}),
        )
        rule = await create_rule(
            session, principal_of(owner), RuleInput(name="r", evaluator_ids=[config.id])
        )
    for shift in range(4):  # four windows covering every trace, as four separate jobs
        async with producer.db.session() as session:
            since = started - timedelta(minutes=1 + shift)
            await request_backfill(session, rule, since, None, producer.queue)

    await two_workers_until_settled(production_settings, producer)

    claims = Counter(claim.trace_id for claim in await claims_of(producer.db, rule.id))
    assert sorted(claims) == sorted(traces) and set(claims.values()) == {1}
    async with producer.db.session() as session:
        scores = Counter(await session.scalars(select(OnlineScore.trace_id)))
        annotations = await query_annotations(
            session, owner.project_id, AnnotationFilter(origin="auto")
        )
        jobs = list(await session.scalars(select(Job).where(Job.name == "online.backfill")))
    assert set(scores.values()) == {1} and len(scores) == 10
    assert len(annotations) == 10
    assert len(jobs) == 4 and {job.status for job in jobs} == {"succeeded"}
