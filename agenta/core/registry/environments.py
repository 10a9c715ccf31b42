"""Environments: named deployment targets whose revisions are their deployment history.

Each project starts with ``development``, ``staging`` and ``production`` (``create_defaults`` is
a project-created hook); more can be added. An environment has one variant named like itself;
each of its revisions holds the complete map of what is deployed there::

    {"references": {"<app_slug>.revision": {"application": {id, slug},
                                            "application_variant": {id, slug},
                                            "application_revision": {id, slug, version}}}}

Deploying commits a new revision with one entry replaced; rolling back commits a new revision
that copies an older one's map, so history only grows and "who deployed what, when" is the log.
Entries are matched by application id, so renaming an application does not orphan its
deployments: the next deploy rewrites its key. A protected (``is_guarded``) environment accepts
deploys and rollbacks only from callers with the ``deploy_environments`` permission.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.errors import PermissionDenied
from agenta.core.access.permissions import Permission
from agenta.core.evaluations.gates import require_passed_evaluation
from agenta.core.registry import changes
from agenta.core.registry.models import (
    ApplicationArtifact,
    ApplicationRevision,
    EnvironmentArtifact,
    EnvironmentRevision,
    EnvironmentVariant,
)
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference
from agenta.errors import AppError, NotFound

DEFAULT_ENVIRONMENTS = ("development", "staging", "production")
KEY_SUFFIX = ".revision"


@dataclass(frozen=True)
class EnvironmentHead:
    environment: EnvironmentArtifact
    variant: EnvironmentVariant
    revision: EnvironmentRevision | None

    @property
    def references(self) -> dict[str, Any]:
        return references_of(self.revision)


def deployment_key(application_slug: str) -> str:
    """The map key under which an application's deployment is kept."""
    return application_slug + KEY_SUFFIX


def references_of(revision: EnvironmentRevision | None) -> dict[str, Any]:
    """The deployment map of an environment revision (empty for none)."""
    if revision is None:
        return {}
    return dict((revision.data or {}).get("references") or {})


def entry_for(
    references: dict[str, Any], *, application_id: uuid.UUID | None, key: str | None
) -> dict[str, Any] | None:
    """The deployment entry of an application: by its id, else by key."""
    if application_id is not None:
        wanted = str(application_id)
        for entry in references.values():
            if str((entry.get("application") or {}).get("id")) == wanted:
                return dict(entry)
    if key is not None and key in references:
        return dict(references[key])
    return None


async def create_environment(
    scope: Scope,
    *,
    slug: str,
    name: str | None = None,
    description: str | None = None,
    guarded: bool = False,
) -> EnvironmentHead:
    """A new environment with nothing deployed (its revision 1 holds an empty map)."""
    store = scope.environments
    environment = await store.create_artifact(
        slug=slug,
        actor_id=scope.actor_id,
        name=name,
        description=description,
        flags={"is_guarded": guarded},
    )
    variant = await store.create_variant(environment, slug=slug, actor_id=scope.actor_id)
    revision = await store.commit(
        variant, data={"references": {}}, actor_id=scope.actor_id, message="Created"
    )
    scope.registry_changed()
    return EnvironmentHead(environment, variant, revision)


async def create_defaults(
    session: AsyncSession, project_id: uuid.UUID, actor_id: uuid.UUID | None
) -> None:
    """Project-created hook: the development, staging and production environments."""
    scope = Scope(session=session, project_id=project_id, actor_id=actor_id)
    for slug in DEFAULT_ENVIRONMENTS:
        await create_environment(scope, slug=slug, name=slug.capitalize())


async def find_environment(
    scope: Scope, reference: Reference, *, include_archived: bool = False
) -> EnvironmentArtifact | None:
    """The environment a reference points at (by id, else by slug)."""
    return await scope.environments.find_artifact(reference, include_archived=include_archived)


async def require_environment(
    scope: Scope, reference: Reference, field: str = "environment_ref"
) -> EnvironmentArtifact:
    """Like ``find_environment``, but a 404 naming the reference when nothing matches."""
    found = await find_environment(scope, reference)
    if found is None:
        shown = reference.id or repr(reference.slug)
        raise NotFound(f"{field}: no environment {shown} in this project")
    return found


async def head_of(scope: Scope, environment: EnvironmentArtifact) -> EnvironmentHead:
    """The environment with its variant and current (latest) revision."""
    store = scope.environments
    variant = await store.default_variant(environment)
    if variant is None:
        raise AppError(f"environment {environment.slug!r} has no history")
    return EnvironmentHead(environment, variant, await store.latest(variant))


async def list_environments(
    scope: Scope,
    *,
    include_archived: bool = False,
    references: list[Reference] | None = None,
) -> list[EnvironmentHead]:
    """Environments, defaults first in pipeline order, then custom ones by creation."""
    store = scope.environments
    ids = [ref.id for ref in references or [] if ref.id is not None] or None
    slugs = [ref.slug for ref in references or [] if ref.slug is not None] or None
    found = await store.artifacts(include_archived=include_archived, ids=ids, slugs=slugs)
    variants = {
        variant.artifact_id: variant
        for variant in await store.variants(artifact_ids=[env.id for env in found])
    }
    latest = await store.latest_of([variant.id for variant in variants.values()])
    heads = [
        EnvironmentHead(env, variants[env.id], latest.get(variants[env.id].id))
        for env in found
        if env.id in variants
    ]
    return sorted(heads, key=_pipeline_order)


async def history(
    scope: Scope, environment: EnvironmentArtifact, *, limit: int | None = None
) -> list[EnvironmentRevision]:
    """The environment's revisions, newest first."""
    head = await head_of(scope, environment)
    return await scope.environments.log(head.variant, include_archived=True, limit=limit)


async def deploy(
    scope: Scope,
    environment: EnvironmentArtifact,
    application: ApplicationArtifact,
    revision: ApplicationRevision,
    *,
    variant_slug: str,
    message: str | None = None,
) -> EnvironmentRevision:
    """Point ``environment`` at ``revision`` for its application: a new environment revision.

    An environment with an evaluation gate refuses (409) a revision without a passed evaluation.
    """
    _check_may_change(scope, environment)
    await require_passed_evaluation(scope.session, scope.project_id, environment.id, revision.id)
    head = await head_of(scope, environment)
    references = {
        key: entry
        for key, entry in head.references.items()
        if str((entry.get("application") or {}).get("id")) != str(application.id)
    }
    key = deployment_key(application.slug)
    references[key] = {
        "application": {"id": str(application.id), "slug": application.slug},
        "application_variant": {"id": str(revision.variant_id), "slug": variant_slug},
        "application_revision": {
            "id": str(revision.id),
            "slug": revision.slug,
            "version": str(revision.version),
        },
    }
    summary = f"Deploy {application.slug} {variant_slug} v{revision.version}"
    committed = await scope.environments.commit(
        head.variant,
        data={"references": references},
        actor_id=scope.actor_id,
        message=message or summary,
    )
    await changes.environment_deployed(scope, environment, committed, key)
    return committed


async def rollback(
    scope: Scope,
    environment: EnvironmentArtifact,
    version: int,
    *,
    message: str | None = None,
) -> EnvironmentRevision:
    """Restore the deployment map of revision ``version``: a new environment revision."""
    _check_may_change(scope, environment)
    head = await head_of(scope, environment)
    store = scope.environments
    target = await store.revision_at(head.variant, version)
    if target is None:
        raise NotFound(f"environment {environment.slug!r} has no revision {version}")
    if head.revision is not None and target.id == head.revision.id:
        raise AppError(f"revision {version} is already the current state of {environment.slug!r}")
    committed = await store.commit(
        head.variant,
        data={"references": references_of(target)},
        actor_id=scope.actor_id,
        message=message or f"Roll back to revision {version}",
    )
    await changes.environment_rolled_back(scope, environment, committed, target)
    return committed


async def update_environment(
    scope: Scope, environment: EnvironmentArtifact, header: dict[str, Any]
) -> EnvironmentArtifact:
    """Rename or describe an environment (its slug is fixed: clients fetch by it)."""
    if header.get("slug") not in (None, environment.slug):
        raise AppError("environment.slug cannot change: clients fetch configs by it")
    header = {key: value for key, value in header.items() if key in {"name", "description"}}
    await scope.environments.update_artifact(environment, header, actor_id=scope.actor_id)
    return environment


async def set_guarded(scope: Scope, environment: EnvironmentArtifact, guarded: bool) -> None:
    """Protect an environment (or lift the protection); needs ``deploy_environments``."""
    if not scope.can(Permission.DEPLOY_ENVIRONMENTS):
        raise PermissionDenied("protecting environments needs the deploy_environments permission")
    flags = {**environment.flags, "is_guarded": guarded}
    await scope.environments.update_artifact(environment, {"flags": flags}, actor_id=scope.actor_id)


async def set_environment_archived(
    scope: Scope, environment: EnvironmentArtifact, archived: bool
) -> None:
    """Archive or restore an environment (archived ones serve no configs by slug)."""
    _check_may_change(scope, environment)
    await scope.environments.set_archived(environment, archived, actor_id=scope.actor_id)
    scope.registry_changed()


def is_guarded(environment: EnvironmentArtifact) -> bool:
    return bool((environment.flags or {}).get("is_guarded"))


def _check_may_change(scope: Scope, environment: EnvironmentArtifact) -> None:
    if is_guarded(environment) and not scope.can(Permission.DEPLOY_ENVIRONMENTS):
        raise PermissionDenied(
            f"environment {environment.slug!r} is protected: changing what is deployed there "
            "needs the deploy_environments permission"
        )


def _pipeline_order(head: EnvironmentHead) -> tuple[int, uuid.UUID]:
    slug = head.environment.slug
    rank = DEFAULT_ENVIRONMENTS.index(slug) if slug in DEFAULT_ENVIRONMENTS else 99
    return rank, head.environment.id
