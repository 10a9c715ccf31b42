"""Variants API: branches of an application.

- ``POST /api/applications/variants/`` creates an empty variant (``application_id``, ``slug``);
- ``POST /api/applications/variants/query`` lists variants of ``application_refs``, optionally
  one ``application_variant.slug``;
- ``GET|PUT /api/applications/variants/{id}`` reads or renames one;
- ``POST /api/applications/variants/fork`` starts a new variant from any revision (by revision
  id, or variant plus optional version);
- ``POST /api/applications/variants/{id}/archive|unarchive``: the SDK's "delete" archives.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.registry import applications, variants
from agenta.core.registry.api.bodies import VariantEnvelope, VariantFork, VariantQuery
from agenta.core.registry.api.common import envelope, listing, reference, references, required
from agenta.core.registry.authors import author_names
from agenta.core.registry.resolution import ConfigQuery, resolve
from agenta.core.registry.scope import Scope
from agenta.core.registry.serialize import revision_record, variant_record
from agenta.errors import AppError, NotFound

VIEW = [requires(Permission.VIEW_APPLICATIONS)]
EDIT = [requires(Permission.EDIT_APPLICATIONS)]
TAGS = ["variants"]


@post("/api/applications/variants/", guards=EDIT, status_code=200, tags=TAGS)
async def create_variant(
    registry: NamedDependency[Scope], data: JSONBody[VariantEnvelope]
) -> dict[str, Any]:
    """Create an empty variant; its first commit is version 1."""
    fields = required(data.application_variant, "application_variant")
    application_id = required(
        fields.application_id or fields.artifact_id, "application_variant.application_id"
    )
    application = await applications.get_application(registry, application_id)
    variant = await variants.create_variant(
        registry,
        application,
        slug=required(fields.slug, "application_variant.slug"),
        name=fields.name,
        description=fields.description,
        flags=fields.flags,
    )
    return envelope("application_variant", variant_record(variant))


@post("/api/applications/variants/query", guards=VIEW, status_code=200, tags=TAGS)
async def query_variants(
    registry: NamedDependency[Scope], data: JSONBody[VariantQuery]
) -> dict[str, Any]:
    """Variants of the referenced applications (all of them without references)."""
    found = await variants.find_variants(
        registry,
        applications=references(data.application_refs, "application_refs") or None,
        variants=references(data.application_variant_refs, "application_variant_refs") or None,
        slug=data.application_variant.slug if data.application_variant else None,
        include_archived=data.include_archived,
    )
    return listing("application_variants", [variant_record(variant) for variant in found])


@get("/api/applications/variants/{variant_id:uuid}", guards=VIEW, tags=TAGS)
async def read_variant(
    registry: NamedDependency[Scope], variant_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """One variant, archived or not."""
    return envelope(
        "application_variant", variant_record(await variants.get_variant(registry, variant_id))
    )


@put("/api/applications/variants/{variant_id:uuid}", guards=EDIT, tags=TAGS)
async def edit_variant(
    registry: NamedDependency[Scope],
    variant_id: FromPath[uuid.UUID],
    data: JSONBody[VariantEnvelope],
) -> dict[str, Any]:
    """Rename or describe a variant."""
    fields = required(data.application_variant, "application_variant")
    variant = await variants.get_variant(registry, variant_id)
    header = {"slug": fields.slug, "name": fields.name, "description": fields.description}
    await variants.update_variant(registry, variant, header)
    return envelope("application_variant", variant_record(variant))


@post("/api/applications/variants/fork", guards=EDIT, status_code=200, tags=TAGS)
async def fork_variant(
    registry: NamedDependency[Scope], data: JSONBody[VariantFork]
) -> dict[str, Any]:
    """A new variant whose first revision copies the referenced revision."""
    query = ConfigQuery(
        application=reference(data.application_ref, "application_ref"),
        variant=reference(data.application_variant_ref, "application_variant_ref"),
        revision=reference(data.application_revision_ref, "application_revision_ref"),
    )
    if query.variant is None and (query.revision is None or query.revision.id is None):
        raise AppError("give the source as application_revision_ref.id or application_variant_ref")
    source = await resolve(registry, query)
    if source is None:
        raise NotFound("the revision to fork from was not found")
    fields = data.application_variant
    variant, revision = await variants.fork(
        registry,
        source.revision,
        slug=fields.slug if fields else None,
        name=fields.name if fields else None,
        message=data.message,
    )
    names = await author_names(registry.session, [revision.created_by_id])
    return {
        "count": 1,
        "application_variant": variant_record(variant),
        "application_revision": revision_record(revision, variant, source.application, names),
    }


@post(
    "/api/applications/variants/{variant_id:uuid}/archive", guards=EDIT, status_code=200, tags=TAGS
)
async def archive_variant(
    registry: NamedDependency[Scope], variant_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """Archive a variant (the SDK's delete); its revisions keep resolving by id."""
    return await _set_archived(registry, variant_id, archived=True)


@post(
    "/api/applications/variants/{variant_id:uuid}/unarchive",
    guards=EDIT,
    status_code=200,
    tags=TAGS,
)
async def unarchive_variant(
    registry: NamedDependency[Scope], variant_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """Restore an archived variant."""
    return await _set_archived(registry, variant_id, archived=False)


async def _set_archived(
    registry: Scope, variant_id: uuid.UUID, *, archived: bool
) -> dict[str, Any]:
    variant = await variants.get_variant(registry, variant_id)
    await variants.set_variant_archived(registry, variant, archived)
    return envelope("application_variant", variant_record(variant))


ROUTES = [
    create_variant,
    query_variants,
    read_variant,
    edit_variant,
    fork_variant,
    archive_variant,
    unarchive_variant,
]
