"""Organization members: listing, adding, changing roles and removing.

Rules that keep an organization governable: it always keeps at least one owner (the last owner
can be neither removed nor demoted), and only an owner may make someone an owner or change an
owner's role. Callers drop cached credentials of the affected user afterwards, since a member's
role is what their API keys act with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.permissions import ROLE_ORDER, parse_role
from agenta.core.accounts.models import OrganizationMember, User
from agenta.errors import AppError, Conflict, Forbidden, NotFound


@dataclass(frozen=True)
class MemberView:
    user_id: UUID
    email: str
    name: str
    role: str
    joined_at: datetime


def _valid_role(role: str) -> str:
    try:
        return parse_role(role)
    except ValueError as exc:
        raise AppError(str(exc), status_code=422) from None


async def list_members(session: AsyncSession, organization_id: UUID) -> list[MemberView]:
    """The organization's members, strongest role first, then by e-mail."""
    rows = await session.execute(
        select(
            User.id, User.email, User.name, OrganizationMember.role, OrganizationMember.created_at
        )
        .join(OrganizationMember, OrganizationMember.user_id == User.id)
        .where(OrganizationMember.organization_id == organization_id)
    )
    members = [MemberView(*row) for row in rows]
    rank = {role: position for position, role in enumerate(ROLE_ORDER)}
    return sorted(members, key=lambda member: (rank.get(member.role, 99), member.email))


async def membership(
    session: AsyncSession, organization_id: UUID, user_id: UUID
) -> OrganizationMember | None:
    return await session.scalar(
        select(OrganizationMember).where(
            OrganizationMember.organization_id == organization_id,
            OrganizationMember.user_id == user_id,
        )
    )


async def add_member(
    session: AsyncSession, organization_id: UUID, user_id: UUID, role: str
) -> OrganizationMember:
    """Make the user a member with ``role``; ``Conflict`` when they already are one."""
    role = _valid_role(role)
    if await membership(session, organization_id, user_id) is not None:
        raise Conflict("This user is already a member of the organization")
    member = OrganizationMember(organization_id=organization_id, user_id=user_id, role=role)
    session.add(member)
    await session.flush()
    return member


async def _existing(
    session: AsyncSession, organization_id: UUID, user_id: UUID
) -> OrganizationMember:
    member = await membership(session, organization_id, user_id)
    if member is None:
        raise NotFound(f"User {user_id} is not a member of this organization")
    return member


async def _owner_count(session: AsyncSession, organization_id: UUID) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(OrganizationMember)
            .where(
                OrganizationMember.organization_id == organization_id,
                OrganizationMember.role == "owner",
            )
        )
        or 0
    )


async def change_role(
    session: AsyncSession, organization_id: UUID, user_id: UUID, role: str, *, actor_role: str
) -> OrganizationMember:
    """Give a member a new role, within the rules above."""
    role = _valid_role(role)
    member = await _existing(session, organization_id, user_id)
    if "owner" in (role, member.role) and actor_role != "owner":
        raise Forbidden("Only an owner can grant or change the owner role")
    if member.role == "owner" and role != "owner":
        await _keep_an_owner(session, organization_id, "demote")
    member.role = role
    await session.flush()
    return member


async def remove_member(
    session: AsyncSession, organization_id: UUID, user_id: UUID, *, actor_role: str
) -> None:
    """Remove a member from the organization, within the rules above."""
    member = await _existing(session, organization_id, user_id)
    if member.role == "owner":
        if actor_role != "owner":
            raise Forbidden("Only an owner can remove an owner")
        await _keep_an_owner(session, organization_id, "remove")
    await session.delete(member)
    await session.flush()


async def _keep_an_owner(session: AsyncSession, organization_id: UUID, action: str) -> None:
    if await _owner_count(session, organization_id) <= 1:
        raise Conflict(
            f"Cannot {action} the last owner of the organization: make someone else owner first"
        )
