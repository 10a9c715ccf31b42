"""API routes for an organization's members and invitations.

All live under ``/api/organizations/{organization_id}`` and act on the organization of the
project in scope: naming any other organization answers 404, exactly as if it did not exist.
Role changes and removals drop the member's cached credentials in every process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import authenticated, requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Identity, Principal
from agenta.core.access.runtime import access_runtime
from agenta.core.accounts.invitations import (
    IssuedInvitation,
    accept_invitation,
    create_invitation,
    pending_invitations,
    revoke_invitation,
)
from agenta.core.accounts.mail import send_account_mail
from agenta.core.accounts.member_events import member_invited, member_joined
from agenta.core.accounts.members import MemberView, change_role, list_members, remove_member
from agenta.core.accounts.models import Invitation
from agenta.core.accounts.users import get_user
from agenta.errors import Forbidden, NotFound
from agenta.jobs.queue import JobQueue
from agenta.platform import Platform
from agenta.settings import Settings

BASE = "/api/organizations/{organization_id:uuid}"


def in_scope(principal: Principal, organization_id: UUID) -> UUID:
    """The organization id if it is the one of the project in scope; 404 otherwise."""
    if organization_id != principal.organization_id:
        raise NotFound(f"Organization {organization_id} does not exist")
    return organization_id


def member_json(member: MemberView) -> dict[str, Any]:
    return {
        "user_id": str(member.user_id),
        "email": member.email,
        "name": member.name,
        "role": member.role,
        "joined_at": member.joined_at.isoformat(),
    }


def invitation_json(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": str(invitation.id),
        "email": invitation.email,
        "role": invitation.role,
        "expires_at": invitation.expires_at.isoformat(),
        "created_at": invitation.created_at.isoformat(),
    }


@get(BASE + "/members", guards=[requires(Permission.VIEW_MEMBERS)], tags=["members"])
async def members(
    organization_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> list[dict[str, Any]]:
    """The organization's members and their roles."""
    found = await list_members(db_session, in_scope(principal, organization_id))
    return [member_json(member) for member in found]


@dataclass
class RoleChange:
    role: str


@put(
    BASE + "/members/{user_id:uuid}",
    guards=[requires(Permission.EDIT_MEMBERS)],
    tags=["members"],
)
async def set_member_role(
    organization_id: FromPath[UUID],
    user_id: FromPath[UUID],
    data: JSONBody[RoleChange],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    platform: NamedDependency[Platform],
) -> dict[str, Any]:
    """Give a member another role (the last owner keeps theirs)."""
    organization = in_scope(principal, organization_id)
    member = await change_role(
        db_session, organization, user_id, data.role, actor_role=principal.role
    )
    await db_session.commit()
    await access_runtime(platform).invalidate(user_id=user_id)
    return {"user_id": str(member.user_id), "role": member.role}


@delete(
    BASE + "/members/{user_id:uuid}",
    guards=[requires(Permission.EDIT_MEMBERS)],
    tags=["members"],
)
async def delete_member(
    organization_id: FromPath[UUID],
    user_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    platform: NamedDependency[Platform],
) -> None:
    """Remove a member (never the last owner)."""
    organization = in_scope(principal, organization_id)
    await remove_member(db_session, organization, user_id, actor_role=principal.role)
    await db_session.commit()
    await access_runtime(platform).invalidate(user_id=user_id)


@get(BASE + "/invitations", guards=[requires(Permission.EDIT_MEMBERS)], tags=["members"])
async def invitations(
    organization_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> list[dict[str, Any]]:
    """Pending invitations."""
    found = await pending_invitations(db_session, in_scope(principal, organization_id))
    return [invitation_json(invitation) for invitation in found]


@dataclass
class NewInvitation:
    email: str
    role: str = "viewer"


@post(BASE + "/invitations", guards=[requires(Permission.EDIT_MEMBERS)], tags=["members"])
async def invite(
    organization_id: FromPath[UUID],
    data: JSONBody[NewInvitation],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
) -> dict[str, Any]:
    """Invite an address with a role; the answer carries the link to pass on."""
    issued = await invite_member(db_session, settings, principal, organization_id, data, queue)
    return {**invitation_json(issued.invitation), "url": issued.url}


async def invite_member(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    organization_id: FromPath[UUID],
    data: NewInvitation,
    queue: JobQueue | None,
) -> IssuedInvitation:
    """Create an invitation, record ``member.invited`` and hand its link to the mail seam (which
    logs it)."""
    if data.role.strip().lower() == "owner" and principal.role != "owner":
        raise Forbidden("Only an owner can invite another owner")
    issued = await create_invitation(
        session,
        settings,
        organization_id=in_scope(principal, organization_id),
        email=data.email,
        role=data.role,
        invited_by_id=principal.user_id,
    )
    await member_invited(session, principal, issued.invitation, queue)
    await send_account_mail(
        settings,
        issued.invitation.email,
        "You are invited to join an organization on Agenta",
        f"Accept the invitation ({issued.invitation.role}) here: {issued.url}\n"
        f"The link expires on {issued.invitation.expires_at:%Y-%m-%d %H:%M} UTC.",
    )
    return issued


@delete(
    BASE + "/invitations/{invitation_id:uuid}",
    guards=[requires(Permission.EDIT_MEMBERS)],
    tags=["members"],
)
async def withdraw_invitation(
    organization_id: FromPath[UUID],
    invitation_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> None:
    """Withdraw a pending invitation."""
    await revoke_invitation(db_session, in_scope(principal, organization_id), invitation_id)


@dataclass
class Acceptance:
    token: str


@post("/api/invitations/accept", guards=[authenticated()], tags=["members"], status_code=200)
async def accept(
    data: JSONBody[Acceptance],
    identity: NamedDependency[Identity],
    db_session: NamedDependency[AsyncSession],
    queue: NamedDependency[JobQueue],
) -> dict[str, Any]:
    """Join the organization an invitation is for (as the invited address)."""
    user = await get_user(db_session, identity.user_id)
    view = await accept_invitation(db_session, data.token, user)
    await member_joined(db_session, identity, view.invitation, user, queue)
    return {
        "organization_id": str(view.invitation.organization_id),
        "organization_name": view.organization_name,
        "role": view.invitation.role,
    }


ROUTES = [
    members,
    set_member_role,
    delete_member,
    invitations,
    invite,
    withdraw_invitation,
    accept,
]
