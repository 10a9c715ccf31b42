"""Resolve a request's credential into an ``Identity`` and, with a project, a ``Principal``.

(Interface placeholder: credential checking lands with the accounts models.)
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from agenta.core.access.errors import NotAuthenticated
from agenta.core.access.principal import Identity, Principal


async def identity_for_connection(connection: ASGIConnection[Any, Any, Any, Any]) -> Identity:
    """The authenticated caller of ``connection``; raises ``NotAuthenticated``."""
    raise NotAuthenticated("Authentication required")


async def principal_for_connection(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The caller in the project in scope; raises ``NotAuthenticated`` or ``PermissionDenied``."""
    raise NotAuthenticated("Authentication required")
