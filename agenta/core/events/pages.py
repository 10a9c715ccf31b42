"""The activity page (``/activity``): the project's events with filters by type, actor and time,
newest first, fifty at a time (needs ``view_events``)."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.members import list_members
from agenta.core.accounts.page_support import flash, page
from agenta.core.events.activity import (
    ActivityFilter,
    event_subjects,
    list_activity,
    parse_filter,
)
from agenta.core.events.types import EventType


@get("/activity", guards=[requires(Permission.VIEW_EVENTS)], include_in_schema=False)
async def activity_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    flashes: list[dict[str, str]] = []
    status_code = 200
    try:
        wanted = parse_filter(request.query_params)
    except ValueError as exc:
        wanted, status_code = ActivityFilter(), 400
        flashes.append(flash("error", f"Invalid filter: {exc}"))
    entries = await list_activity(db_session, principal.project_id, wanted)
    query = {k: v for k, v in request.query_params.items() if k != "before" and v}
    return page(
        request,
        "events/activity.html",
        status_code=status_code,
        flashes=flashes,
        entries=entries,
        details={str(e.event.id): json.dumps(e.event.data, indent=2) for e in entries},
        next_before=str(entries[-1].event.id) if len(entries) == wanted.limit else None,
        query=query,
        subjects=event_subjects(),
        event_types=[kind.value for kind in EventType],
        members=await list_members(db_session, principal.organization_id),
        can_see_webhooks=principal.can(Permission.VIEW_WEBHOOKS),
    )


ROUTES = [activity_page]
