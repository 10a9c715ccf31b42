"""The registry changes other features react to, one function each, called in the transaction.

Each function is the single place where its change is announced: it invalidates the project's
cached configs (after commit) and records the domain event in the same transaction (the outbox
of ``agenta.core.events``), so an event exists exactly when the change does and webhooks and the
activity log see every change. Changes that no one subscribes to (renames, new variants,
archived revisions) only call ``scope.registry_changed``.
"""

from __future__ import annotations

from typing import Any

from agenta.core.events.service import EventType, record_event
from agenta.core.registry.models import (
    ApplicationArtifact,
    ApplicationRevision,
    ApplicationVariant,
    EnvironmentArtifact,
    EnvironmentRevision,
)
from agenta.core.registry.scope import Scope


async def _announce(scope: Scope, event_type: EventType, data: dict[str, Any]) -> None:
    scope.registry_changed()
    await record_event(
        scope.session,
        project_id=scope.project_id,
        event_type=event_type,
        data=data,
        actor=scope.principal,
        queue=scope.queue,
    )


def _application(application: ApplicationArtifact) -> dict[str, Any]:
    return {
        "application_id": application.id,
        "application_slug": application.slug,
        "name": application.name or application.slug,
    }


async def application_created(scope: Scope, application: ApplicationArtifact) -> None:
    """An application was created (event: app created)."""
    await _announce(scope, EventType.APP_CREATED, _application(application))


async def application_archived(scope: Scope, application: ApplicationArtifact) -> None:
    """An application was archived (event: app archived)."""
    await _announce(scope, EventType.APP_ARCHIVED, _application(application))


async def application_unarchived(scope: Scope, application: ApplicationArtifact) -> None:
    """An archived application was restored (no event type: only the caches are refreshed)."""
    scope.registry_changed()


async def variant_committed(
    scope: Scope, variant: ApplicationVariant, revision: ApplicationRevision
) -> None:
    """A new revision was committed on a variant (event: variant committed)."""
    await _announce(
        scope,
        EventType.VARIANT_COMMITTED,
        {
            "application_id": variant.artifact_id,
            "variant_id": variant.id,
            "variant_slug": variant.slug,
            "revision_id": revision.id,
            "version": revision.version,
            "message": revision.message,
            "name": variant.slug,
        },
    )


def _environment(environment: EnvironmentArtifact, revision: EnvironmentRevision) -> dict[str, Any]:
    return {
        "environment": environment.slug,
        "environment_id": environment.id,
        "environment_version": revision.version,
        "name": environment.slug,
    }


async def environment_deployed(
    scope: Scope, environment: EnvironmentArtifact, revision: EnvironmentRevision, key: str
) -> None:
    """An application revision was deployed: ``revision`` is the environment's new state
    (event: environment deployed)."""
    deployed = ((revision.data or {}).get("references") or {}).get(key) or {}
    application = deployed.get("application") or {}
    data = {**_environment(environment, revision), "key": key, "deployed": deployed}
    if application.get("id"):
        data["application_id"] = application["id"]
    await _announce(scope, EventType.ENVIRONMENT_DEPLOYED, data)


async def environment_rolled_back(
    scope: Scope,
    environment: EnvironmentArtifact,
    revision: EnvironmentRevision,
    restored: EnvironmentRevision,
) -> None:
    """An environment was rolled back: ``revision`` copies the state of ``restored``
    (event: environment rolled back)."""
    data = {**_environment(environment, revision), "restored_version": restored.version}
    await _announce(scope, EventType.ENVIRONMENT_ROLLED_BACK, data)
