"""Environments API: the project's deployment targets and their history.

- ``POST /api/simple/environments/`` creates one (``flags.is_guarded`` protects it);
- ``POST /api/simple/environments/query`` lists them with what each deploys (``data``);
- ``GET|PUT /api/simple/environments/{id}``, ``POST .../{id}/archive|unarchive|guard|unguard``;
- ``POST /api/environments/revisions/log``: history, newest first, each with its ``changes``;
- ``POST /api/environments/revisions/retrieve``: one state (current, or a version/id);
- ``POST /api/environments/revisions/rollback``: restore an older state as a new revision.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from agenta.core.access.errors import PermissionDenied
from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.registry import environments
from agenta.core.registry.api.bodies import (
    EnvironmentEnvelope,
    EnvironmentLog,
    EnvironmentQuery,
    EnvironmentRollback,
)
from agenta.core.registry.api.common import (
    envelope,
    listing,
    reference,
    references,
    required,
    required_reference,
)
from agenta.core.registry.authors import author_names
from agenta.core.registry.deployments import history_with_changes
from agenta.core.registry.models import EnvironmentArtifact, EnvironmentRevision
from agenta.core.registry.scope import Scope
from agenta.core.registry.serialize import environment_record, environment_revision_record
from agenta.core.revisions.references import Reference
from agenta.errors import AppError, NotFound

VIEW = [requires(Permission.VIEW_ENVIRONMENTS)]
EDIT = [requires(Permission.EDIT_ENVIRONMENTS)]
GUARD = [requires(Permission.DEPLOY_ENVIRONMENTS)]
TAGS = ["environments"]


@post("/api/simple/environments/", guards=EDIT, status_code=200, tags=TAGS)
async def create_environment(
    registry: NamedDependency[Scope], data: JSONBody[EnvironmentEnvelope]
) -> dict[str, Any]:
    """Create an environment with nothing deployed."""
    fields = required(data.environment, "environment")
    guarded = bool((fields.flags or {}).get("is_guarded"))
    if guarded and not registry.can(Permission.DEPLOY_ENVIRONMENTS):
        raise PermissionDenied(
            "creating a protected environment needs the deploy_environments permission"
        )
    head = await environments.create_environment(
        registry,
        slug=required(fields.slug, "environment.slug"),
        name=fields.name,
        description=fields.description,
        guarded=guarded,
    )
    return envelope("environment", environment_record(head))


@post("/api/simple/environments/query", guards=VIEW, status_code=200, tags=TAGS)
async def query_environments(
    registry: NamedDependency[Scope], data: JSONBody[EnvironmentQuery]
) -> dict[str, Any]:
    """Environments, each with its current deployment map under ``data.references``."""
    refs = references(data.environment_refs, "environment_refs")
    if data.environment is not None and data.environment.slug:
        refs.append(Reference(slug=data.environment.slug))
    heads = await environments.list_environments(
        registry, include_archived=data.include_archived, references=refs or None
    )
    return listing("environments", [environment_record(head) for head in heads])


@get("/api/simple/environments/{environment_id:uuid}", guards=VIEW, tags=TAGS)
async def read_environment(
    registry: NamedDependency[Scope], environment_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """One environment with its current deployment map."""
    environment = await _environment(registry, environment_id)
    return await _answer(registry, environment)


@put("/api/simple/environments/{environment_id:uuid}", guards=EDIT, tags=TAGS)
async def edit_environment(
    registry: NamedDependency[Scope],
    environment_id: FromPath[uuid.UUID],
    data: JSONBody[EnvironmentEnvelope],
) -> dict[str, Any]:
    """Rename or describe an environment (the slug is fixed)."""
    fields = required(data.environment, "environment")
    environment = await _environment(registry, environment_id)
    header = {"slug": fields.slug, "name": fields.name, "description": fields.description}
    await environments.update_environment(registry, environment, header)
    return await _answer(registry, environment)


@post(
    "/api/simple/environments/{environment_id:uuid}/archive",
    guards=EDIT,
    status_code=200,
    tags=TAGS,
)
async def archive_environment(
    registry: NamedDependency[Scope], environment_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """Archive an environment: it no longer serves configs by slug."""
    environment = await _environment(registry, environment_id)
    await environments.set_environment_archived(registry, environment, True)
    return await _answer(registry, environment)


@post(
    "/api/simple/environments/{environment_id:uuid}/unarchive",
    guards=EDIT,
    status_code=200,
    tags=TAGS,
)
async def unarchive_environment(
    registry: NamedDependency[Scope], environment_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """Restore an archived environment."""
    environment = await _environment(registry, environment_id)
    await environments.set_environment_archived(registry, environment, False)
    return await _answer(registry, environment)


@post(
    "/api/simple/environments/{environment_id:uuid}/guard", guards=GUARD, status_code=200, tags=TAGS
)
async def guard_environment(
    registry: NamedDependency[Scope], environment_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """Protect an environment: deploys and rollbacks then need deploy_environments."""
    environment = await _environment(registry, environment_id)
    await environments.set_guarded(registry, environment, True)
    return await _answer(registry, environment)


@post(
    "/api/simple/environments/{environment_id:uuid}/unguard",
    guards=GUARD,
    status_code=200,
    tags=TAGS,
)
async def unguard_environment(
    registry: NamedDependency[Scope], environment_id: FromPath[uuid.UUID]
) -> dict[str, Any]:
    """Lift an environment's protection."""
    environment = await _environment(registry, environment_id)
    await environments.set_guarded(registry, environment, False)
    return await _answer(registry, environment)


@post("/api/environments/revisions/log", guards=VIEW, status_code=200, tags=TAGS)
async def log_environment(
    registry: NamedDependency[Scope], data: JSONBody[EnvironmentLog]
) -> dict[str, Any]:
    """Who deployed what, when: the environment's revisions, newest first."""
    environment = await environments.require_environment(
        registry, required_reference(data.environment_ref, "environment_ref")
    )
    entries = await history_with_changes(registry, environment, limit=data.limit)
    names = await author_names(
        registry.session, [entry.revision.created_by_id for entry in entries]
    )
    records = [
        {
            **environment_revision_record(entry.revision, environment, names),
            "changes": [change.as_dict() for change in entry.changes],
        }
        for entry in entries
    ]
    return listing("environment_revisions", records)


@post("/api/environments/revisions/retrieve", guards=VIEW, status_code=200, tags=TAGS)
async def retrieve_environment(
    registry: NamedDependency[Scope], data: JSONBody[EnvironmentRollback]
) -> dict[str, Any]:
    """One state of an environment: the current one, or ``environment_revision_ref``."""
    environment = await environments.require_environment(
        registry, required_reference(data.environment_ref, "environment_ref")
    )
    pinned = reference(data.environment_revision_ref, "environment_revision_ref")
    revision = await _state(registry, environment, pinned)
    if revision is None:
        return {"count": 0, "environment_revision": None}
    return await _revision_envelope(registry, revision, environment)


@post("/api/environments/revisions/rollback", guards=EDIT, status_code=200, tags=TAGS)
async def rollback_environment(
    registry: NamedDependency[Scope], data: JSONBody[EnvironmentRollback]
) -> dict[str, Any]:
    """Restore an older state (``environment_revision_ref.version`` or ``.id``)."""
    environment = await environments.require_environment(
        registry, required_reference(data.environment_ref, "environment_ref")
    )
    pinned = required_reference(data.environment_revision_ref, "environment_revision_ref")
    target = await _state(registry, environment, pinned)
    if target is None:
        raise NotFound("environment_revision_ref: no such revision of this environment")
    revision = await environments.rollback(
        registry, environment, target.version, message=data.message
    )
    return await _revision_envelope(registry, revision, environment)


async def _environment(registry: Scope, environment_id: uuid.UUID) -> EnvironmentArtifact:
    found = await registry.environments.artifact(environment_id)
    if found is None:
        raise NotFound(f"environment {environment_id} not found")
    return found


async def _state(
    registry: Scope, environment: EnvironmentArtifact, pinned: Reference | None
) -> EnvironmentRevision | None:
    head = await environments.head_of(registry, environment)
    if pinned is None:
        return head.revision
    if pinned.id is not None:
        found = await registry.environments.revision(pinned.id)
        return found if found is not None and found.artifact_id == environment.id else None
    if pinned.version is None:
        raise AppError("environment_revision_ref needs an id or a version")
    return await registry.environments.revision_at(head.variant, pinned.version)


async def _revision_envelope(
    registry: Scope, revision: EnvironmentRevision, environment: EnvironmentArtifact
) -> dict[str, Any]:
    names = await author_names(registry.session, [revision.created_by_id])
    return envelope(
        "environment_revision", environment_revision_record(revision, environment, names)
    )


ROUTES = [
    create_environment,
    query_environments,
    read_environment,
    edit_environment,
    archive_environment,
    unarchive_environment,
    guard_environment,
    unguard_environment,
    log_environment,
    retrieve_environment,
    rollback_environment,
]


async def _answer(registry: Scope, environment: Any) -> dict[str, Any]:
    """The envelope every environment route answers with: the environment's current head."""
    record = environment_record(await environments.head_of(registry, environment))
    return envelope("environment", record)
