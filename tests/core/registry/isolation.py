"""Isolation samples for the registry routes (see ``tests/core/access/route_table.py``).

Each sample is an object of the owner's project: an application (with its first variant and
revision) or the owner's production environment. ``variant_id`` and ``revision_id`` are generic
names, so they are registered for the registry's own routes only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from agenta.core.access.permissions import permissions_of
from agenta.core.registry import applications, environments
from agenta.core.registry.applications import AppHead
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference
from agenta.platform import Platform
from tests.support.accounts import Persona

Sample = Callable[[Platform, Persona], Awaitable[str]]


async def _application(platform: Platform, owner: Persona) -> AppHead:
    async with platform.db.session() as session:
        scope = Scope(
            session=session,
            project_id=owner.project_id,
            actor_id=owner.user_id,
            permissions=permissions_of(owner.role),
        )
        existing = await applications.find_application(scope, Reference(slug="isolated-app"))
        if existing is not None:
            return await applications.head_of(scope, existing)
        return await applications.create_application(scope, slug="isolated-app")


async def application_id(platform: Platform, owner: Persona) -> str:
    return str((await _application(platform, owner)).application.id)


async def variant_id(platform: Platform, owner: Persona) -> str:
    head = await _application(platform, owner)
    assert head.variant is not None
    return str(head.variant.id)


async def revision_id(platform: Platform, owner: Persona) -> str:
    head = await _application(platform, owner)
    assert head.revision is not None
    return str(head.revision.id)


async def environment_id(platform: Platform, owner: Persona) -> str:
    async with platform.db.session() as session:
        scope = Scope(session=session, project_id=owner.project_id)
        found = await environments.require_environment(scope, Reference(slug="production"))
        return str(found.id)


VARIANT_ROUTES = [
    "/api/applications/variants/{variant_id:uuid}",
    "/api/applications/variants/{variant_id:uuid}/archive",
    "/api/applications/variants/{variant_id:uuid}/unarchive",
    "/apps/{app_id:uuid}/variants/{variant_id:uuid}",
    "/apps/{app_id:uuid}/variants/{variant_id:uuid}/archive",
    "/apps/{app_id:uuid}/variants/{variant_id:uuid}/unarchive",
]
REVISION_ROUTES = [
    "/api/applications/revisions/{revision_id:uuid}",
    "/api/applications/revisions/{revision_id:uuid}/archive",
    "/api/applications/revisions/{revision_id:uuid}/unarchive",
    "/apps/{app_id:uuid}/revisions/{revision_id:uuid}/deploy",
]

SAMPLES: dict[str, Sample] = {
    "application_id": application_id,
    "app_id": application_id,
    "environment_id": environment_id,
    **{f"{path}#variant_id": variant_id for path in VARIANT_ROUTES},
    **{f"{path}#revision_id": revision_id for path in REVISION_ROUTES},
}
