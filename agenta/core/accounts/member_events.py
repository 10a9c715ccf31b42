"""Announcing membership changes: ``member.invited`` and ``member.joined``.

The invite and accept requests (API and pages) call these right after the change, in the same
transaction, so each invitation and each join is one event in the outbox of
``agenta.core.events``. Membership belongs to an organization while the activity log and
webhooks belong to a project: both events go to the organization's default project
(``tenancy.home_project_id``), so one organization's invitations and joins are in one log
whichever project the inviter was looking at. Event data names the address and the role.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.accounts.models import Invitation, User
from agenta.core.accounts.tenancy import home_project_id
from agenta.core.events.service import Actor, EventType, record_event
from agenta.jobs.queue import JobQueue


async def member_invited(
    session: AsyncSession, actor: Actor, invitation: Invitation, queue: JobQueue | None
) -> None:
    """Record that ``actor`` invited an address (event: member invited)."""
    await _announce(session, EventType.MEMBER_INVITED, invitation, {}, actor, queue)


async def member_joined(
    session: AsyncSession,
    actor: Actor,
    invitation: Invitation,
    user: User,
    queue: JobQueue | None,
) -> None:
    """Record that ``user`` joined by accepting ``invitation`` (event: member joined)."""
    joined = {"user_id": user.id}
    await _announce(session, EventType.MEMBER_JOINED, invitation, joined, actor, queue)


async def _announce(
    session: AsyncSession,
    event_type: EventType,
    invitation: Invitation,
    extra: dict[str, Any],
    actor: Actor,
    queue: JobQueue | None,
) -> None:
    project_id = await home_project_id(session, invitation.organization_id)
    if project_id is None:
        # An organization without a live project has no activity log to write to.
        return
    data = {
        "organization_id": invitation.organization_id,
        "invitation_id": invitation.id,
        "email": invitation.email,
        "role": invitation.role,
        "name": invitation.email,
        **extra,
    }
    await record_event(
        session, project_id=project_id, event_type=event_type, data=data, actor=actor, queue=queue
    )
