"""Request dependencies shared by every feature: the platform, settings and a database session.

A handler asks for them by name, e.g. ``db_session: NamedDependency[AsyncSession]``. The session
is a transaction that commits when the handler returns normally and rolls back when it raises, so
a failed request never leaves half its writes behind. ``principal`` (and ``identity``) are the
caller as established by the route's access guard (``agenta.core.access.guards``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar import Request
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.principal import Identity, Principal
from agenta.jobs.queue import JobQueue
from agenta.platform import Platform
from agenta.settings import Settings


def platform_of(request: Request[Any, Any, Any]) -> Platform:
    return request.app.state.platform  # type: ignore[no-any-return]


async def provide_platform(request: Request[Any, Any, Any]) -> Platform:
    return platform_of(request)


async def provide_settings(request: Request[Any, Any, Any]) -> Settings:
    return platform_of(request).settings


async def provide_queue(request: Request[Any, Any, Any]) -> JobQueue:
    return platform_of(request).queue


async def provide_db_session(request: Request[Any, Any, Any]) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed only if the handler succeeded."""
    async with platform_of(request).db.sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """The caller in the project in scope, set by a ``requires(...)`` guard on the route."""
    principal = request.state.get("principal")
    if principal is None:
        raise RuntimeError(
            f"{request.url.path} asks for the principal but has no requires(...) guard"
        )
    return principal  # type: ignore[no-any-return]


async def provide_identity(request: Request[Any, Any, Any]) -> Identity:
    """The authenticated caller, set by a ``requires(...)`` or ``authenticated()`` guard."""
    identity = request.state.get("identity")
    if identity is None:
        raise RuntimeError(f"{request.url.path} asks for the identity but has no access guard")
    return identity  # type: ignore[no-any-return]


DEPENDENCIES = {
    "platform": Provide(provide_platform),
    "settings": Provide(provide_settings),
    "queue": Provide(provide_queue),
    "db_session": Provide(provide_db_session),
    "principal": Provide(provide_principal),
    "identity": Provide(provide_identity),
}
