"""The minute cron scores new matching traces once each: annotations, scores, metrics, pausing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from agenta.core.alerts.metrics import Metric, MetricQuery, default_metrics
from agenta.core.events.models import Event
from agenta.core.online.jobs import evaluate_rules
from agenta.core.online.metrics import score_series
from agenta.core.online.models import ACTIVE, PAUSED, OnlineScore
from agenta.core.online.overview import app_score_chart
from agenta.core.online.rules import resume
from agenta.core.online.sampling import sampled
from agenta.core.tracing.annotations import AnnotationFilter, query_annotations
from agenta.db import Database, utcnow
from agenta.platform import Platform
from tests.core.annotations.traces import store_trace
from tests.core.online.conftest import Factory, claim_count, claims_of, job_context, reload
from tests.support.accounts import Persona


async def test_the_cron_scores_matching_traces_on_the_traces_and_in_the_metrics(
    platform: Platform, owner: Persona, says_paris: Factory, make_rule: Factory
) -> None:
    rule = await make_rule([await says_paris()], filters={"application": "geo"})
    answers = ["Paris", "Lima", "Paris is the capital"]
    traces = [
        await store_trace(platform.db, owner.project_id, answer=a, application="geo")
        for a in answers
    ]
    await store_trace(platform.db, owner.project_id, answer="Paris", application="other")

    assert await evaluate_rules(job_context(platform)) == 3

    async with platform.db.session() as session:
        for trace_id, expected in zip(traces, (True, False, True), strict=True):
            wanted = AnnotationFilter(links=[{"trace_id": trace_id}])
            [annotation] = await query_annotations(session, owner.project_id, wanted)
            assert annotation["origin"] == "auto" and annotation["kind"] == "eval"
            assert annotation["references"]["evaluator"]["slug"] == "says-paris"
            assert annotation["data"]["outputs"]["success"] is expected
            assert annotation["meta"]["online_rule_id"] == str(rule.id)
        now = utcnow()
        series = await score_series(session, rule.id, now - timedelta(hours=1), now)
    buckets = [b for b in series.by_evaluator["says-paris"] if b.count]
    assert sum(b.count for b in buckets) == 3
    assert sum(b.mean * b.count for b in buckets if b.mean is not None) == 2.0
    stored = await reload(platform.db, rule)
    assert (stored.evaluated_count, stored.failed_count, stored.status) == (3, 0, ACTIVE)


async def test_a_trace_is_never_evaluated_twice_by_the_same_rule(
    platform: Platform, owner: Persona, says_paris: Factory, make_rule: Factory
) -> None:
    rule = await make_rule([await says_paris()])
    await store_trace(platform.db, owner.project_id)
    context = job_context(platform)
    assert await evaluate_rules(context) == 1
    assert await evaluate_rules(context) == 0
    await store_trace(platform.db, owner.project_id)
    assert await evaluate_rules(context) == 1
    assert await claim_count(platform.db, rule.id) == 2


async def test_two_workers_at_once_evaluate_each_trace_once(
    platform: Platform, owner: Persona, says_paris: Factory, make_rule: Factory
) -> None:
    rule = await make_rule([await says_paris()])
    traces = {await store_trace(platform.db, owner.project_id) for _ in range(12)}
    other_worker = Database(platform.settings.database_url)
    try:
        done = await asyncio.gather(
            evaluate_rules(job_context(platform)),
            evaluate_rules(job_context(platform, other_worker)),
        )
    finally:
        await other_worker.dispose()

    assert sum(done) == 12
    claims = await claims_of(platform.db, rule.id)
    assert sorted(c.trace_id for c in claims) == sorted(traces)
    async with platform.db.session() as session:
        scores = list(await session.scalars(select(OnlineScore.trace_id)))
        annotations = await query_annotations(
            session, owner.project_id, AnnotationFilter(origin="auto")
        )
    assert sorted(scores) == sorted(traces)
    assert len(annotations) == 12


async def test_the_sample_is_decided_by_the_trace_id(
    platform: Platform, owner: Persona, says_paris: Factory, make_rule: Factory
) -> None:
    rule = await make_rule([await says_paris()], sampling_rate=0.5)
    traces = [await store_trace(platform.db, owner.project_id) for _ in range(16)]
    await evaluate_rules(job_context(platform))
    claimed = {claim.trace_id for claim in await claims_of(platform.db, rule.id)}
    assert claimed == {trace_id for trace_id in traces if sampled(trace_id, 0.5)}


async def test_a_rule_whose_evaluator_keeps_failing_pauses_itself_with_an_event(
    platform: Platform, owner: Persona, make_evaluator: Factory, make_rule: Factory
) -> None:
    exact = await make_evaluator("exact", "auto_exact_match")
    rule = await make_rule([exact], name="needs answers")
    for _ in range(7):
        await store_trace(platform.db, owner.project_id)

    assert await evaluate_rules(job_context(platform)) == 5

    paused = await reload(platform.db, rule)
    assert paused.status == PAUSED and paused.consecutive_failures == 5
    assert paused.paused_reason is not None
    assert paused.paused_reason.startswith("paused after 5 consecutive failed evaluations")
    assert "exact: " in paused.paused_reason and "correct_answer" in paused.paused_reason
    async with platform.db.session() as session:
        [event] = list(
            await session.scalars(select(Event).where(Event.event_type == "online_rule.paused"))
        )
        assert event.data["rule_id"] == str(rule.id) and event.data["name"] == "needs answers"
        await resume(session, await session.get_one(type(paused), rule.id), owner.user_id)
    assert await evaluate_rules(job_context(platform)) == 2  # the two left, then paused again


async def test_the_mean_score_metric_answers_alerts_by_evaluator_or_rule(
    platform: Platform, owner: Persona, says_paris: Factory, make_rule: Factory
) -> None:
    await make_rule([await says_paris()], name="geo quality")
    for answer in ("Paris", "Paris", "Rome", "Paris"):
        await store_trace(platform.db, owner.project_id, answer=answer)
    await evaluate_rules(job_context(platform))
    metrics = default_metrics()

    async def measure(evaluator: str | None, minutes: int = 30) -> float | None:
        query = MetricQuery(
            project_id=owner.project_id,
            metric=Metric.MEAN_SCORE,
            window=timedelta(minutes=minutes),
            end=datetime.now(UTC),
            evaluator=evaluator,
        )
        async with platform.db.session() as session:
            return await metrics.measure(session, query)

    assert await measure("says-paris") == 0.75
    assert await measure("geo quality") == 0.75
    assert await measure("unknown") is None and await measure(None) is None


async def test_an_application_gets_a_chart_of_the_rules_watching_it(
    platform: Platform, owner: Persona, says_paris: Factory, make_rule: Factory
) -> None:
    await make_rule([await says_paris()], name="geo watch", filters={"application": "geo"})
    await store_trace(platform.db, owner.project_id, answer="Paris", application="geo")
    await evaluate_rules(job_context(platform))
    async with platform.db.session() as session:
        chart = await app_score_chart(session, owner.project_id, ["geo", "some-id"])
        nothing = await app_score_chart(session, owner.project_id, ["other"])
    assert chart is not None and 'data-series="geo watch · says-paris"' in chart
    assert nothing is None
