"""Fixtures of the online evaluation tests: evaluators, rules, job contexts and stored traces.

Rules are scored with evaluators that need no model: a regex test ("does the answer say
Paris?") scores 1 or 0, and an exact match fails on traces whose inputs carry no reference
answer, which is how a failing evaluator is made. Traces come from
``tests.core.annotations.traces.store_trace``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from agenta.core.evaluators.configs import builtin_data, create_config
from agenta.core.online.models import OnlineEvaluation, OnlineRule
from agenta.core.online.rules import RuleInput, create_rule
from agenta.db import Database
from agenta.jobs.registry import JobContext
from agenta.platform import Platform
from tests.core.evaluations.conftest import principal_of
from tests.support.accounts import Persona

Factory = Callable[..., Awaitable[Any]]


@pytest.fixture
async def client(
    settings: Any, make_client: Callable[..., Any]
) -> AsyncIterator[AsyncTestClient[Any]]:
    """The app without its job runner: the tests run the cron and the jobs themselves."""
    async with make_client(settings, run_jobs=False) as test_client:
        yield test_client


def job_context(platform: Platform, db: Database | None = None) -> JobContext:
    """What a worker hands the cron and the jobs (``db`` stands in for another worker's)."""
    return JobContext(settings=platform.settings, db=db or platform.db, queue=platform.queue)


@pytest.fixture
def make_evaluator(platform: Platform, owner: Persona) -> Factory:
    """An evaluator configuration; returns its id."""

    async def make(slug: str, key: str, **settings: Any) -> uuid.UUID:
        async with platform.db.session() as session:
            config = await create_config(
                session,
                owner.project_id,
                owner.user_id,
                slug=slug,
                data=builtin_data(key, settings),
            )
            return config.id

    return make


@pytest.fixture
def says_paris(make_evaluator: Factory) -> Factory:
    """The regex evaluator that passes answers mentioning Paris."""

    async def make() -> uuid.UUID:
        return await make_evaluator("says-paris", "auto_regex_test", regex_pattern="Paris")  # type: ignore[no-any-return]

    return make


@pytest.fixture
def make_rule(platform: Platform, owner: Persona) -> Factory:
    """A rule of the owner's project; returns it."""

    async def make(evaluator_ids: list[uuid.UUID], **fields: Any) -> OnlineRule:
        values = {"name": "quality", "sampling_rate": 1.0, **fields}
        async with platform.db.session() as session:
            return await create_rule(
                session, principal_of(owner), RuleInput(evaluator_ids=evaluator_ids, **values)
            )

    return make


async def claims_of(db: Database, rule_id: uuid.UUID) -> list[OnlineEvaluation]:
    async with db.session() as session:
        found = await session.scalars(
            select(OnlineEvaluation).where(OnlineEvaluation.rule_id == rule_id)
        )
        return list(found)


async def claim_count(db: Database, rule_id: uuid.UUID) -> int:
    async with db.session() as session:
        query = select(func.count(OnlineEvaluation.id)).where(OnlineEvaluation.rule_id == rule_id)
        return int(await session.scalar(query) or 0)


async def reload(db: Database, rule: OnlineRule) -> OnlineRule:
    async with db.session() as session:
        return await session.get_one(OnlineRule, rule.id)
