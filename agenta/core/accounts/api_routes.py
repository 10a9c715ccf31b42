"""API routes of accounts: the project in scope, the caller's projects and profile.

- ``GET /api/projects/current``: the organization, workspace and project the credential acts in
  (the official SDK calls it to build result links);
- ``GET /api/projects``: projects the caller can enter (an API key sees only its own);
- ``POST /api/projects``: a new project next to the current one;
- ``GET|PUT /api/profile`` and ``POST /api/profile/password``: the caller's own account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import authenticated, requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Identity, Principal
from agenta.core.access.sessions import end_user_sessions
from agenta.core.accounts.models import Organization, Project, User
from agenta.core.accounts.passwords import verify_password
from agenta.core.accounts.tenancy import (
    ProjectAccess,
    create_project,
    projects_of_user,
    workspace_of_project,
)
from agenta.core.accounts.users import get_user, set_password, update_profile
from agenta.errors import AppError, NotFound


def project_summary(access: ProjectAccess) -> dict[str, Any]:
    return {
        "project_id": str(access.project_id),
        "project_name": access.project_name,
        "workspace_id": str(access.workspace_id),
        "organization_id": str(access.organization_id),
        "organization_name": access.organization_name,
        "user_role": access.role,
    }


def profile_of(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "email": user.email,
        "name": user.name,
        "email_verified": user.email_verified,
        "created_at": user.created_at.isoformat(),
    }


@get("/api/projects/current", guards=[requires()], tags=["projects"])
async def current_project(
    principal: NamedDependency[Principal], db_session: NamedDependency[AsyncSession]
) -> dict[str, Any]:
    """Where the credential acts: organization, workspace and project ids, names and role."""
    project = await db_session.get(Project, principal.project_id)
    organization = await db_session.get(Organization, principal.organization_id)
    if project is None or organization is None:
        raise NotFound("The project no longer exists")
    return {
        "organization_id": str(principal.organization_id),
        "workspace_id": str(principal.workspace_id),
        "project_id": str(principal.project_id),
        "project_name": project.name,
        "project_slug": project.slug,
        "organization_name": organization.name,
        "user_id": str(principal.user_id) if principal.user_id else None,
        "user_role": principal.role,
        "permissions": sorted(str(permission) for permission in principal.permissions),
    }


@get("/api/projects", guards=[authenticated()], tags=["projects"])
async def list_projects(
    identity: NamedDependency[Identity], db_session: NamedDependency[AsyncSession]
) -> list[dict[str, Any]]:
    """The projects the caller can enter (a project-bound credential: its own project only)."""
    projects = await projects_of_user(db_session, identity.user_id)
    if identity.project_id is not None:
        projects = [access for access in projects if access.project_id == identity.project_id]
    return [project_summary(access) for access in projects]


@dataclass
class NewProject:
    name: str


@post("/api/projects", guards=[requires(Permission.EDIT_PROJECT)], tags=["projects"])
async def new_project(
    data: JSONBody[NewProject],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """A new project in the workspace of the current one."""
    workspace = await workspace_of_project(db_session, principal.project_id)
    project = await create_project(db_session, workspace, data.name, actor_id=principal.user_id)
    return {
        "project_id": str(project.id),
        "project_name": project.name,
        "project_slug": project.slug,
        "workspace_id": str(project.workspace_id),
        "organization_id": str(project.organization_id),
    }


@get("/api/profile", guards=[authenticated()], tags=["profile"])
async def profile(
    identity: NamedDependency[Identity], db_session: NamedDependency[AsyncSession]
) -> dict[str, Any]:
    """The caller's account."""
    return profile_of(await get_user(db_session, identity.user_id))


@dataclass
class ProfileChange:
    name: str


@put("/api/profile", guards=[authenticated()], tags=["profile"])
async def change_profile(
    data: JSONBody[ProfileChange],
    identity: NamedDependency[Identity],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Change the caller's display name."""
    user = await get_user(db_session, identity.user_id)
    return profile_of(await update_profile(db_session, user, name=data.name))


@dataclass
class PasswordChange:
    current_password: str
    new_password: str


@post("/api/profile/password", guards=[authenticated()], tags=["profile"], status_code=200)
async def change_password(
    data: JSONBody[PasswordChange],
    identity: NamedDependency[Identity],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Change the caller's password; every other browser session of theirs ends."""
    user = await change_password_of(db_session, identity, data.current_password, data.new_password)
    return profile_of(user)


async def change_password_of(
    session: AsyncSession, identity: Identity, current: str, new: str
) -> User:
    """Check the current password, set the new one and end the user's other sessions."""
    user = await get_user(session, identity.user_id)
    if not verify_password(user.password_hash, current).valid:
        raise AppError("The current password is not correct", status_code=400)
    await set_password(session, user, new)
    await end_user_sessions(session, user.id, except_session_id=identity.session_id)
    return user


ROUTES = [current_project, list_projects, new_project, profile, change_profile, change_password]
