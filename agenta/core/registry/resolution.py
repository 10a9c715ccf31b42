"""Resolve references to one application revision: the heart of every config fetch.

A ``ConfigQuery`` is one of:

- by environment: ``environment`` (slug or id, optionally a version to read an older state) and
  the application, given as ``key = "<app_slug>.revision"`` (what the SDK sends) or as an
  ``application`` reference; the answer is what that environment revision deploys for the app;
- by revision id: that revision, archived or not;
- by variant: ``variant`` (id, or slug with ``application``) and optionally ``revision.version``;
  without a version the variant's newest revision;
- by application alone: the newest revision of its default (oldest unarchived) variant.

Inconsistent or incomplete references are a 400 naming the field; references that are valid but
match nothing resolve to ``None`` (the API answers ``{"count": 0, ...: null}``, which the SDK
treats as "not found" without raising).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from agenta.core.registry.environments import KEY_SUFFIX, entry_for, references_of
from agenta.core.registry.models import (
    ApplicationArtifact,
    ApplicationRevision,
    ApplicationVariant,
    EnvironmentArtifact,
    EnvironmentRevision,
)
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference
from agenta.errors import AppError


@dataclass(frozen=True, slots=True)
class ConfigQuery:
    """What a client asks for; hashable, so it doubles as the cache key."""

    application: Reference | None = None
    variant: Reference | None = None
    revision: Reference | None = None
    environment: Reference | None = None
    environment_revision: Reference | None = None
    key: str | None = None
    include_archived: bool = False


@dataclass(frozen=True)
class Resolved:
    application: ApplicationArtifact
    variant: ApplicationVariant
    revision: ApplicationRevision
    environment: EnvironmentArtifact | None = None
    environment_revision: EnvironmentRevision | None = None


def check_query(query: ConfigQuery) -> None:
    """Refuse incomplete or contradictory references with a 400 naming the field."""
    if query.environment is not None:
        if query.key is None and query.application is None:
            raise AppError(
                "environment_ref needs a key ('<app_slug>.revision') or an application_ref"
            )
        if query.key is not None and not query.key.endswith(KEY_SUFFIX):
            raise AppError(f"key must look like '<app_slug>{KEY_SUFFIX}', got {query.key!r}")
        return
    revision, variant = query.revision, query.variant
    if revision is not None and revision.id is None and variant is None:
        raise AppError("application_revision_ref.version needs an application_variant_ref")
    if variant is not None and variant.id is None and query.application is None:
        raise AppError("application_variant_ref.slug needs an application_ref")
    if query.application is None and variant is None and revision is None:
        raise AppError(
            "give an application_ref, application_variant_ref, application_revision_ref "
            "or environment_ref"
        )


async def resolve(scope: Scope, query: ConfigQuery) -> Resolved | None:
    """The application revision ``query`` points at, or None."""
    check_query(query)
    if query.environment is not None:
        return await _by_environment(scope, query)
    if query.revision is not None and query.revision.id is not None:
        revision = await scope.applications.revision(query.revision.id)
        return await _complete(scope, revision, query)
    if query.variant is not None:
        return await _by_variant(scope, query)
    assert query.application is not None
    store = scope.applications
    application = await store.find_artifact(
        query.application, include_archived=query.include_archived
    )
    variant = await store.default_variant(application) if application else None
    if variant is None:
        return None
    return await _complete(scope, await store.latest(variant), query)


async def _by_variant(scope: Scope, query: ConfigQuery) -> Resolved | None:
    assert query.variant is not None
    store = scope.applications
    artifact_id = None
    if query.variant.id is None:
        assert query.application is not None
        application = await store.find_artifact(
            query.application, include_archived=query.include_archived
        )
        if application is None:
            return None
        artifact_id = application.id
    variant = await store.find_variant(
        query.variant, artifact_id=artifact_id, include_archived=query.include_archived
    )
    if variant is None:
        return None
    version = query.revision.version if query.revision else query.variant.version
    if version is None:
        revision = await store.latest(variant, include_archived=query.include_archived)
    else:
        revision = await store.revision_at(variant, version)
    return await _complete(scope, revision, query)


async def _by_environment(scope: Scope, query: ConfigQuery) -> Resolved | None:
    assert query.environment is not None
    environment = await scope.environments.find_artifact(
        query.environment, include_archived=query.include_archived
    )
    if environment is None:
        return None
    environment_revision = await _environment_state(scope, environment, query)
    if environment_revision is None:
        return None
    application = await _application_of(scope, query)
    entry = entry_for(
        references_of(environment_revision),
        application_id=application.id if application else None,
        key=query.key,
    )
    revision_id = ((entry or {}).get("application_revision") or {}).get("id")
    if revision_id is None:
        return None
    revision = await scope.applications.revision(_uuid(revision_id))
    resolved = await _complete(scope, revision, query)
    if resolved is None:
        return None
    return Resolved(
        resolved.application, resolved.variant, resolved.revision, environment, environment_revision
    )


async def _environment_state(
    scope: Scope, environment: EnvironmentArtifact, query: ConfigQuery
) -> EnvironmentRevision | None:
    store = scope.environments
    pinned = query.environment_revision
    if pinned is not None and pinned.id is not None:
        revision = await store.revision(pinned.id)
        return revision if revision and revision.artifact_id == environment.id else None
    variant = await store.default_variant(environment)
    if variant is None:
        return None
    version = pinned.version if pinned else query.environment.version if query.environment else None
    if version is not None:
        return await store.revision_at(variant, version)
    return await store.latest(variant)


async def _application_of(scope: Scope, query: ConfigQuery) -> ApplicationArtifact | None:
    reference = query.application
    if reference is None and query.key is not None:
        reference = Reference(slug=query.key.removesuffix(KEY_SUFFIX))
    if reference is None:
        return None
    return await scope.applications.find_artifact(reference, include_archived=True)


async def _complete(
    scope: Scope, revision: ApplicationRevision | None, query: ConfigQuery
) -> Resolved | None:
    """Load the revision's variant and application, checking any references given for them."""
    if revision is None:
        return None
    store = scope.applications
    variant = await store.variant(revision.variant_id)
    application = await store.artifact(revision.artifact_id)
    assert variant is not None and application is not None
    if query.environment is None:
        _check_consistent(query.application, application.id, application.slug, "application_ref")
        _check_consistent(query.variant, variant.id, variant.slug, "application_variant_ref")
    return Resolved(application, variant, revision)


def _check_consistent(reference: Reference | None, id_: object, slug: str, field: str) -> None:
    if reference is None:
        return
    if (reference.id is not None and reference.id != id_) or (
        reference.slug is not None and reference.slug != slug
    ):
        raise AppError(f"{field} does not match the revision that the other references point at")


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise AppError(f"the environment holds a malformed revision id {value!r}") from None
