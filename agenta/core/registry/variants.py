"""Variants and their revisions: create, find, commit, fork, log, archive, diff.

A commit keeps the top-level data keys it does not mention from the variant's latest revision:
the official SDK commits ``{"parameters": ...}`` alone, and must not unbind the application from
its handler (``uri``), service (``url``) or schemas. Committing ``{"url": null}`` still clears one.

Archived variants and revisions disappear from listings and slug lookups but keep resolving by
id, so traces and evaluations that recorded an id keep working.
"""

from __future__ import annotations

import uuid
from typing import Any

from agenta.core.registry import changes
from agenta.core.registry.applications import require_application
from agenta.core.registry.models import (
    ApplicationArtifact,
    ApplicationRevision,
    ApplicationVariant,
)
from agenta.core.registry.scope import Scope
from agenta.core.registry.templates import check_url
from agenta.core.revisions.diffing import FieldRow, compare_fields
from agenta.core.revisions.references import Reference
from agenta.errors import AppError, NotFound


async def create_variant(
    scope: Scope,
    application: ApplicationArtifact,
    *,
    slug: str | None,
    name: str | None = None,
    description: str | None = None,
    flags: dict[str, Any] | None = None,
) -> ApplicationVariant:
    """A new, empty variant of ``application`` (its first commit gives it version 1)."""
    variant = await scope.applications.create_variant(
        application,
        slug=slug,
        actor_id=scope.actor_id,
        name=name,
        description=description,
        flags=flags,
    )
    scope.registry_changed()
    return variant


async def get_variant(scope: Scope, variant_id: uuid.UUID) -> ApplicationVariant:
    """The variant with this id (archived too); 404 otherwise."""
    found = await scope.applications.variant(variant_id)
    if found is None:
        raise NotFound(f"variant {variant_id} not found")
    return found


async def find_variants(
    scope: Scope,
    *,
    applications: list[Reference] | None = None,
    variants: list[Reference] | None = None,
    slug: str | None = None,
    include_archived: bool = False,
) -> list[ApplicationVariant]:
    """Variants of the referenced applications (all when none), by slug or reference."""
    store = scope.applications
    artifact_ids = None
    if applications:
        artifact_ids = [
            app.id
            for ref in applications
            if (app := await store.find_artifact(ref, include_archived=include_archived))
        ]
    slugs = [slug] if slug is not None else None
    found = await store.variants(
        artifact_ids=artifact_ids, slugs=slugs, include_archived=include_archived
    )
    wanted_ids = {ref.id for ref in variants or [] if ref.id is not None}
    wanted_slugs = {ref.slug for ref in variants or [] if ref.slug is not None}
    if not wanted_ids and not wanted_slugs:
        return found
    return [v for v in found if v.id in wanted_ids or v.slug in wanted_slugs]


async def require_variant(
    scope: Scope,
    reference: Reference,
    *,
    application: Reference | None,
    field: str = "application_variant_ref",
) -> ApplicationVariant:
    """The referenced variant; a slug needs the application. 404 names the reference."""
    artifact_id = None
    if reference.id is None:
        if application is None:
            raise AppError(f"{field}: a variant slug needs an application_ref too")
        artifact_id = (await require_application(scope, application)).id
    found = await scope.applications.find_variant(reference, artifact_id=artifact_id)
    if found is None:
        raise NotFound(f"{field}: no variant {reference.id or repr(reference.slug)}")
    return found


async def commit(
    scope: Scope,
    variant: ApplicationVariant,
    *,
    data: dict[str, Any],
    message: str = "",
    slug: str | None = None,
) -> ApplicationRevision:
    """A new revision of ``variant``: its latest data updated with ``data``'s top-level keys."""
    if variant.deleted_at is not None:
        raise AppError(f"variant {variant.slug!r} is archived: unarchive it before committing")
    if data.get("url") is not None:
        check_url(data["url"], "application_revision.data.url")
    store = scope.applications
    latest = await store.latest(variant, include_archived=True)
    merged = {**(latest.data if latest else {}), **data}
    revision = await store.commit(
        variant, data=merged, actor_id=scope.actor_id, message=message, slug=slug
    )
    await changes.variant_committed(scope, variant, revision)
    return revision


async def fork(
    scope: Scope,
    source: ApplicationRevision,
    *,
    slug: str | None,
    name: str | None = None,
    message: str | None = None,
) -> tuple[ApplicationVariant, ApplicationRevision]:
    """A new variant starting from ``source`` (any revision of any variant of the app)."""
    store = scope.applications
    origin = await store.variant(source.variant_id)
    label = f"{origin.slug} v{source.version}" if origin else str(source.id)
    variant, revision = await store.fork(
        source,
        slug=slug,
        actor_id=scope.actor_id,
        message=message or f"Forked from {label}",
        name=name,
    )
    await changes.variant_committed(scope, variant, revision)
    return variant, revision


async def get_revision(scope: Scope, revision_id: uuid.UUID) -> ApplicationRevision:
    """The revision with this id (archived too); 404 otherwise."""
    found = await scope.applications.revision(revision_id)
    if found is None:
        raise NotFound(f"revision {revision_id} not found")
    return found


async def history(
    scope: Scope, variant: ApplicationVariant, *, include_archived: bool = False
) -> list[ApplicationRevision]:
    """The variant's revisions, newest first."""
    return await scope.applications.log(variant, include_archived=include_archived)


async def update_variant(
    scope: Scope, variant: ApplicationVariant, header: dict[str, Any]
) -> ApplicationVariant:
    """Rename or describe a variant (slug, name, description)."""
    allowed = {key: header.get(key) for key in ("slug", "name", "description")}
    await scope.applications.update_variant(variant, allowed, actor_id=scope.actor_id)
    scope.registry_changed()
    return variant


async def set_variant_archived(scope: Scope, variant: ApplicationVariant, archived: bool) -> None:
    """Archive or restore a variant (its revisions keep resolving by id)."""
    await scope.applications.set_archived(variant, archived, actor_id=scope.actor_id)
    scope.registry_changed()


async def set_revision_archived(
    scope: Scope, revision: ApplicationRevision, archived: bool
) -> None:
    """Archive or restore one revision (it keeps resolving by id)."""
    await scope.applications.set_archived(revision, archived, actor_id=scope.actor_id)
    scope.registry_changed()


def diff(old: ApplicationRevision, new: ApplicationRevision) -> list[FieldRow]:
    """Field-by-field comparison of two revisions of the same application."""
    if old.artifact_id != new.artifact_id:
        raise AppError("the two revisions belong to different applications")
    return compare_fields(old.data, new.data)
