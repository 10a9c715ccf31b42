"""Organizations, workspaces and projects, and who may act in which project.

Every organization has a default workspace with a default project; signing up creates a
personal organization owned by the new user. Creating a project runs the ``PROJECT_CREATED``
hooks (for example the default environments) in the same transaction, so a project never exists
without its defaults. ``project_access`` is the query behind every access check: one join from
the project to the caller's membership in the project's organization.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.accounts.hooks import run_project_created
from agenta.core.accounts.models import (
    Organization,
    OrganizationMember,
    Project,
    User,
    Workspace,
)
from agenta.errors import AppError, NotFound

DEFAULT_WORKSPACE_NAME = "Default"
DEFAULT_PROJECT_NAME = "Default"


@dataclass(frozen=True)
class Tenancy:
    """An organization with its default workspace and project."""

    organization: Organization
    workspace: Workspace
    project: Project


@dataclass(frozen=True)
class ProjectAccess:
    """A user's standing in one project: where it lives and the user's role there."""

    project_id: UUID
    workspace_id: UUID
    organization_id: UUID
    organization_name: str
    project_name: str
    role: str
    email: str
    disabled: bool


def slugify(name: str) -> str:
    """A lower-case ASCII slug of ``name`` ("My App!" → "my-app")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:80] or "project"


def _clean_name(name: str, what: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned:
        raise AppError(f"The {what} name must not be empty", status_code=422)
    if len(cleaned) > 200:
        raise AppError(f"The {what} name must be at most 200 characters long", status_code=422)
    return cleaned


async def create_organization(
    session: AsyncSession, name: str, owner: User, *, personal: bool = False
) -> Tenancy:
    """An organization owned by ``owner``, with its default workspace and project."""
    organization = Organization(
        name=_clean_name(name, "organization"), owner_id=owner.id, is_personal=personal
    )
    session.add(organization)
    await session.flush()
    session.add(OrganizationMember(organization_id=organization.id, user_id=owner.id, role="owner"))
    workspace = Workspace(
        organization_id=organization.id, name=DEFAULT_WORKSPACE_NAME, is_default=True
    )
    session.add(workspace)
    await session.flush()
    project = await create_project(
        session, workspace, DEFAULT_PROJECT_NAME, actor_id=owner.id, is_default=True
    )
    return Tenancy(organization, workspace, project)


async def create_project(
    session: AsyncSession,
    workspace: Workspace,
    name: str,
    *,
    actor_id: UUID | None,
    is_default: bool = False,
) -> Project:
    """A project in ``workspace`` with a slug unique there; runs the project-created hooks.

    Raises ``AppError`` (422) for an empty name and (409) for a name another project of the
    organization already has, compared trimmed and case-insensitively.
    """
    name = _clean_name(name, "project")
    await _refuse_taken_project_name(session, workspace.organization_id, name)
    project = Project(
        workspace_id=workspace.id,
        organization_id=workspace.organization_id,
        name=name,
        slug=await _free_slug(session, workspace.id, slugify(name)),
        is_default=is_default,
    )
    session.add(project)
    await session.flush()
    await run_project_created(session, project.id, actor_id)
    return project


async def _refuse_taken_project_name(
    session: AsyncSession, organization_id: UUID, name: str
) -> None:
    # Compared in Python: SQL lower() folds only ASCII on SQLite.
    names = await session.scalars(
        select(Project.name).where(Project.organization_id == organization_id)
    )
    wanted = name.casefold()
    if any(existing.strip().casefold() == wanted for existing in names):
        raise AppError(
            f"The organization already has a project named {name!r}; choose another name",
            status_code=409,
        )


async def _free_slug(session: AsyncSession, workspace_id: UUID, base: str) -> str:
    taken = set(
        (
            await session.scalars(
                select(Project.slug).where(
                    Project.workspace_id == workspace_id, Project.slug.startswith(base)
                )
            )
        ).all()
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


async def project_access(
    session: AsyncSession, user_id: UUID, project_id: UUID
) -> ProjectAccess | None:
    """The user's role in the project, or None when the user is not a member of its org."""
    row = (
        await session.execute(
            select(
                Project.workspace_id,
                Project.organization_id,
                Organization.name,
                Project.name,
                OrganizationMember.role,
                User.email,
                User.disabled,
            )
            .join(Organization, Organization.id == Project.organization_id)
            .join(
                OrganizationMember,
                (OrganizationMember.organization_id == Project.organization_id)
                & (OrganizationMember.user_id == user_id),
            )
            .join(User, User.id == OrganizationMember.user_id)
            .where(Project.id == project_id, Project.deleted_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    return ProjectAccess(project_id, *row)


async def projects_of_user(session: AsyncSession, user_id: UUID) -> list[ProjectAccess]:
    """Every project the user can enter, oldest organization and project first."""
    rows = await session.execute(
        select(
            Project.id,
            Project.workspace_id,
            Project.organization_id,
            Organization.name,
            Project.name,
            OrganizationMember.role,
            User.email,
            User.disabled,
        )
        .join(Organization, Organization.id == Project.organization_id)
        .join(OrganizationMember, OrganizationMember.organization_id == Project.organization_id)
        .join(User, User.id == OrganizationMember.user_id)
        .where(OrganizationMember.user_id == user_id, Project.deleted_at.is_(None))
        .order_by(Organization.created_at, Project.is_default.desc(), Project.created_at)
    )
    return [ProjectAccess(*row) for row in rows]


async def default_project_id(session: AsyncSession, user_id: UUID) -> UUID | None:
    """The project a user lands in when none is chosen: their first one."""
    projects = await projects_of_user(session, user_id)
    return projects[0].project_id if projects else None


async def find_project(session: AsyncSession, user_id: UUID, slug: str | None) -> ProjectAccess:
    """The user's project with ``slug`` (their default project when None)."""
    projects = await projects_of_user(session, user_id)
    if not projects:
        raise NotFound("The user is not a member of any project")
    if slug is None:
        return projects[0]
    slugs = {project.project_id: project for project in projects}
    found = (
        await session.scalars(select(Project.id).where(Project.id.in_(slugs), Project.slug == slug))
    ).all()
    if len(found) != 1:
        known = ", ".join(sorted(await _slugs(session, list(slugs))))
        problem = "no project" if not found else "several projects"
        raise NotFound(f"The user has {problem} with slug {slug!r} (their projects: {known})")
    return slugs[found[0]]


async def _slugs(session: AsyncSession, project_ids: list[UUID]) -> list[str]:
    return list(await session.scalars(select(Project.slug).where(Project.id.in_(project_ids))))


async def home_project_id(session: AsyncSession, organization_id: UUID) -> UUID | None:
    """The organization's default project (its oldest one if that is gone), where events about
    the organization itself are recorded."""
    return await session.scalar(
        select(Project.id)
        .where(Project.organization_id == organization_id, Project.deleted_at.is_(None))
        .order_by(Project.is_default.desc(), Project.created_at)
        .limit(1)
    )


async def workspace_of_project(session: AsyncSession, project_id: UUID) -> Workspace:
    """The workspace holding ``project_id``."""
    workspace = await session.scalar(
        select(Workspace)
        .join(Project, Project.workspace_id == Workspace.id)
        .where(Project.id == project_id)
    )
    if workspace is None:
        raise NotFound(f"Project {project_id} does not exist")
    return workspace
