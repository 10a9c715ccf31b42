"""Evaluating alert rules: measure, compare, and fire or recover with an event.

The ``alerts.evaluate`` cron runs every minute (once per tick however many workers run) and
evaluates every active rule in a transaction of its own. A rule whose metric crosses its
threshold goes ``firing``: a firing row opens and an ``alert.fired`` event is recorded in the
same transaction (so webhooks hear of it exactly when it is committed). When the metric is back
on the right side the rule goes ``ok``, the firing closes and ``alert.recovered`` is recorded.
No data changes nothing but the shown state of a rule that was not firing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.alerts.metrics import Metric, MetricQuery, MetricsRegistry, default_metrics
from agenta.core.alerts.models import FIRING, NO_DATA, OK, AlertFiring, AlertRule
from agenta.core.events.service import record_event
from agenta.core.events.types import EventType
from agenta.db import utcnow

if TYPE_CHECKING:
    from agenta.jobs.queue import JobQueue
    from agenta.jobs.registry import JobContext

log = logging.getLogger("agenta.alerts")


def breaches(rule: AlertRule, value: float) -> bool:
    """True when ``value`` is on the alerting side of the rule's threshold."""
    return value > rule.threshold if rule.comparison == "above" else value < rule.threshold


async def evaluate_rule(
    session: AsyncSession,
    rule: AlertRule,
    metrics: MetricsRegistry,
    *,
    queue: JobQueue | None,
    now: datetime | None = None,
) -> str:
    """Measure the rule's metric, move its state on, record events; returns the new state."""
    moment = now or utcnow()
    value = await metrics.measure(session, query_of(rule, moment))
    rule.last_value, rule.last_evaluated_at = value, moment
    if value is None:
        if rule.state != FIRING:
            rule.state = NO_DATA
    elif breaches(rule, value) and rule.state != FIRING:
        await _fire(session, rule, value, moment, queue)
    elif not breaches(rule, value) and rule.state == FIRING:
        await _recover(session, rule, value, moment, queue)
    elif not breaches(rule, value):
        rule.state = OK
    await session.flush()
    return rule.state


def query_of(rule: AlertRule, now: datetime) -> MetricQuery:
    """The measurement a rule asks for at ``now``."""
    return MetricQuery(
        project_id=rule.project_id,
        metric=Metric(rule.metric),
        window=timedelta(minutes=rule.window_minutes),
        end=now,
        application_id=rule.application_id,
        environment=rule.environment,
        evaluator=rule.evaluator,
    )


async def evaluate_all(ctx: JobContext, metrics: MetricsRegistry | None = None) -> int:
    """Evaluate every active rule (the ``alerts.evaluate`` cron); returns how many."""
    registry = metrics or default_metrics()
    async with ctx.db.session() as session:
        ids = (await session.scalars(select(AlertRule.id).where(AlertRule.active))).all()
    for rule_id in ids:
        try:
            async with ctx.db.session() as session:
                rule = await session.get(AlertRule, rule_id)
                if rule is not None and rule.active:
                    await evaluate_rule(session, rule, registry, queue=ctx.queue)
        except Exception:  # one broken rule must not stop the others
            log.exception("could not evaluate alert rule", extra={"rule_id": str(rule_id)})
    return len(ids)


async def alerts_cron(ctx: JobContext) -> None:
    """The cron entry point."""
    await evaluate_all(ctx)


async def _fire(
    session: AsyncSession, rule: AlertRule, value: float, now: datetime, queue: JobQueue | None
) -> None:
    rule.state = FIRING
    session.add(
        AlertFiring(
            project_id=rule.project_id,
            rule_id=rule.id,
            threshold=rule.threshold,
            fired_value=value,
            fired_at=now,
        )
    )
    await _record(session, rule, EventType.ALERT_FIRED, value, queue)


async def _recover(
    session: AsyncSession, rule: AlertRule, value: float, now: datetime, queue: JobQueue | None
) -> None:
    rule.state = OK
    open_firing = await session.scalar(
        select(AlertFiring)
        .where(AlertFiring.rule_id == rule.id, AlertFiring.recovered_at.is_(None))
        .order_by(AlertFiring.fired_at.desc())
    )
    if open_firing is not None:
        open_firing.recovered_at, open_firing.recovered_value = now, value
    await _record(session, rule, EventType.ALERT_RECOVERED, value, queue)


async def _record(
    session: AsyncSession,
    rule: AlertRule,
    kind: EventType,
    value: float,
    queue: JobQueue | None,
) -> None:
    data: dict[str, Any] = {
        "rule_id": rule.id,
        "name": rule.name,
        "metric": rule.metric,
        "comparison": rule.comparison,
        "threshold": rule.threshold,
        "value": value,
        "window_minutes": rule.window_minutes,
        "application_id": rule.application_id,
        "environment": rule.environment,
    }
    await record_event(session, project_id=rule.project_id, event_type=kind, data=data, queue=queue)
