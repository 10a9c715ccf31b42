"""The activity log: a project's events, newest first, with who did each and filters.

It doubles as the audit log: every entry names the user (by e-mail) and how they acted (browser
session, or which API key by name and prefix), or says it was the system. Filters: an event type
(``app.created``) or a whole subject (``app``), one actor (a user id, or ``system``), and a time
range. Pages are cut by a cursor (``before``, the last event id shown): the next page starts
strictly after it in (time, id) order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.accounts.models import ApiKey, User
from agenta.core.events.models import Event
from agenta.core.events.types import EventType

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class ActivityFilter:
    """Which events to show."""

    event_type: str | None = None
    actor: UUID | str | None = None  # a user id, or "system"
    since: datetime | None = None
    until: datetime | None = None
    before: UUID | None = None
    limit: int = PAGE_SIZE


@dataclass(frozen=True)
class ActivityEntry:
    """One event with its actor spelled out."""

    event: Event
    actor_email: str | None
    api_key_label: str | None

    @property
    def actor_label(self) -> str:
        """Who did it, in words: "ana@example.com via API key CI (ag_12ab…)" or "system"."""
        if self.event.actor_user_id is None:
            return SYSTEM_ACTOR
        who = self.actor_email or str(self.event.actor_user_id)
        if self.event.actor_api_key_id is not None:
            return f"{who} via API key {self.api_key_label or self.event.actor_api_key_id}"
        return f"{who} via {self.event.actor_via or 'session'}"


def parse_filter(params: Mapping[str, str]) -> ActivityFilter:
    """Read filters from query parameters; raises ``ValueError`` naming the bad parameter."""
    return ActivityFilter(
        event_type=_event_type(params.get("type")),
        actor=_actor(params.get("actor")),
        since=_moment(params.get("since"), "since"),
        until=_moment(params.get("until"), "until"),
        before=_uuid(params.get("before"), "before"),
        limit=_limit(params.get("limit")),
    )


async def list_activity(
    session: AsyncSession, project_id: UUID, wanted: ActivityFilter
) -> list[ActivityEntry]:
    """The project's events matching ``wanted``, newest first."""
    query = _filtered(
        select(Event, User.email, ApiKey.name, ApiKey.prefix)
        .outerjoin(User, User.id == Event.actor_user_id)
        .outerjoin(ApiKey, ApiKey.id == Event.actor_api_key_id)
        .where(Event.project_id == project_id),
        wanted,
    )
    rows = await session.execute(
        query.order_by(Event.created_at.desc(), Event.id.desc()).limit(wanted.limit)
    )
    return [
        ActivityEntry(event, email, _key_label(name, prefix))
        for event, email, name, prefix in rows.all()
    ]


def _filtered(query: Select[Any], wanted: ActivityFilter) -> Select[Any]:
    if wanted.event_type is not None:
        if "." in wanted.event_type:
            query = query.where(Event.event_type == wanted.event_type)
        else:
            query = query.where(Event.event_type.startswith(wanted.event_type + "."))
    if wanted.actor == SYSTEM_ACTOR:
        query = query.where(Event.actor_user_id.is_(None))
    elif isinstance(wanted.actor, UUID):
        query = query.where(Event.actor_user_id == wanted.actor)
    if wanted.since is not None:
        query = query.where(Event.created_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(Event.created_at < wanted.until)
    if wanted.before is not None:
        cursor = select(Event.created_at).where(Event.id == wanted.before).scalar_subquery()
        query = query.where(
            or_(
                Event.created_at < cursor,
                and_(Event.created_at == cursor, Event.id < wanted.before),
            )
        )
    return query


def _key_label(name: str | None, prefix: str | None) -> str | None:
    if prefix is None:
        return None
    return f"{name} ({prefix}…)" if name else f"{prefix}…"


def event_subjects() -> list[str]:
    """The subjects event types are grouped by (``app``, ``environment``…), in catalog order."""
    subjects: list[str] = []
    for kind in EventType:
        subject = kind.value.split(".", 1)[0]
        if subject not in subjects:
            subjects.append(subject)
    return subjects


def _event_type(raw: str | None) -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    if value in {kind.value for kind in EventType} or value in event_subjects():
        return value
    raise ValueError(f"type: {value!r} is neither a known event type nor a subject")


def _actor(raw: str | None) -> UUID | str | None:
    value = (raw or "").strip()
    if not value:
        return None
    if value == SYSTEM_ACTOR:
        return SYSTEM_ACTOR
    return _uuid(value, "actor")


def _uuid(raw: str | None, name: str) -> UUID | None:
    value = (raw or "").strip()
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a UUID") from None


def _moment(raw: str | None, name: str) -> datetime | None:
    value = (raw or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not an ISO 8601 date or time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _limit(raw: str | None) -> int:
    value = (raw or "").strip()
    if not value:
        return PAGE_SIZE
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE_SIZE:
        raise ValueError(f"limit: must be a number from 1 to {MAX_PAGE_SIZE}, got {value!r}")
    return int(value)
