"""The default metrics measure stored traces, and the cron fires and recovers rules on them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from agenta.core.alerts.evaluation import evaluate_all
from agenta.core.alerts.metrics import Metric, MetricQuery, default_metrics
from agenta.core.alerts.models import FIRING, OK, AlertFiring, AlertRule
from agenta.core.events.models import Event
from agenta.core.tracing.span import Span
from agenta.core.tracing.store import write_spans
from agenta.db import utcnow
from agenta.jobs.registry import JobContext
from agenta.platform import Platform
from tests.core.alerts.conftest import MakeRule
from tests.core.tracing.storage_support import EPOCH, request_trace
from tests.support.accounts import Persona

GEO = uuid.UUID("0190f0a0-0000-7000-8000-00000000a001")
HALF_HOUR = timedelta(minutes=30)


async def store(platform: Platform, project_id: uuid.UUID, *traces: list[Span]) -> None:
    async with platform.db.session() as session:
        for spans in traces:
            await write_spans(session, project_id, spans)


@pytest.fixture
async def half_hour(platform: Platform, member: Persona) -> None:
    """Four requests in [EPOCH, EPOCH + 30 min): 1 to 4 s, two failed, $0.10 in all."""
    geo = {"application.id": str(GEO), "environment.slug": "production"}
    await store(
        platform,
        member.project_id,
        request_trace(at=EPOCH, seconds=1, cost=0.01, references=geo),
        request_trace(at=EPOCH + timedelta(minutes=5), seconds=2, cost=0.02, failed=True),
        request_trace(at=EPOCH + timedelta(minutes=10), seconds=3, cost=0.03, references=geo),
        request_trace(at=EPOCH + timedelta(minutes=20), seconds=4, cost=0.04, failed=True),
    )


async def measure(
    platform: Platform,
    member: Persona,
    metric: Metric,
    end: datetime = EPOCH + HALF_HOUR,
    **scope: Any,
) -> float | None:
    query = MetricQuery(
        project_id=member.project_id, metric=metric, window=HALF_HOUR, end=end, **scope
    )
    async with platform.db.session() as session:
        return await default_metrics().measure(session, query)


async def test_error_rate_latency_and_cost_per_hour_come_from_stored_traces(
    platform: Platform, member: Persona, half_hour: None
) -> None:
    assert await measure(platform, member, Metric.ERROR_RATE) == pytest.approx(0.5)
    assert await measure(platform, member, Metric.LATENCY_P95) == pytest.approx(3.85)
    assert await measure(platform, member, Metric.COST_PER_HOUR) == pytest.approx(0.20)


async def test_the_rule_scope_narrows_the_traces_measured(
    platform: Platform, member: Persona, half_hour: None
) -> None:
    scope = {"application_id": GEO, "environment": "production"}

    assert await measure(platform, member, Metric.ERROR_RATE, **scope) == 0.0
    assert await measure(platform, member, Metric.LATENCY_P95, **scope) == pytest.approx(2.9)
    assert await measure(platform, member, Metric.COST_PER_HOUR, **scope) == pytest.approx(0.08)
    staging = await measure(platform, member, Metric.ERROR_RATE, environment="staging")
    assert staging is None


async def test_a_window_without_traces_or_scores_is_no_data(
    platform: Platform, member: Persona, half_hour: None
) -> None:
    later = EPOCH + 3 * HALF_HOUR
    for metric in (Metric.ERROR_RATE, Metric.LATENCY_P95, Metric.COST_PER_HOUR):
        assert await measure(platform, member, metric, end=later) is None
    assert await measure(platform, member, Metric.MEAN_SCORE, evaluator="exact_match") is None


async def test_the_cron_fires_on_failing_requests_and_recovers_when_they_succeed(
    platform: Platform, member: Persona, make_rule: MakeRule
) -> None:
    rule = await make_rule(threshold=0.3, application_id=str(GEO), window_minutes=15)
    recent = utcnow() - timedelta(minutes=2)
    geo = {"application.id": str(GEO)}
    failing = [request_trace(at=recent, failed=True, references=geo) for _ in range(2)]
    elsewhere = [request_trace(at=recent) for _ in range(4)]
    await store(platform, member.project_id, request_trace(at=recent, references=geo))
    await store(platform, member.project_id, *failing, *elsewhere)
    ctx = JobContext(settings=platform.settings, db=platform.db, queue=platform.queue)

    await evaluate_all(ctx)
    assert await state_of(platform, rule.id) == (FIRING, pytest.approx(2 / 3))

    succeeding = [request_trace(at=recent, references=geo) for _ in range(5)]
    await store(platform, member.project_id, *succeeding)
    await evaluate_all(ctx)
    assert await state_of(platform, rule.id) == (OK, pytest.approx(2 / 8))

    async with platform.db.session() as session:
        events = list(
            await session.scalars(
                select(Event).where(Event.event_type.like("alert.%")).order_by(Event.created_at)
            )
        )
        [firing] = list(await session.scalars(select(AlertFiring)))
    assert [(e.event_type, e.data["rule_id"]) for e in events] == [
        ("alert.fired", str(rule.id)),
        ("alert.recovered", str(rule.id)),
    ]
    assert events[0].data["value"] == pytest.approx(2 / 3)
    assert (firing.fired_value, firing.recovered_value) == (pytest.approx(2 / 3), 0.25)


async def state_of(platform: Platform, rule_id: uuid.UUID) -> tuple[str, float | None]:
    async with platform.db.session() as session:
        rule = await session.get_one(AlertRule, rule_id)
        return rule.state, rule.last_value
