"""Isolation samples for the accounts routes (see ``tests/core/access/route_table.py``)."""

from __future__ import annotations

from agenta.core.accounts.invitations import create_invitation
from agenta.platform import Platform
from tests.support.accounts import Persona, unique_email


async def organization_id(platform: Platform, owner: Persona) -> str:
    return str(owner.organization_id)


async def user_id(platform: Platform, owner: Persona) -> str:
    return str(owner.user_id)


async def _invitation(platform: Platform, owner: Persona) -> tuple[str, str]:
    async with platform.db.session() as session:
        issued = await create_invitation(
            session,
            platform.settings,
            organization_id=owner.organization_id,
            email=unique_email("invitee"),
            role="viewer",
            invited_by_id=owner.user_id,
        )
    return str(issued.invitation.id), issued.token


async def invitation_id(platform: Platform, owner: Persona) -> str:
    return (await _invitation(platform, owner))[0]


async def invitation_token(platform: Platform, owner: Persona) -> str:
    return (await _invitation(platform, owner))[1]


async def key_prefix(platform: Platform, owner: Persona) -> str:
    assert owner.api_key is not None
    return owner.api_key[:8]


SAMPLES = {
    "organization_id": organization_id,
    "user_id": user_id,
    "invitation_id": invitation_id,
    "token": invitation_token,
    "prefix": key_prefix,
}
