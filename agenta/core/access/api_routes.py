"""API routes of the access layer: project API keys and the service permission check.

- ``GET /api/keys`` lists the project's keys (prefix, name, dates; never the key);
- ``POST /api/keys`` creates one and answers the key itself, the only time it is shown;
- ``DELETE /api/keys/{prefix}`` revokes one, effective at once in every process;
- ``GET /api/access/permissions/check?action=…&resource_type=…`` answers whether the caller may
  perform ``action`` in the project in scope and, if so, a ``Secret`` credential that served
  workflows use to call back on the caller's behalf.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.api_keys import list_api_keys
from agenta.core.access.errors import PermissionDenied
from agenta.core.access.guards import requires
from agenta.core.access.key_changes import issue_key, withdraw_key
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.access.runtime import access_runtime
from agenta.core.access.secret_credentials import mint_secret_credential
from agenta.core.accounts.models import ApiKey, Organization
from agenta.errors import AppError
from agenta.jobs.queue import JobQueue
from agenta.platform import Platform
from agenta.settings import Settings


@dataclass
class NewApiKey:
    name: str = ""
    expires_at: datetime | None = None


def key_summary(key: ApiKey) -> dict[str, Any]:
    """A key as lists show it: everything but the secret."""
    return {
        "id": str(key.id),
        "prefix": key.prefix,
        "name": key.name,
        "created_at": key.created_at.isoformat(),
        "last_used_at": key.last_used_at.isoformat() if key.last_used_at else None,
        "expiration_date": key.expires_at.isoformat() if key.expires_at else None,
    }


@get("/api/keys", guards=[requires(Permission.VIEW_API_KEYS)], tags=["keys"])
async def list_keys(
    principal: NamedDependency[Principal], db_session: NamedDependency[AsyncSession]
) -> list[dict[str, Any]]:
    """The project's API keys, newest first."""
    return [key_summary(key) for key in await list_api_keys(db_session, principal.project_id)]


@post("/api/keys", guards=[requires(Permission.EDIT_API_KEYS)], tags=["keys"], status_code=201)
async def create_key(
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    queue: NamedDependency[JobQueue],
    data: JSONBody[NewApiKey | None] = None,
) -> dict[str, Any]:
    """A new API key for the project, acting with the caller's rights; ``key`` is shown once."""
    if principal.user_id is None:
        raise PermissionDenied("Only a user can create API keys")
    request = data or NewApiKey()
    raw, key = await issue_key(
        db_session,
        principal,
        project_id=principal.project_id,
        user_id=principal.user_id,
        name=request.name,
        expires_at=request.expires_at,
        queue=queue,
    )
    return {**key_summary(key), "key": raw}


@delete("/api/keys/{prefix:str}", guards=[requires(Permission.EDIT_API_KEYS)], tags=["keys"])
async def revoke_key(
    prefix: FromPath[str],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    platform: NamedDependency[Platform],
) -> None:
    """Revoke the project's key with ``prefix``."""
    key = await withdraw_key(
        db_session, principal, project_id=principal.project_id, prefix=prefix, queue=platform.queue
    )
    await db_session.commit()
    await access_runtime(platform).invalidate(api_key_id=key.id)


@get("/api/access/permissions/check", guards=[requires()], tags=["access"])
async def check_permission(
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    action: FromQuery[str],
    resource_type: FromQuery[str | None] = None,
) -> Response[dict[str, Any]]:
    """``{"effect": "allow", "credentials": "Secret …"}`` when the caller may do ``action``."""
    try:
        permission = Permission(action)
    except ValueError:
        raise AppError(f"Unknown action {action!r}", status_code=400) from None
    if not principal.can(permission):
        raise PermissionDenied(
            f"Your role ({principal.role}) does not have the {permission} permission "
            "in this project"
        )
    organization = await db_session.get(Organization, principal.organization_id)
    credentials = mint_secret_credential(
        settings, principal, organization.name if organization else ""
    )
    return Response(
        {
            "effect": "allow",
            "action": str(permission),
            "resource_type": resource_type,
            "credentials": credentials,
            "project_id": str(principal.project_id),
        }
    )


ROUTES = [list_keys, create_key, revoke_key, check_permission]
