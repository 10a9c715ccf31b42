"""API keys created and revoked by someone: the change and its event, in one call.

The API routes, the keys page and the ``create-api-key`` command change keys through these two
functions, which record ``api_key.created`` / ``api_key.revoked`` in the caller's transaction
(the outbox of ``agenta.core.events``), so the event exists exactly when the change does.
``api_keys`` itself records nothing: it is also how accounts are set up (sign-up, fixtures),
which is not activity anyone reported. Event data names the key by id, name and prefix; the
secret never leaves ``create_api_key``'s answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.api_keys import create_api_key, revoke_api_key
from agenta.core.accounts.models import ApiKey
from agenta.core.events.service import Actor, EventType, record_event
from agenta.jobs.queue import JobQueue


async def issue_key(
    session: AsyncSession,
    actor: Actor,
    *,
    project_id: UUID,
    user_id: UUID,
    name: str = "",
    expires_at: datetime | None = None,
    queue: JobQueue | None = None,
) -> tuple[str, ApiKey]:
    """Create a key for ``user_id`` in the project on ``actor``'s behalf; returns the raw key
    (shown once) and its row, and records ``api_key.created``."""
    raw, key = await create_api_key(
        session, project_id=project_id, user_id=user_id, name=name, expires_at=expires_at
    )
    await _announce(session, EventType.API_KEY_CREATED, key, actor, queue)
    return raw, key


async def withdraw_key(
    session: AsyncSession,
    actor: Actor,
    *,
    project_id: UUID,
    prefix: str,
    queue: JobQueue | None = None,
) -> ApiKey:
    """Revoke the project's key with ``prefix`` on ``actor``'s behalf and record
    ``api_key.revoked``; ``NotFound`` for another project's key."""
    key = await revoke_api_key(session, project_id, prefix)
    await _announce(session, EventType.API_KEY_REVOKED, key, actor, queue)
    return key


def key_event_data(key: ApiKey) -> dict[str, Any]:
    """What an event says about a key: never its secret."""
    return {
        "api_key_id": key.id,
        "prefix": key.prefix,
        "name": key.name or key.prefix,
        "owner_user_id": key.user_id,
    }


async def _announce(
    session: AsyncSession,
    event_type: EventType,
    key: ApiKey,
    actor: Actor,
    queue: JobQueue | None,
) -> None:
    await record_event(
        session,
        project_id=key.project_id,
        event_type=event_type,
        data=key_event_data(key),
        actor=actor,
        queue=queue,
    )
