"""JSON shapes of subscriptions, deliveries and tries, shared by the API and the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agenta.core.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def subscription_view(subscription: WebhookSubscription) -> dict[str, Any]:
    """A subscription without its secret (only the secret's last characters)."""
    return {
        "id": str(subscription.id),
        "name": subscription.name,
        "url": subscription.url,
        "event_types": list(subscription.event_types),
        "application_id": subscription.filters.get("application_id"),
        "environment": subscription.filters.get("environment"),
        "active": subscription.active,
        "max_attempts": subscription.max_attempts,
        "secret_hint": f"…{subscription.secret_hint}",
        "created_at": _time(subscription.created_at),
        "updated_at": _time(subscription.updated_at),
    }


def delivery_view(delivery: WebhookDelivery) -> dict[str, Any]:
    """A delivery's state."""
    return {
        "id": str(delivery.id),
        "subscription_id": str(delivery.subscription_id),
        "event_id": str(delivery.event_id),
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "attempt_limit": delivery.attempt_limit,
        "next_attempt_at": _time(delivery.next_attempt_at),
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": _time(delivery.created_at),
        "finished_at": _time(delivery.finished_at),
    }


def attempt_view(attempt: WebhookAttempt) -> dict[str, Any]:
    """One try: outcome, answer status, latency, answer excerpt and error."""
    return {
        "number": attempt.number,
        "outcome": attempt.outcome,
        "status_code": attempt.status_code,
        "latency_ms": attempt.latency_ms,
        "response_excerpt": attempt.response_excerpt,
        "error": attempt.error,
        "started_at": _time(attempt.started_at),
    }
