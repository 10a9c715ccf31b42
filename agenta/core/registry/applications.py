"""Applications: create, find, list, update, archive.

Creating an application creates its first variant and commits its first revision in one go, so
a new application always has a configuration to fetch, run and deploy. The first variant gets
the slug the caller asks for; API clients that give none get a random one, as the official SDK
expects (a later ``VariantManager.create(variant_slug="default")`` must not collide with it).

An ``AppHead`` is an application seen through its default variant (the oldest one not archived)
and that variant's latest revision: what the "simple" API and the app list show.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from agenta.core.registry import changes
from agenta.core.registry.models import (
    ApplicationArtifact,
    ApplicationRevision,
    ApplicationVariant,
)
from agenta.core.registry.scope import Scope
from agenta.core.registry.templates import AppType, app_type_of, check_url, flags_for, initial_data
from agenta.core.revisions.references import Reference
from agenta.errors import NotFound

INITIAL_MESSAGE = "Initial commit"


@dataclass(frozen=True)
class AppHead:
    application: ApplicationArtifact
    variant: ApplicationVariant | None
    revision: ApplicationRevision | None


async def create_application(
    scope: Scope,
    *,
    slug: str,
    app_type: AppType | None = None,
    flags: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    url: str | None = None,
    variant_slug: str | None = None,
    name: str | None = None,
    description: str | None = None,
    tags: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> AppHead:
    """A new application with one variant and its first revision."""
    app_type = app_type or app_type_of(flags)
    all_flags = {**flags_for(app_type), **(flags or {})}
    store = scope.applications
    application = await store.create_artifact(
        slug=slug,
        actor_id=scope.actor_id,
        name=name,
        description=description,
        flags=all_flags,
        tags=tags,
        meta=meta,
    )
    variant = await store.create_variant(application, slug=variant_slug, actor_id=scope.actor_id)
    first_data = _checked_data(data) if data else initial_data(app_type, url)
    revision = await store.commit(
        variant, data=first_data, actor_id=scope.actor_id, message=INITIAL_MESSAGE
    )
    await changes.application_created(scope, application)
    return AppHead(application, variant, revision)


async def get_application(scope: Scope, application_id: uuid.UUID) -> ApplicationArtifact:
    """The application with this id (archived too); 404 otherwise."""
    found = await scope.applications.artifact(application_id)
    if found is None:
        raise NotFound(f"application {application_id} not found")
    return found


async def find_application(
    scope: Scope, reference: Reference, *, include_archived: bool = False
) -> ApplicationArtifact | None:
    """The application a reference points at (by id, else by slug)."""
    return await scope.applications.find_artifact(reference, include_archived=include_archived)


async def require_application(
    scope: Scope, reference: Reference, field: str = "application_ref"
) -> ApplicationArtifact:
    """Like ``find_application``, but a 404 naming the reference when nothing matches."""
    found = await find_application(scope, reference)
    if found is None:
        raise NotFound(f"{field}: no application {_describe(reference)}")
    return found


async def head_of(scope: Scope, application: ApplicationArtifact) -> AppHead:
    """The application with its default variant and that variant's latest revision."""
    store = scope.applications
    variant = await store.default_variant(application)
    revision = await store.latest(variant) if variant is not None else None
    return AppHead(application, variant, revision)


async def application_slugs(scope: Scope) -> dict[uuid.UUID, str]:
    """The project's live applications, id to slug, oldest first: what a form scoped to one
    application (an alert rule, a webhook) offers."""
    return {app.id: app.slug for app in await scope.applications.artifacts()}


async def list_applications(
    scope: Scope,
    *,
    include_archived: bool = False,
    references: list[Reference] | None = None,
    slug: str | None = None,
    flags: dict[str, Any] | None = None,
) -> list[AppHead]:
    """Applications (oldest first) with their heads, filtered by references, slug and flags."""
    store = scope.applications
    ids = [ref.id for ref in references or [] if ref.id is not None] or None
    slugs = [ref.slug for ref in references or [] if ref.slug is not None] or None
    if slug is not None:
        slugs = [slug]
    found = await store.artifacts(include_archived=include_archived, ids=ids, slugs=slugs)
    found = [app for app in found if _has_flags(app.flags, flags)]
    variants = await store.variants(artifact_ids=[app.id for app in found])
    first_variant: dict[uuid.UUID, ApplicationVariant] = {}
    for variant in variants:
        first_variant.setdefault(variant.artifact_id, variant)
    latest = await store.latest_of([variant.id for variant in first_variant.values()])
    heads = []
    for app in found:
        variant = first_variant.get(app.id)
        heads.append(AppHead(app, variant, latest.get(variant.id) if variant else None))
    return heads


async def update_application(
    scope: Scope,
    application: ApplicationArtifact,
    header: dict[str, Any],
    *,
    data: dict[str, Any] | None = None,
    message: str | None = None,
) -> AppHead:
    """Change the header; new ``data`` is committed on the default variant when it differs."""
    store = scope.applications
    await store.update_artifact(application, header, actor_id=scope.actor_id)
    scope.registry_changed()
    head = await head_of(scope, application)
    if data is None or head.variant is None:
        return head
    merged = {**(head.revision.data if head.revision else {}), **_checked_data(data)}
    if head.revision is not None and merged == head.revision.data:
        return head
    revision = await store.commit(
        head.variant, data=merged, actor_id=scope.actor_id, message=message or ""
    )
    await changes.variant_committed(scope, head.variant, revision)
    return AppHead(application, head.variant, revision)


async def set_application_archived(
    scope: Scope, application: ApplicationArtifact, archived: bool
) -> None:
    """Archive (hide) or restore an application; its revisions still resolve by id."""
    if (application.deleted_at is not None) == archived:
        return
    await scope.applications.set_archived(application, archived, actor_id=scope.actor_id)
    if archived:
        await changes.application_archived(scope, application)
    else:
        await changes.application_unarchived(scope, application)


def _checked_data(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("url") is not None:
        check_url(data["url"], "data.url")
    return dict(data)


def _has_flags(flags: dict[str, Any], wanted: dict[str, Any] | None) -> bool:
    return all(flags.get(key, False) == value for key, value in (wanted or {}).items())


def _describe(reference: Reference) -> str:
    if reference.id is not None:
        return f"with id {reference.id}"
    return f"with slug {reference.slug!r}"
