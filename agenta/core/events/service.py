"""Recording events: the one function features call when something worth reporting happens.

``record_event`` adds the event row to the caller's session and, in the same transaction, the
``events.publish`` job (the outbox pattern): if the caller's transaction rolls back, neither the
event nor its publication exists; if it commits, the job is dispatched after the commit. Event
data must be JSON: UUIDs and datetimes are turned into strings here so callers can pass them.

Conventional data keys, used by webhook filters and the activity page when present:
``application_id``, ``environment`` (slug), ``name`` (a human label of the subject).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.events.models import Event
from agenta.core.events.types import EventType, parse_event_type
from agenta.jobs.store import to_json_kwargs

if TYPE_CHECKING:
    from agenta.jobs.queue import JobQueue

__all__ = ["PUBLISH_JOB", "Actor", "EventType", "record_event"]

PUBLISH_JOB = "events.publish"

log = logging.getLogger("agenta.events")


class Actor(Protocol):
    """Who did it: a request's ``Principal``, or an ``Identity`` where no project is in scope
    (accepting an invitation) — both carry the user, the API key if any, and how they acted."""

    @property
    def user_id(self) -> UUID | None: ...

    @property
    def api_key_id(self) -> UUID | None: ...

    @property
    def via(self) -> str: ...


async def record_event(
    session: AsyncSession,
    *,
    project_id: UUID,
    event_type: str,
    data: dict[str, Any],
    actor: Actor | None = None,
    queue: JobQueue | None = None,
) -> UUID:
    """Write an event in the caller's transaction and schedule its publication; returns its id.

    Without ``queue`` the event is still recorded; the unpublished-events cron publishes it
    within a few minutes. ``actor`` (the request's principal) records who did it.
    """
    kind = parse_event_type(event_type)
    event = Event(
        project_id=project_id,
        event_type=kind.value,
        data=to_json_kwargs(data),
        actor_user_id=actor.user_id if actor else None,
        actor_api_key_id=actor.api_key_id if actor else None,
        actor_via=actor.via if actor else None,
    )
    session.add(event)
    await session.flush()
    if queue is not None:
        await queue.enqueue(PUBLISH_JOB, session=session, event_id=event.id)
    return event.id
