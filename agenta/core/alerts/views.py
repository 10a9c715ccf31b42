"""JSON shapes of alert rules and firings."""

from __future__ import annotations

from typing import Any

from agenta.core.alerts.models import AlertFiring, AlertRule


def rule_view(rule: AlertRule) -> dict[str, Any]:
    """A rule with its current state."""
    return {
        "id": str(rule.id),
        "name": rule.name,
        "metric": rule.metric,
        "comparison": rule.comparison,
        "threshold": rule.threshold,
        "window_minutes": rule.window_minutes,
        "application_id": str(rule.application_id) if rule.application_id else None,
        "environment": rule.environment,
        "evaluator": rule.evaluator,
        "active": rule.active,
        "state": rule.state,
        "last_value": rule.last_value,
        "last_evaluated_at": rule.last_evaluated_at.isoformat() if rule.last_evaluated_at else None,
    }


def firing_view(firing: AlertFiring) -> dict[str, Any]:
    """One firing: when, at which value, and when it recovered."""
    return {
        "id": str(firing.id),
        "rule_id": str(firing.rule_id),
        "threshold": firing.threshold,
        "fired_value": firing.fired_value,
        "fired_at": firing.fired_at.isoformat(),
        "recovered_value": firing.recovered_value,
        "recovered_at": firing.recovered_at.isoformat() if firing.recovered_at else None,
    }
