"""Fixtures of the alert tests: a member's project, rules, and metrics with scripted values."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.alerts.metrics import Metric, MetricQuery, MetricsRegistry
from agenta.core.alerts.models import AlertRule
from agenta.core.alerts.rules import AlertRuleInput, create_rule
from agenta.platform import Platform
from agenta.settings import Settings
from tests.support.accounts import Persona, make_user


class ScriptedMetric:
    """A metrics provider that answers a list of values in turn (None is "no data")."""

    def __init__(self, *values: float | None) -> None:
        self.values = list(values)
        self.queries: list[MetricQuery] = []

    async def measure(self, session: AsyncSession, query: MetricQuery) -> float | None:
        self.queries.append(query)
        return self.values.pop(0)


def scripted(metric: Metric, *values: float | None) -> tuple[MetricsRegistry, ScriptedMetric]:
    provider = ScriptedMetric(*values)
    return MetricsRegistry({metric: provider}), provider


@pytest.fixture
async def client(
    settings: Settings, make_client: Callable[..., AsyncTestClient[Any]]
) -> AsyncIterator[AsyncTestClient[Any]]:
    """The app without its job runner: the alerts cron would re-measure the rules under test."""
    async with make_client(settings, run_jobs=False) as test_client:
        yield test_client


@pytest.fixture
async def member(platform: Platform) -> Persona:
    return await make_user(platform)


MakeRule = Callable[..., Awaitable[AlertRule]]


@pytest.fixture
def make_rule(platform: Platform, member: Persona) -> MakeRule:
    async def make(**fields: Any) -> AlertRule:
        values = {"name": "errors", "metric": "error_rate", "threshold": 0.1, **fields}
        async with platform.db.session() as session:
            return await create_rule(
                session, member.project_id, AlertRuleInput(**values), member.user_id
            )

    return make
