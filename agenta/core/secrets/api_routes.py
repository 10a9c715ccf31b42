"""The vault's REST API, under ``/api/secrets/`` (and the original's ``/api/vault/v1/secrets/``).

- ``GET /api/secrets/``: the project's connections, a plain JSON list (what the official SDK's
  served workflows expect), each with a masked hint and never a key;
- ``POST /api/secrets/``: add one (201); ``GET|PUT|DELETE /api/secrets/{id_or_slug}``;
- ``POST /api/secrets/{id_or_slug}/test``: call a model through a stored connection;
- ``POST /api/providers/probe``: the same test for a connection not saved yet (the body of a
  create request), so a form can check a key before storing it.

Reading needs ``view_secrets``, every change and test ``edit_secrets``.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.secrets.payloads import parse_secret_body
from agenta.core.secrets.probe import probe_connection
from agenta.core.secrets.records import public_record
from agenta.core.secrets.runtime import vault_changed, vault_runtime
from agenta.core.secrets.vault import (
    connection_of,
    create_secret,
    delete_secret,
    find_secret,
    list_secrets,
    settle,
    unsaved_connection,
    update_secret,
)
from agenta.core.services.runtime import llm_client
from agenta.llm import ConnectionRecord
from agenta.platform import Platform

COLLECTION = ["/api/secrets", "/api/vault/v1/secrets"]
ITEM = ["/api/secrets/{id_or_slug:str}", "/api/vault/v1/secrets/{id_or_slug:str}"]
VIEW = [requires(Permission.VIEW_SECRETS)]
EDIT = [requires(Permission.EDIT_SECRETS)]


@get(COLLECTION, guards=VIEW, tags=["secrets"])
async def list_route(
    principal: NamedDependency[Principal], db_session: NamedDependency[AsyncSession]
) -> list[dict[str, Any]]:
    """The project's provider connections, without their keys."""
    return [public_record(row) for row in await list_secrets(db_session, principal.project_id)]


@post(COLLECTION, guards=EDIT, tags=["secrets"], status_code=201)
async def create_route(
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
    data: JSONBody[dict[str, Any]],
) -> dict[str, Any]:
    """Store a connection; the answer shows only the key's last characters."""
    secret = await create_secret(
        db_session,
        vault_runtime(platform).box,
        principal.project_id,
        parse_secret_body(data),
        actor_id=principal.user_id,
    )
    await _committed(db_session, platform, principal)
    return public_record(secret)


@get(ITEM, guards=VIEW, tags=["secrets"])
async def read_route(
    id_or_slug: FromPath[str],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """One connection, without its key."""
    return public_record(await find_secret(db_session, principal.project_id, id_or_slug))


@put(ITEM, guards=EDIT, tags=["secrets"])
async def update_route(
    id_or_slug: FromPath[str],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
    data: JSONBody[dict[str, Any]],
) -> dict[str, Any]:
    """Change a connection; a key left out keeps the stored one."""
    secret = await find_secret(db_session, principal.project_id, id_or_slug)
    box = vault_runtime(platform).box
    updated = await update_secret(
        db_session, box, secret, parse_secret_body(data), actor_id=principal.user_id
    )
    await _committed(db_session, platform, principal)
    return public_record(updated)


@delete(ITEM, guards=EDIT, tags=["secrets"])
async def delete_route(
    id_or_slug: FromPath[str],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> None:
    """Remove a connection and its credentials."""
    await delete_secret(db_session, await find_secret(db_session, principal.project_id, id_or_slug))
    await _committed(db_session, platform, principal)


async def _committed(session: AsyncSession, platform: Platform, principal: Principal) -> None:
    """Commit a change, then drop this process's cached connections of the project."""
    await session.commit()
    vault_changed(platform, principal.project_id)


@post(
    ["/api/secrets/{id_or_slug:str}/test", "/api/vault/v1/secrets/{id_or_slug:str}/test"],
    guards=EDIT,
    tags=["secrets"],
    status_code=200,
)
async def test_route(
    id_or_slug: FromPath[str],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
    data: JSONBody[dict[str, Any] | None] = None,
) -> dict[str, Any]:
    """Call a model through a stored connection: ``{ok, message, model, status, latency_ms}``."""
    secret = await find_secret(db_session, principal.project_id, id_or_slug)
    runtime = vault_runtime(platform)
    connection = connection_of(secret, runtime.box)
    await db_session.commit()  # no transaction stays open while the provider answers
    return await _probe(platform, connection, (data or {}).get("model"))


@post(
    ["/api/providers/probe", "/api/vault/v1/providers/probe"],
    guards=EDIT,
    tags=["secrets"],
    status_code=200,
)
async def probe_route(
    platform: NamedDependency[Platform], data: JSONBody[dict[str, Any]]
) -> Response[dict[str, Any]]:
    """Test a connection described like a create request, without storing it."""
    connection = unsaved_connection(settle(parse_secret_body(data)))
    model = data.get("model") if isinstance(data.get("model"), str) else None
    return Response(await _probe(platform, connection, model))


async def _probe(platform: Platform, connection: ConnectionRecord, model: Any) -> dict[str, Any]:
    runtime = vault_runtime(platform)
    result = await probe_connection(
        llm_client(platform),
        connection,
        env=runtime.environment.for_calls(),
        model=model if isinstance(model, str) and model.strip() else None,
    )
    return result.to_dict()


ROUTES = [
    list_route,
    create_route,
    read_route,
    update_route,
    delete_route,
    test_route,
    probe_route,
]
