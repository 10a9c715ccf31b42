"""Factories for users, members and API keys, and helpers to call the app as one of them.

Every feature's tests reuse these: ``make_user`` signs a user up (personal organization, default
workspace and project), ``make_project_member`` adds a user with a role to an existing project's
organization, ``make_api_key`` issues a key. ``login`` logs a test client in through the real
form (CSRF included); ``api_headers`` builds the header an SDK sends; ``csrf_headers`` is what a
logged-in browser adds to state-changing API calls. The factories accept a ``Platform``, a
``Database`` or an open ``AsyncSession``.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.api_keys import create_api_key
from agenta.core.accounts.members import add_member
from agenta.core.accounts.models import Project
from agenta.core.accounts.users import sign_up
from agenta.db import Database
from agenta.platform import Platform

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Persona:
    """A user acting in one project with one role, optionally holding an API key there."""

    user_id: UUID
    email: str
    password: str
    organization_id: UUID
    workspace_id: UUID
    project_id: UUID
    role: str
    api_key: str | None = None
    api_key_id: UUID | None = None

    @property
    def headers(self) -> dict[str, str]:
        """``Authorization: ApiKey …`` for this persona's key."""
        if self.api_key is None:
            raise ValueError(f"{self.email} has no API key: create one with make_api_key")
        return api_headers(self.api_key)


def unique_email(stem: str = "user") -> str:
    return f"{stem}-{next(_numbers)}@example.com"


@asynccontextmanager
async def _session(db_or_session: Any) -> AsyncIterator[AsyncSession]:
    if isinstance(db_or_session, AsyncSession):
        yield db_or_session
        await db_or_session.flush()
        return
    db: Database = db_or_session.db if isinstance(db_or_session, Platform) else db_or_session
    async with db.session() as session:
        yield session


async def make_user(
    db_or_session: Any,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    name: str = "",
    with_api_key: bool = False,
) -> Persona:
    """A signed-up user: owner of their personal organization and its default project."""
    async with _session(db_or_session) as session:
        user, tenancy = await sign_up(
            session, email=email or unique_email(), password=password, name=name
        )
        persona = Persona(
            user_id=user.id,
            email=user.email,
            password=password,
            organization_id=tenancy.organization.id,
            workspace_id=tenancy.workspace.id,
            project_id=tenancy.project.id,
            role="owner",
        )
        if with_api_key:
            raw, key_id = await _issue_key(session, persona.user_id, persona.project_id)
            persona = replace(persona, api_key=raw, api_key_id=key_id)
    return persona


async def make_project_member(
    db_or_session: Any,
    project_id: UUID,
    *,
    role: str,
    email: str | None = None,
    password: str = PASSWORD,
    with_api_key: bool = True,
) -> Persona:
    """A new user who joined ``project_id``'s organization with ``role`` (and has a key there)."""
    async with _session(db_or_session) as session:
        user, _ = await sign_up(
            session, email=email or unique_email(role), password=password, name=role.title()
        )
        project = await session.get(Project, project_id)
        if project is None:
            raise ValueError(f"project {project_id} does not exist")
        await add_member(session, project.organization_id, user.id, role)
        persona = Persona(
            user_id=user.id,
            email=user.email,
            password=password,
            organization_id=project.organization_id,
            workspace_id=project.workspace_id,
            project_id=project.id,
            role=role,
        )
        if with_api_key:
            raw, key_id = await _issue_key(session, user.id, project.id)
            persona = replace(persona, api_key=raw, api_key_id=key_id)
    return persona


async def make_api_key(
    db_or_session: Any,
    persona_or_user_id: Persona | UUID,
    project_id: UUID | None = None,
    *,
    name: str = "test key",
    expires_at: datetime | None = None,
) -> tuple[str, UUID]:
    """A new API key for the user in the project (the persona's project by default)."""
    if isinstance(persona_or_user_id, Persona):
        user_id = persona_or_user_id.user_id
        project_id = project_id or persona_or_user_id.project_id
    else:
        user_id = persona_or_user_id
    if project_id is None:
        raise ValueError("make_api_key needs a project_id when given a bare user id")
    async with _session(db_or_session) as session:
        return await _issue_key(session, user_id, project_id, name=name, expires_at=expires_at)


async def _issue_key(
    session: AsyncSession,
    user_id: UUID,
    project_id: UUID,
    *,
    name: str = "test key",
    expires_at: datetime | None = None,
) -> tuple[str, UUID]:
    raw, key = await create_api_key(
        session, project_id=project_id, user_id=user_id, name=name, expires_at=expires_at
    )
    return raw, key.id


def api_headers(raw_key: str, scheme: str = "ApiKey") -> dict[str, str]:
    """The ``Authorization`` header for a key (``scheme=""`` sends the bare key)."""
    return {"Authorization": f"{scheme} {raw_key}".strip()}


async def csrf_token(client: Any) -> str:
    """The client's CSRF token, fetching the log-in page first if it has none yet."""
    token = client.cookies.get("csrftoken")
    if token is None:
        await client.get("/login")
        token = client.cookies.get("csrftoken")
    if token is None:
        raise AssertionError("the app set no csrftoken cookie")
    return str(token)


async def csrf_headers(client: Any) -> dict[str, str]:
    """Headers a logged-in browser adds to a state-changing request."""
    return {"x-csrftoken": await csrf_token(client)}


async def login(client: Any, email: str, password: str = PASSWORD) -> None:
    """Log ``client`` in through the log-in form; fails the test if that does not work."""
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={"email": email, "password": password, "_csrf_token": token},
        follow_redirects=False,
    )
    if response.status_code != 303 or "agenta_access" not in client.cookies:
        raise AssertionError(f"log-in failed ({response.status_code}): {response.text[:300]}")


async def login_as(client: Any, persona: Persona) -> None:
    """Log ``client`` in as ``persona`` and make the persona's project the current one."""
    await login(client, persona.email, persona.password)
    client.cookies.set("agenta_project", str(persona.project_id))
