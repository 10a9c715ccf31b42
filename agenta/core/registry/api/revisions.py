"""Revisions API: commit, retrieve (the config fetch the SDK makes), log, deploy, diff, archive.

- ``POST /api/applications/revisions/commit`` commits ``application_revision.data`` on
  ``application_variant_id`` (top-level keys not given are kept from the previous revision);
- ``POST /api/applications/revisions/retrieve`` resolves references (see ``resolution``) through
  the config cache; a miss is ``200 {"count": 0, "application_revision": null}``;
- ``POST /api/applications/revisions/log`` lists a variant's revisions, newest first;
- ``POST /api/applications/revisions/deploy`` deploys the referenced revision to
  ``environment_ref`` (a new environment revision);
- ``POST /api/applications/revisions/diff`` compares two revisions field by field;
- ``GET /api/applications/revisions/{id}``, ``POST .../{id}/archive|unarchive``.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.registry import configs, environments, variants
from agenta.core.registry.api.bodies import (
    RevisionCommit,
    RevisionDeploy,
    RevisionDiff,
    RevisionLog,
    RevisionRetrieve,
)
from agenta.core.registry.api.common import (
    envelope,
    listing,
    reference,
    required,
    required_reference,
    scope_opener,
)
from agenta.core.registry.authors import author_names
from agenta.core.registry.resolution import ConfigQuery, Resolved, resolve
from agenta.core.registry.runtime import runtime_of
from agenta.core.registry.scope import Scope
from agenta.core.registry.serialize import (
    environment_revision_record,
    resolved_record,
    revision_record,
)
from agenta.core.revisions.references import Reference
from agenta.deps import platform_of
from agenta.errors import AppError, NotFound

VIEW = [requires(Permission.VIEW_APPLICATIONS)]
EDIT = [requires(Permission.EDIT_APPLICATIONS)]
DEPLOY = [requires(Permission.VIEW_APPLICATIONS, Permission.EDIT_ENVIRONMENTS)]
TAGS = ["revisions"]


@post("/api/applications/revisions/commit", guards=EDIT, status_code=200, tags=TAGS)
async def commit_revision(
    registry: NamedDependency[Scope], data: JSONBody[RevisionCommit]
) -> dict[str, Any]:
    """Commit a new revision on a variant; answers the revision."""
    fields = required(
        data.application_revision or data.application_revision_commit, "application_revision"
    )
    variant_id = required(
        fields.application_variant_id or fields.variant_id,
        "application_revision.application_variant_id",
    )
    variant = await variants.get_variant(registry, variant_id)
    application_id = fields.application_id or fields.artifact_id
    if application_id is not None and application_id != variant.artifact_id:
        raise AppError("application_revision.application_id is not the variant's application")
    revision = await variants.commit(
        registry,
        variant,
        data=required(fields.data, "application_revision.data"),
        message=fields.message or "",
        slug=fields.slug,
    )
    resolved = await resolve(registry, ConfigQuery(revision=Reference(id=revision.id)))
    assert resolved is not None
    names = await author_names(registry.session, [revision.created_by_id])
    return envelope("application_revision", resolved_record(resolved, names))


def render_retrieved(resolved: Resolved | None, names: dict[Any, str]) -> dict[str, Any]:
    """The retrieve envelope; the environment's revision is added when resolved through one."""
    if resolved is None:
        return {"count": 0, "application_revision": None}
    body = envelope("application_revision", resolved_record(resolved, names))
    if resolved.environment is not None and resolved.environment_revision is not None:
        body["environment_revision"] = environment_revision_record(
            resolved.environment_revision, resolved.environment, names
        )
    return body


@post("/api/applications/revisions/retrieve", guards=VIEW, status_code=200, tags=TAGS)
async def retrieve_revision(
    principal: NamedDependency[Principal],
    request: Request[Any, Any, Any],
    data: JSONBody[RevisionRetrieve],
) -> Response[bytes]:
    """The revision that references point at: by environment + key, variant (+version), id."""
    query = ConfigQuery(
        application=reference(data.application_ref, "application_ref"),
        variant=reference(data.application_variant_ref, "application_variant_ref"),
        revision=reference(data.application_revision_ref, "application_revision_ref"),
        environment=reference(data.environment_ref, "environment_ref"),
        environment_revision=reference(data.environment_revision_ref, "environment_revision_ref"),
        key=data.key or None,
        include_archived=data.include_archived,
    )
    cached = await configs.fetch(
        principal.project_id,
        runtime_of(platform_of(request)),
        query,
        shape="retrieve",
        render=render_retrieved,
        open_scope=scope_opener(principal, platform_of(request)),
    )
    return Response(cached.body, media_type="application/json", headers={"ETag": cached.etag})


@post("/api/applications/revisions/log", guards=VIEW, status_code=200, tags=TAGS)
async def log_revisions(
    registry: NamedDependency[Scope], data: JSONBody[RevisionLog]
) -> dict[str, Any]:
    """A variant's history, newest first."""
    fields = data.application_revisions
    variant_id = fields and (fields.application_variant_id or fields.variant_id)
    if variant_id:
        variant = await variants.get_variant(registry, variant_id)
    else:
        variant = await variants.require_variant(
            registry,
            required_reference(data.application_variant_ref, "application_variant_ref"),
            application=reference(data.application_ref, "application_ref"),
        )
    application = await registry.applications.artifact(variant.artifact_id)
    assert application is not None
    found = await variants.history(registry, variant, include_archived=data.include_archived)
    names = await author_names(registry.session, [revision.created_by_id for revision in found])
    records = [revision_record(revision, variant, application, names) for revision in found]
    return listing("application_revisions", records)


@post("/api/applications/revisions/deploy", guards=DEPLOY, status_code=200, tags=TAGS)
async def deploy_revision(
    registry: NamedDependency[Scope], data: JSONBody[RevisionDeploy]
) -> dict[str, Any]:
    """Deploy the referenced revision to ``environment_ref``."""
    environment = await environments.require_environment(
        registry, required_reference(data.environment_ref, "environment_ref")
    )
    resolved = await resolve(
        registry,
        ConfigQuery(
            application=reference(data.application_ref, "application_ref"),
            variant=reference(data.application_variant_ref, "application_variant_ref"),
            revision=reference(data.application_revision_ref, "application_revision_ref"),
        ),
    )
    if resolved is None:
        raise NotFound("the revision to deploy was not found")
    environment_revision = await environments.deploy(
        registry,
        environment,
        resolved.application,
        resolved.revision,
        variant_slug=resolved.variant.slug,
        message=data.message,
    )
    names = await author_names(
        registry.session, [resolved.revision.created_by_id, registry.actor_id]
    )
    return {
        **envelope("application_revision", resolved_record(resolved, names)),
        "environment_revision": environment_revision_record(
            environment_revision, environment, names
        ),
    }


@post("/api/applications/revisions/diff", guards=VIEW, status_code=200, tags=TAGS)
async def diff_revisions(
    registry: NamedDependency[Scope], data: JSONBody[RevisionDiff]
) -> dict[str, Any]:
    """Every field of two revisions of one application, with ``same``/``changed``/``added``/
    ``removed``."""
    old_ref = required_reference(data.old_revision_ref, "old_revision_ref")
    new_ref = required_reference(data.new_revision_ref, "new_revision_ref")
    old = await variants.get_revision(registry, required(old_ref.id, "old_revision_ref.id"))
    new = await variants.get_revision(registry, required(new_ref.id, "new_revision_ref.id"))
    rows = variants.diff(old, new)
    return {
        "count": len(rows),
        "old_revision_id": str(old.id),
        "new_revision_id": str(new.id),
        "fields": [
            {"path": row.path, "status": row.status, "old": row.old, "new": row.new} for row in rows
        ],
    }


@get("/api/applications/revisions/{revision_id:uuid}", guards=VIEW, tags=TAGS)
async def read_revision(
    registry: NamedDependency[Scope], revision_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """One revision by id, archived or not."""
    return await _revision_envelope(registry, revision_id)


@post(
    "/api/applications/revisions/{revision_id:uuid}/archive",
    guards=EDIT,
    status_code=200,
    tags=TAGS,
)
async def archive_revision(
    registry: NamedDependency[Scope], revision_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """Archive a revision: hidden from logs and "latest", still resolvable by id."""
    await variants.set_revision_archived(
        registry, await variants.get_revision(registry, revision_id), True
    )
    return await _revision_envelope(registry, revision_id)


@post(
    "/api/applications/revisions/{revision_id:uuid}/unarchive",
    guards=EDIT,
    status_code=200,
    tags=TAGS,
)
async def unarchive_revision(
    registry: NamedDependency[Scope], revision_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """Restore an archived revision."""
    await variants.set_revision_archived(
        registry, await variants.get_revision(registry, revision_id), False
    )
    return await _revision_envelope(registry, revision_id)


async def _revision_envelope(registry: Scope, revision_id: uuid.UUID) -> dict[str, Any]:
    resolved = await resolve(registry, ConfigQuery(revision=Reference(id=revision_id)))
    if resolved is None:
        raise NotFound(f"revision {revision_id} not found")
    names = await author_names(registry.session, [resolved.revision.created_by_id])
    return envelope("application_revision", resolved_record(resolved, names))


ROUTES = [
    commit_revision,
    retrieve_revision,
    log_revisions,
    deploy_revision,
    diff_revisions,
    read_revision,
    archive_revision,
    unarchive_revision,
]
