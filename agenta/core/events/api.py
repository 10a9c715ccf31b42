"""REST API of the activity log: ``GET /api/events`` (needs ``view_events``).

Query parameters: ``type`` (an event type or a subject such as ``app``), ``actor`` (a user id or
``system``), ``since``/``until`` (ISO 8601), ``before`` (the cursor: an event id) and ``limit``.
The answer holds ``events`` (newest first) and ``next_before``, the cursor of the next page.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.events.activity import ActivityEntry, list_activity, parse_filter
from agenta.core.events.messages import event_message
from agenta.errors import AppError


def entry_view(entry: ActivityEntry) -> dict[str, Any]:
    """An event as the activity log shows it: its public shape plus who in words."""
    message = event_message(entry.event)
    message["actor"] = {
        **message["actor"],
        "email": entry.actor_email,
        "api_key": entry.api_key_label,
        "label": entry.actor_label,
    }
    return message


@get("/api/events", guards=[requires(Permission.VIEW_EVENTS)], tags=["events"])
async def list_events(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """The project's events, newest first, filtered by type, actor and time."""
    try:
        wanted = parse_filter(request.query_params)
    except ValueError as exc:
        raise AppError(f"Invalid filter: {exc}", status_code=400) from None
    entries = await list_activity(db_session, principal.project_id, wanted)
    full_page = len(entries) == wanted.limit
    return {
        "events": [entry_view(entry) for entry in entries],
        "next_before": str(entries[-1].event.id) if full_page else None,
    }


ROUTES = [list_events]
