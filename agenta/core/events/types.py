"""The catalog of event types: what a project's activity log and webhooks can report.

Values are dotted ``<subject>.<verb>`` names; they appear in webhook payloads, in the
``X-Agenta-Event-Type`` header and in filters, so they never change once released.
"""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    """Every event a feature can record with ``record_event``."""

    APP_CREATED = "app.created"
    APP_ARCHIVED = "app.archived"
    VARIANT_COMMITTED = "variant.committed"
    ENVIRONMENT_DEPLOYED = "environment.deployed"
    ENVIRONMENT_ROLLED_BACK = "environment.rolled_back"
    TESTSET_COMMITTED = "testset.committed"
    EVALUATION_STARTED = "evaluation.started"
    EVALUATION_FINISHED = "evaluation.finished"
    EVALUATION_FAILED = "evaluation.failed"
    ONLINE_RULE_PAUSED = "online_rule.paused"
    MEMBER_INVITED = "member.invited"
    MEMBER_JOINED = "member.joined"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    WEBHOOK_TEST = "webhook.test"
    ALERT_FIRED = "alert.fired"
    ALERT_RECOVERED = "alert.recovered"


def parse_event_type(name: str) -> EventType:
    """Validate an event type name; the error lists the known ones."""
    try:
        return EventType(name.strip())
    except ValueError:
        known = ", ".join(t.value for t in EventType)
        raise ValueError(f"unknown event type {name!r}: choose one of {known}") from None
