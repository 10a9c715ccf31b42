"""Who is calling, and with which rights in which project.

An ``Identity`` is the authenticated caller alone (a user from a browser session, an API key or a
``Secret`` credential). A ``Principal`` is an identity resolved against the project in scope:
the project's workspace and organization, the caller's role there and the permissions that role
grants. Guards build them once per request and keep them in ``request.state``; handlers receive
them through the ``principal`` and ``identity`` dependencies. Both are immutable values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from agenta.core.access.permissions import Permission, parse_permission

Via = Literal["session", "api_key", "secret"]


@dataclass(frozen=True)
class Identity:
    """An authenticated caller before any project is considered.

    ``project_id`` is set when the credential itself is bound to a project (API keys and
    ``Secret`` credentials); browser sessions pick their project per request and carry their
    ``session_id`` (for logging out and password changes).
    """

    user_id: UUID
    via: str  # "session" | "api_key" | "secret"
    email: str | None = None
    project_id: UUID | None = None
    api_key_id: UUID | None = None
    session_id: UUID | None = None


@dataclass(frozen=True)
class Principal:
    """An authenticated caller acting in one project, with the permissions of their role."""

    user_id: UUID | None
    project_id: UUID
    workspace_id: UUID
    organization_id: UUID
    role: str
    permissions: frozenset[Permission]
    via: str  # "session" | "api_key" | "secret"
    api_key_id: UUID | None = None
    email: str | None = None

    def can(self, permission: Permission | str) -> bool:
        """True when the caller's role grants ``permission`` in this project."""
        return parse_permission(permission) in self.permissions
