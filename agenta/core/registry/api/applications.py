"""The "simple" applications API: one record per application, default variant folded in.

- ``POST /api/simple/applications/`` creates an application (type from ``flags``: ``is_chat``,
  ``is_custom``) with a first variant and revision;
- ``POST /api/simple/applications/query`` lists them (by slug, refs or flags);
- ``GET|PUT /api/simple/applications/{id}`` reads or edits one (new ``data`` is committed on the
  default variant);
- ``POST /api/simple/applications/{id}/archive|unarchive``.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.registry import applications
from agenta.core.registry.api.bodies import ApplicationEnvelope, ApplicationFields, ApplicationQuery
from agenta.core.registry.api.common import envelope, listing, references, required
from agenta.core.registry.scope import Scope
from agenta.core.registry.serialize import simple_application
from agenta.core.revisions.slugs import slugify

VIEW = [requires(Permission.VIEW_APPLICATIONS)]
EDIT = [requires(Permission.EDIT_APPLICATIONS)]
TAGS = ["applications"]


@post("/api/simple/applications/", guards=EDIT, status_code=200, tags=TAGS)
async def create_application(
    registry: NamedDependency[Scope], data: JSONBody[ApplicationEnvelope]
) -> dict[str, Any]:
    """Create an application; answers ``{"count": 1, "application": {...}}``."""
    fields = required(data.application, "application")
    slug = fields.slug or (slugify(fields.name) if fields.name else None)
    head = await applications.create_application(
        registry,
        slug=required(slug, "application.slug"),
        name=fields.name,
        description=fields.description,
        flags=fields.flags,
        data=fields.data,
        tags=fields.tags,
        meta=fields.meta,
    )
    return envelope("application", simple_application(head))


@post("/api/simple/applications/query", guards=VIEW, status_code=200, tags=TAGS)
async def query_applications(
    registry: NamedDependency[Scope], data: JSONBody[ApplicationQuery]
) -> dict[str, Any]:
    """Applications matching ``application.slug``/``flags`` and ``application_refs``."""
    fields = data.application or ApplicationFields()
    heads = await applications.list_applications(
        registry,
        include_archived=data.include_archived,
        references=references(data.application_refs, "application_refs") or None,
        slug=fields.slug,
        flags=fields.flags,
    )
    return listing("applications", [simple_application(head) for head in heads])


@get("/api/simple/applications/{application_id:uuid}", guards=VIEW, tags=TAGS)
async def read_application(
    registry: NamedDependency[Scope], application_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """One application with its default variant's latest revision."""
    application = await applications.get_application(registry, application_id)
    return envelope(
        "application", simple_application(await applications.head_of(registry, application))
    )


@put("/api/simple/applications/{application_id:uuid}", guards=EDIT, tags=TAGS)
async def edit_application(
    registry: NamedDependency[Scope],
    application_id: FromPath[uuid.UUID],
    data: JSONBody[ApplicationEnvelope],
) -> dict[str, Any]:
    """Rename or describe an application; ``data`` commits a new revision when it changed."""
    fields = required(data.application, "application")
    application = await applications.get_application(registry, application_id)
    header = {
        "slug": fields.slug,
        "name": fields.name,
        "description": fields.description,
        "flags": fields.flags,
        "tags": fields.tags,
        "meta": fields.meta,
    }
    head = await applications.update_application(
        registry, application, header, data=fields.data, message=fields.message
    )
    return envelope("application", simple_application(head))


@post(
    "/api/simple/applications/{application_id:uuid}/archive",
    guards=EDIT,
    status_code=200,
    tags=TAGS,
)
async def archive_application(
    registry: NamedDependency[Scope], application_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """Archive an application (its revisions keep resolving by id)."""
    return await _set_archived(registry, application_id, archived=True)


@post(
    "/api/simple/applications/{application_id:uuid}/unarchive",
    guards=EDIT,
    status_code=200,
    tags=TAGS,
)
async def unarchive_application(
    registry: NamedDependency[Scope], application_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """Restore an archived application."""
    return await _set_archived(registry, application_id, archived=False)


async def _set_archived(
    registry: Scope, application_id: uuid.UUID, *, archived: bool
) -> dict[str, Any]:
    application = await applications.get_application(registry, application_id)
    await applications.set_application_archived(registry, application, archived)
    return envelope(
        "application", simple_application(await applications.head_of(registry, application))
    )


ROUTES = [
    create_application,
    query_applications,
    read_application,
    edit_application,
    archive_application,
    unarchive_application,
]
