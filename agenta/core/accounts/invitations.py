"""Invitations: an admin invites an e-mail address with a role; accepting joins the organization.

The invitation link carries a random token (stored as its digest) valid for seven days. The link
is returned to the inviter (the page shows it) and handed to the mail seam, which logs it. Only
the invited address can accept; accepting twice, or after expiry or revocation, is refused with a
message saying which. Inviting an address that already has a pending invitation renews that one
(new link, role and expiry) rather than leaving two links that both work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.digests import digest, new_token
from agenta.core.access.permissions import parse_role
from agenta.core.accounts.members import add_member, membership
from agenta.core.accounts.models import Invitation, Organization, User
from agenta.core.accounts.passwords import normalise_email
from agenta.db import utcnow
from agenta.errors import AppError, Conflict, Forbidden, NotFound
from agenta.settings import Settings

INVITATION_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str
    url: str
    renewed: bool = False


def invitation_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/invitations/{token}"


async def create_invitation(
    session: AsyncSession,
    settings: Settings,
    *,
    organization_id: UUID,
    email: str,
    role: str,
    invited_by_id: UUID | None,
) -> IssuedInvitation:
    """Invite ``email`` with ``role``; ``Conflict`` when that address is already a member.

    A pending invitation of the same address is renewed instead of duplicated: it gets a new
    token, the new role and a fresh expiry, so only the newest link works.
    """
    address = normalise_email(email)
    try:
        role = parse_role(role)
    except ValueError as exc:
        raise AppError(str(exc), status_code=422) from None
    existing = await session.scalar(select(User).where(User.email == address))
    if existing is not None and await membership(session, organization_id, existing.id):
        raise Conflict(f"{address} is already a member of this organization")
    pending = await _pending_invitation_of(session, organization_id, address)
    if pending is not None:
        return await _renew(session, settings, pending, role=role, invited_by_id=invited_by_id)
    token = new_token()
    invitation = Invitation(
        organization_id=organization_id,
        email=address,
        role=role,
        token_hash=digest(token),
        expires_at=utcnow() + INVITATION_LIFETIME,
        invited_by_id=invited_by_id,
    )
    session.add(invitation)
    await session.flush()
    return IssuedInvitation(invitation, token, invitation_url(settings, token))


async def _pending_invitation_of(
    session: AsyncSession, organization_id: UUID, address: str
) -> Invitation | None:
    return await session.scalar(
        select(Invitation)
        .where(
            Invitation.organization_id == organization_id,
            Invitation.email == address,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.created_at.desc())
        .limit(1)
    )


async def _renew(
    session: AsyncSession,
    settings: Settings,
    invitation: Invitation,
    *,
    role: str,
    invited_by_id: UUID | None,
) -> IssuedInvitation:
    # Only the digest of the old token is stored, so the old link cannot be shown again; a new
    # token replaces it, which also retires a link that may have gone to the wrong place.
    token = new_token()
    invitation.token_hash = digest(token)
    invitation.role = role
    invitation.expires_at = utcnow() + INVITATION_LIFETIME
    invitation.invited_by_id = invited_by_id
    await session.flush()
    return IssuedInvitation(invitation, token, invitation_url(settings, token), renewed=True)


async def pending_invitations(session: AsyncSession, organization_id: UUID) -> list[Invitation]:
    """Invitations neither accepted, revoked nor expired, newest first."""
    return list(
        await session.scalars(
            select(Invitation)
            .where(
                Invitation.organization_id == organization_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


async def revoke_invitation(
    session: AsyncSession, organization_id: UUID, invitation_id: UUID
) -> None:
    """Withdraw a pending invitation of the organization."""
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None or invitation.organization_id != organization_id:
        raise NotFound(f"Invitation {invitation_id} does not exist in this organization")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been accepted")
    invitation.revoked_at = utcnow()
    await session.flush()


@dataclass(frozen=True)
class InvitationView:
    invitation: Invitation
    organization_name: str


async def open_invitation(session: AsyncSession, token: str) -> InvitationView:
    """The invitation a link points to, if it can still be accepted."""
    invitation = await session.scalar(
        select(Invitation).where(Invitation.token_hash == digest(token))
    )
    if invitation is None:
        raise NotFound("This invitation link is not valid")
    if invitation.revoked_at is not None:
        raise AppError("This invitation has been withdrawn", status_code=410)
    if invitation.accepted_at is not None:
        raise AppError("This invitation has already been accepted", status_code=410)
    if invitation.expires_at <= utcnow():
        raise AppError("This invitation has expired; ask for a new one", status_code=410)
    organization = await session.get(Organization, invitation.organization_id)
    return InvitationView(invitation, organization.name if organization else "")


async def accept_invitation(session: AsyncSession, token: str, user: User) -> InvitationView:
    """Join the invitation's organization as ``user`` (who must own the invited address)."""
    view = await open_invitation(session, token)
    invitation = view.invitation
    if invitation.email != user.email:
        raise Forbidden(
            f"This invitation was sent to {invitation.email}; log in with that address to accept"
        )
    if await membership(session, invitation.organization_id, user.id) is None:
        await add_member(session, invitation.organization_id, user.id, invitation.role)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    await session.flush()
    return view
