"""Alert rules fire and recover as the metric crosses the threshold, recording events."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from agenta.core.alerts.evaluation import evaluate_all, evaluate_rule
from agenta.core.alerts.metrics import Metric, MetricsRegistry, default_metrics
from agenta.core.alerts.models import FIRING, NO_DATA, OK, AlertFiring, AlertRule
from agenta.core.events.models import Event
from agenta.jobs.catalog import build_registry
from agenta.jobs.registry import JobContext
from agenta.platform import Platform
from tests.core.alerts.conftest import MakeRule, scripted


async def evaluate(platform: Platform, rule_id: UUID, metrics: MetricsRegistry) -> str:
    async with platform.db.session() as session:
        rule = await session.get_one(AlertRule, rule_id)
        return await evaluate_rule(session, rule, metrics, queue=platform.queue)


async def events_of(platform: Platform) -> list[Event]:
    async with platform.db.session() as session:
        return list((await session.scalars(select(Event).order_by(Event.created_at))).all())


async def firings_of(platform: Platform) -> list[AlertFiring]:
    async with platform.db.session() as session:
        return list((await session.scalars(select(AlertFiring))).all())


async def test_a_rule_fires_once_then_recovers_with_an_event_each_time(
    platform: Platform, make_rule: MakeRule
) -> None:
    rule = await make_rule(threshold=0.1, comparison="above")
    metrics, _ = scripted(Metric.ERROR_RATE, 0.05, 0.3, 0.4, 0.02)
    states = [await evaluate(platform, rule.id, metrics) for _ in range(4)]

    assert states == [OK, FIRING, FIRING, OK]
    events = await events_of(platform)
    assert [e.event_type for e in events] == ["alert.fired", "alert.recovered"]
    assert events[0].data["value"] == 0.3 and events[0].data["rule_id"] == str(rule.id)
    assert events[0].data["name"] == "errors"
    [firing] = await firings_of(platform)
    assert (firing.fired_value, firing.recovered_value) == (0.3, 0.02)
    assert firing.recovered_at is not None


async def test_a_below_rule_fires_when_the_mean_score_drops(
    platform: Platform, make_rule: MakeRule
) -> None:
    rule = await make_rule(
        name="quality",
        metric="mean_score",
        evaluator="exact_match",
        threshold=0.8,
        comparison="below",
        window_minutes=60,
    )
    metrics, provider = scripted(Metric.MEAN_SCORE, 0.9, 0.5)
    assert [await evaluate(platform, rule.id, metrics) for _ in range(2)] == [OK, FIRING]
    query = provider.queries[0]
    assert (query.evaluator, query.window.total_seconds()) == ("exact_match", 3600)


async def test_no_data_neither_fires_nor_recovers(platform: Platform, make_rule: MakeRule) -> None:
    rule = await make_rule()
    metrics, _ = scripted(Metric.ERROR_RATE, None, 0.5, None)
    assert [await evaluate(platform, rule.id, metrics) for _ in range(3)] == [
        NO_DATA,
        FIRING,
        FIRING,
    ]
    assert [e.event_type for e in await events_of(platform)] == ["alert.fired"]


async def test_the_rule_scope_reaches_the_metrics_provider(
    platform: Platform, make_rule: MakeRule
) -> None:
    app_id = "0190f0a0-0000-7000-8000-000000000001"
    rule = await make_rule(application_id=app_id, environment="production")
    metrics, provider = scripted(Metric.ERROR_RATE, 0.0)
    await evaluate(platform, rule.id, metrics)
    [query] = provider.queries
    assert (str(query.application_id), query.environment) == (app_id, "production")
    assert query.project_id == rule.project_id


async def test_the_cron_evaluates_active_rules_only(
    platform: Platform, make_rule: MakeRule
) -> None:
    active = await make_rule(name="active")
    paused = await make_rule(name="paused", active=False)
    metrics, provider = scripted(Metric.ERROR_RATE, 0.9)
    ctx = JobContext(settings=platform.settings, db=platform.db, queue=platform.queue)
    assert await evaluate_all(ctx, metrics) == 1
    async with platform.db.session() as session:
        states = {
            rule.name: rule.state
            for rule in await session.scalars(
                select(AlertRule).where(AlertRule.id.in_([active.id, paused.id]))
            )
        }
    assert states == {"active": FIRING, "paused": NO_DATA}
    assert len(provider.queries) == 1


async def test_a_project_without_traces_measures_no_data_and_the_cron_is_registered(
    platform: Platform, make_rule: MakeRule
) -> None:
    rule = await make_rule()
    assert await evaluate(platform, rule.id, default_metrics()) == NO_DATA
    assert "alerts.evaluate" in build_registry().crons
