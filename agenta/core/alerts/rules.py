"""Managing alert rules: validated create and edit, delete, listing with their firing history.

Each problem of the input names its field: the metric must be known, the comparison ``above`` or
``below``, the threshold a finite number, the window 1 minute to 7 days, ``application_id`` a
UUID, and ``mean_score`` needs the evaluator whose scores it averages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.alerts.metrics import Metric
from agenta.core.alerts.models import AlertFiring, AlertRule
from agenta.errors import AppError, NotFound

COMPARISONS = ("above", "below")
MAX_WINDOW_MINUTES = 7 * 24 * 60
HISTORY_SIZE = 50


@dataclass(frozen=True)
class AlertRuleInput:
    """What a user submits for a rule (API body or page form)."""

    name: str
    metric: str
    threshold: float
    comparison: str = "above"
    window_minutes: int = 15
    application_id: str | None = None
    environment: str | None = None
    evaluator: str | None = None
    active: bool = True


def clean(data: AlertRuleInput) -> dict[str, object]:
    """The rule's column values; raises a 422 ``AppError`` naming every wrong field."""
    problems: dict[str, str] = {}
    name = data.name.strip()
    if not name or len(name) > 200:
        problems["name"] = "the name must be 1 to 200 characters long"
    if data.metric not in {m.value for m in Metric}:
        problems["metric"] = f"unknown metric {data.metric!r}: use {', '.join(Metric)}"
    if data.comparison not in COMPARISONS:
        problems["comparison"] = "the comparison must be 'above' or 'below'"
    if not math.isfinite(data.threshold):
        problems["threshold"] = "the threshold must be a finite number"
    if not 1 <= data.window_minutes <= MAX_WINDOW_MINUTES:
        problems["window_minutes"] = f"the window must be 1 to {MAX_WINDOW_MINUTES} minutes"
    evaluator = (data.evaluator or "").strip() or None
    if data.metric == Metric.MEAN_SCORE and evaluator is None:
        problems["evaluator"] = "mean_score needs the evaluator whose scores it averages"
    application_id = _application_id(data.application_id, problems)
    if problems:
        summary = "; ".join(f"{key}: {text}" for key, text in problems.items())
        raise AppError(f"Invalid alert rule: {summary}", status_code=422, details=problems)
    return {
        "name": name,
        "metric": data.metric,
        "comparison": data.comparison,
        "threshold": float(data.threshold),
        "window_minutes": data.window_minutes,
        "application_id": application_id,
        "environment": (data.environment or "").strip() or None,
        "evaluator": evaluator,
        "active": data.active,
    }


def _application_id(raw: str | None, problems: dict[str, str]) -> UUID | None:
    value = (raw or "").strip()
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        problems["application_id"] = "the application id must be a UUID"
        return None


async def create_rule(
    session: AsyncSession, project_id: UUID, data: AlertRuleInput, actor_id: UUID | None
) -> AlertRule:
    """A new rule; it has no data until its first evaluation."""
    rule = AlertRule(project_id=project_id, created_by_id=actor_id, **clean(data))
    session.add(rule)
    await session.flush()
    return rule


async def update_rule(
    session: AsyncSession, rule: AlertRule, data: AlertRuleInput, actor_id: UUID | None
) -> AlertRule:
    """Replace the rule's settings; its state and history stay."""
    for column, value in clean(data).items():
        setattr(rule, column, value)
    rule.updated_by_id = actor_id
    await session.flush()
    return rule


async def delete_rule(session: AsyncSession, rule: AlertRule) -> None:
    """Delete the rule and its history."""
    await session.execute(delete(AlertFiring).where(AlertFiring.rule_id == rule.id))
    await session.delete(rule)
    await session.flush()


async def list_rules(session: AsyncSession, project_id: UUID) -> list[AlertRule]:
    """The project's rules, by name."""
    rows = await session.scalars(
        select(AlertRule).where(AlertRule.project_id == project_id).order_by(AlertRule.name)
    )
    return list(rows.all())


async def get_rule(session: AsyncSession, project_id: UUID, rule_id: UUID) -> AlertRule:
    """One rule of the project; 404 if it is not there."""
    rule = await session.get(AlertRule, rule_id)
    if rule is None or rule.project_id != project_id:
        raise NotFound(f"No alert rule {rule_id} in this project")
    return rule


async def firing_history(
    session: AsyncSession, project_id: UUID, rule_id: UUID | None = None
) -> list[AlertFiring]:
    """The latest firings of the project (or of one rule), newest first."""
    query = select(AlertFiring).where(AlertFiring.project_id == project_id)
    if rule_id is not None:
        query = query.where(AlertFiring.rule_id == rule_id)
    rows = await session.scalars(query.order_by(AlertFiring.fired_at.desc()).limit(HISTORY_SIZE))
    return list(rows.all())
