"""The registry changes other features react to, one function each, called in the transaction.

Each function is the single place where its change is announced: it invalidates the project's
cached configs (after commit) today, and it is where the webhooks feature will write its event
row, in the same transaction, so an event exists exactly when the change does. Changes that no
one subscribes to (renames, new variants, archived revisions) only call ``scope.registry_changed``.
"""

from __future__ import annotations

from agenta.core.registry.models import (
    ApplicationArtifact,
    ApplicationRevision,
    ApplicationVariant,
    EnvironmentArtifact,
    EnvironmentRevision,
)
from agenta.core.registry.scope import Scope


def application_created(scope: Scope, application: ApplicationArtifact) -> None:
    """An application was created (event: application created)."""
    scope.registry_changed()


def application_archived(scope: Scope, application: ApplicationArtifact) -> None:
    """An application was archived (event: application archived)."""
    scope.registry_changed()


def application_unarchived(scope: Scope, application: ApplicationArtifact) -> None:
    """An archived application was restored (event: application unarchived)."""
    scope.registry_changed()


def variant_committed(
    scope: Scope, variant: ApplicationVariant, revision: ApplicationRevision
) -> None:
    """A new revision was committed on a variant (event: variant committed)."""
    scope.registry_changed()


def environment_deployed(
    scope: Scope, environment: EnvironmentArtifact, revision: EnvironmentRevision, key: str
) -> None:
    """An application revision was deployed: ``revision`` is the environment's new state
    (event: environment deployed)."""
    scope.registry_changed()


def environment_rolled_back(
    scope: Scope,
    environment: EnvironmentArtifact,
    revision: EnvironmentRevision,
    restored: EnvironmentRevision,
) -> None:
    """An environment was rolled back: ``revision`` copies the state of ``restored``
    (event: environment rolled back)."""
    scope.registry_changed()
