"""Resolve a request's credential into an ``Identity`` and, with a project, a ``Principal``.

A request is authenticated by exactly one credential. With an ``Authorization`` header the
header alone decides (cookies are ignored, which is also why such requests skip CSRF checks):

- ``Secret <jwt>``: a service credential minted by ``/api/access/permissions/check``;
- ``ApiKey <key>``, ``Bearer <key>`` or a bare ``<key>``: a project API key.

Without one, the browser session cookie is used (refreshed beforehand by ``SessionMiddleware``).
The project in scope is the credential's own for keys and ``Secret`` tokens (asking for another
one is refused); sessions take ``?project_id=``, then ``X-Agenta-Project``, then the project
cookie, then the user's first project. Failures are logged with their reason, never the secret,
and repeated bad credentials from one client address are rate-limited.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection

from agenta.core.access.api_keys import KeyRejected, verify_api_key
from agenta.core.access.digests import digest
from agenta.core.access.errors import NotAuthenticated, PermissionDenied
from agenta.core.access.permissions import permissions_of
from agenta.core.access.principal import Identity, Principal
from agenta.core.access.runtime import AccessRuntime, access_runtime
from agenta.core.access.secret_credentials import read_secret_credential
from agenta.core.access.sessions import (
    ACCESS_COOKIE,
    PROJECT_COOKIE,
    active_session_user,
    read_access_token,
)
from agenta.core.access.tokens import TokenInvalid
from agenta.core.accounts.tenancy import ProjectAccess, default_project_id, project_access
from agenta.errors import AppError
from agenta.platform import Platform

log = logging.getLogger("agenta.access")

REFRESHED_TOKEN_KEY = "agenta.refreshed_access_token"
PROJECT_HEADER = "x-agenta-project"

Connection = ASGIConnection[Any, Any, Any, Any]


def request_state(connection: Connection) -> dict[str, Any]:
    """The request's state dict (what ``connection.state`` wraps, without building a wrapper)."""
    return connection.scope.setdefault("state", {})  # type: ignore[return-value]


def _platform(connection: Connection) -> Platform:
    return connection.app.state.platform  # type: ignore[no-any-return]


def client_address(connection: Connection) -> str:
    """The caller's address, as the server (and its trusted proxies) reports it."""
    return connection.client.host if connection.client else "unknown"


def _refuse(connection: Connection, reason: str, **details: Any) -> NotAuthenticated:
    log.info(
        "authentication failed",
        extra={"reason": reason, "path": connection.url.path, **details},
    )
    return NotAuthenticated(reason)


async def identity_for_connection(connection: Connection) -> Identity:
    """The authenticated caller of ``connection``; raises ``NotAuthenticated``."""
    state = request_state(connection)
    identity = state.get("identity")
    if identity is not None:
        return identity  # type: ignore[no-any-return]
    header = connection.headers.get("authorization")
    if header is not None:
        identity = await _identity_from_header(connection, header)
    else:
        identity = await _identity_from_session(connection)
    state["identity"] = identity
    return identity


async def _identity_from_header(connection: Connection, header: str) -> Identity:
    scheme, _, rest = header.strip().partition(" ")
    lowered = scheme.lower()
    runtime = access_runtime(_platform(connection))
    if lowered == "secret":
        return await _identity_from_secret(
            connection, rest.strip(), runtime, client_address(connection)
        )
    if lowered in {"apikey", "bearer"}:
        raw = rest.strip()
    elif rest.strip() == "":
        raw = scheme
    else:
        raise _refuse(
            connection,
            f"Unsupported authorization scheme {scheme[:20]!r}: use ApiKey, Bearer or Secret",
        )
    principal = await _verify_key(connection, raw, runtime)
    request_state(connection)["key_principal"] = principal
    return Identity(
        user_id=principal.user_id,  # type: ignore[arg-type]
        via="api_key",
        email=principal.email,
        project_id=principal.project_id,
        api_key_id=principal.api_key_id,
    )


async def _identity_from_secret(
    connection: Connection, token: str, runtime: AccessRuntime, address: str
) -> Identity:
    await runtime.key_limiter.check(address, "Too many invalid credentials from this address")
    try:
        return read_secret_credential(_platform(connection).settings, token)
    except TokenInvalid as exc:
        await runtime.key_limiter.record_failure(address)
        raise _refuse(connection, f"The Secret credential is not valid: {exc}") from None


async def _verify_key(connection: Connection, raw: str, runtime: AccessRuntime) -> Principal:
    hashed = digest(raw.strip())
    platform = _platform(connection)

    def load() -> Awaitable[Principal]:
        return _load_key_principal(platform, raw)

    cached = runtime.keys.fresh(hashed, load)
    if cached is not None:
        return cached
    address = client_address(connection)
    await runtime.key_limiter.check(address, "Too many invalid API keys from this address")
    try:
        return await runtime.keys.load(hashed, load)
    except KeyRejected as exc:
        await runtime.key_limiter.record_failure(address)
        raise _refuse(connection, str(exc), scheme="api_key") from None
    except _OwnerWithoutAccess as exc:
        raise _refuse(connection, str(exc)) from None


class _OwnerWithoutAccess(Exception):
    """The key is valid but its owner lost access to its project (not a guessing attempt)."""


async def _load_key_principal(platform: Platform, raw: str) -> Principal:
    async with platform.db.session() as session:
        record = await verify_api_key(session, raw)
        access = await project_access(session, record.user_id, record.project_id)
    if access is None or access.disabled:
        raise _OwnerWithoutAccess("The API key's owner no longer has access to its project")
    return _principal(access, record.user_id, "api_key", api_key_id=record.id)


async def _identity_from_session(connection: Connection) -> Identity:
    token = connection.scope.get("state", {}).get(REFRESHED_TOKEN_KEY) or connection.cookies.get(
        ACCESS_COOKIE
    )
    if not token:
        raise NotAuthenticated("Log in to continue")
    platform = _platform(connection)
    try:
        claims = read_access_token(platform.settings, token)
    except TokenInvalid as exc:
        raise _refuse(connection, f"The session is not valid: {exc}; log in again") from None
    async with platform.db.session() as session:
        user = await active_session_user(session, claims)
    if user is None:
        raise _refuse(connection, "The session has ended; log in again")
    return Identity(user.id, "session", email=user.email, session_id=claims.session_id)


def _principal(
    access: ProjectAccess, user_id: UUID, via: str, *, api_key_id: UUID | None = None
) -> Principal:
    return Principal(
        user_id=user_id,
        project_id=access.project_id,
        workspace_id=access.workspace_id,
        organization_id=access.organization_id,
        role=access.role,
        permissions=permissions_of(access.role),
        via=via,
        api_key_id=api_key_id,
        email=access.email,
    )


def requested_project(connection: Connection) -> UUID | None:
    """The project named by ``?project_id=`` or the ``X-Agenta-Project`` header, if any."""
    raw = connection.query_params.get("project_id") or connection.headers.get(PROJECT_HEADER)
    if not raw:
        return None
    try:
        return UUID(raw)
    except ValueError:
        raise AppError(f"project_id must be a UUID, got {raw[:60]!r}") from None


async def principal_for_connection(connection: Connection) -> Principal:
    """The caller in the project in scope; raises ``NotAuthenticated`` or ``PermissionDenied``."""
    state = request_state(connection)
    principal = state.get("principal")
    if principal is not None:
        return principal  # type: ignore[no-any-return]
    identity = await identity_for_connection(connection)
    requested = requested_project(connection)
    if identity.project_id is not None:
        if requested is not None and requested != identity.project_id:
            raise PermissionDenied("This credential belongs to another project")
        principal = state.get("key_principal") or await _member_principal(
            connection, identity, identity.project_id
        )
    else:
        principal = await _session_principal(connection, identity, requested)
    state["principal"] = principal
    return principal  # type: ignore[no-any-return]


async def _member_principal(
    connection: Connection, identity: Identity, project_id: UUID
) -> Principal:
    platform = _platform(connection)
    user_id = identity.user_id

    async def load() -> ProjectAccess:
        async with platform.db.session() as session:
            access = await project_access(session, user_id, project_id)
        if access is None or access.disabled:
            raise PermissionDenied("You are not a member of this project")
        return access

    access = await access_runtime(platform).members.get_or_load((user_id, project_id), load)
    return _principal(access, user_id, identity.via)


async def _session_principal(
    connection: Connection, identity: Identity, requested: UUID | None
) -> Principal:
    async with _platform(connection).db.session() as session:
        if requested is not None:
            access = await project_access(session, identity.user_id, requested)
            if access is None:
                raise PermissionDenied("You are not a member of this project")
        else:
            access = await _current_project(connection, session, identity.user_id)
    return _principal(access, identity.user_id, "session")


async def _current_project(connection: Connection, session: Any, user_id: UUID) -> ProjectAccess:
    chosen = connection.cookies.get(PROJECT_COOKIE)
    if chosen:
        try:
            access = await project_access(session, user_id, UUID(chosen))
        except ValueError:
            access = None
        if access is not None:
            return access
    fallback = await default_project_id(session, user_id)
    access = await project_access(session, user_id, fallback) if fallback else None
    if access is None:
        raise PermissionDenied("You are not a member of any project")
    return access
