"""Route guards: the one place where every request is authenticated and authorised.

A route declares what it needs and nothing else::

    @post("/api/testsets", guards=[requires(Permission.EDIT_TESTSETS)])
    async def create(principal: NamedDependency[Principal], ...) -> ...

``requires`` authenticates the request (session cookie, or an ``Authorization`` header carrying
an API key as ``ApiKey <key>``, ``Bearer <key>`` or a bare ``<key>``, or a ``Secret <jwt>``),
resolves the project in scope (an API key's own project; for sessions ``?project_id=``, then the
``X-Agenta-Project`` header, then the session's current project), checks the caller's role there
and stores the ``Principal`` in ``request.state.principal``. ``authenticated`` only needs a known
user (account pages, the project list) and stores the ``Identity`` in ``request.state.identity``.

Each guard carries an ``access_rule`` attribute, which the route-table walker in the tests reads
to prove every route is either public (``opt={"public": True}``) or guarded.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from agenta.core.access.errors import PermissionDenied
from agenta.core.access.permissions import Permission, parse_permission
from agenta.core.access.principal import Identity, Principal
from agenta.core.access.resolution import identity_for_connection, principal_for_connection

log = logging.getLogger("agenta.access")

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


@dataclass(frozen=True)
class AccessRule:
    """What a guard demands: ``project`` scope with permissions, or just a known user."""

    kind: str  # "project" | "user"
    permissions: tuple[Permission, ...] = ()


def requires(*permissions: Permission | str) -> Guard:
    """A guard admitting callers whose role in the project in scope has all ``permissions``."""
    needed = tuple(parse_permission(permission) for permission in permissions)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = await principal_for_connection(connection)
        missing = [permission for permission in needed if permission not in principal.permissions]
        if missing:
            log.info(
                "permission denied",
                extra={
                    "user_id": str(principal.user_id),
                    "project_id": str(principal.project_id),
                    "role": principal.role,
                    "missing": [str(permission) for permission in missing],
                },
            )
            names = ", ".join(str(permission) for permission in missing)
            raise PermissionDenied(
                f"Your role ({principal.role}) does not have the {names} permission in this project"
            )

    guard.access_rule = AccessRule("project", needed)  # type: ignore[attr-defined]
    return guard


def authenticated() -> Guard:
    """A guard admitting any authenticated user; no project needs to be in scope."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        await identity_for_connection(connection)  # stores the identity in the request state

    guard.access_rule = AccessRule("user")  # type: ignore[attr-defined]
    return guard


def access_rule_of(guard: Any) -> AccessRule | None:
    """The rule a guard enforces, or None for a guard that is not one of ours."""
    rule = getattr(guard, "access_rule", None)
    return rule if isinstance(rule, AccessRule) else None


__all__ = [
    "AccessRule",
    "Guard",
    "Identity",
    "Principal",
    "access_rule_of",
    "authenticated",
    "requires",
]
