"""The public shape of an event: one dict used by the Redis stream, webhook payloads and the API."""

from __future__ import annotations

from typing import Any

from agenta.core.events.models import Event


def event_message(event: Event) -> dict[str, Any]:
    """The public shape of an event: in the stream, in webhook payloads and in the API."""
    return {
        "id": str(event.id),
        "type": event.event_type,
        "time": event.created_at.isoformat(),
        "project_id": str(event.project_id),
        "actor": {
            "user_id": str(event.actor_user_id) if event.actor_user_id else None,
            "api_key_id": str(event.actor_api_key_id) if event.actor_api_key_id else None,
            "via": event.actor_via,
        },
        "data": event.data,
    }
