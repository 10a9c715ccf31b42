"""``Scope``: the project, the actor and the transaction a registry operation runs in.

Every service function takes a scope first. It carries the session (the caller's transaction,
never committed here), the project every query is confined to, who acts (the author of commits
and deployments), what they may do (``None`` for trusted system code such as project-created
hooks), the change feed that invalidates config caches once the transaction commits, and the
job queue that publishes the events the changes record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.registry.invalidation import ChangeFeed
from agenta.core.registry.models import (
    APPLICATIONS,
    ENVIRONMENTS,
    ApplicationArtifact,
    ApplicationRevision,
    ApplicationVariant,
    EnvironmentArtifact,
    EnvironmentRevision,
    EnvironmentVariant,
)
from agenta.core.revisions.store import RevisionStore
from agenta.jobs.queue import JobQueue

ApplicationStore = RevisionStore[ApplicationArtifact, ApplicationVariant, ApplicationRevision]
EnvironmentStore = RevisionStore[EnvironmentArtifact, EnvironmentVariant, EnvironmentRevision]


@dataclass(frozen=True)
class Scope:
    session: AsyncSession
    project_id: uuid.UUID
    actor_id: uuid.UUID | None = None
    permissions: frozenset[Permission] | None = None
    feed: ChangeFeed | None = None
    principal: Principal | None = None
    queue: JobQueue | None = None

    @classmethod
    def of(
        cls,
        session: AsyncSession,
        principal: Principal,
        feed: ChangeFeed | None,
        queue: JobQueue | None = None,
    ) -> Scope:
        """The scope of a request made by ``principal`` (``queue`` publishes its events)."""
        return cls(
            session=session,
            project_id=principal.project_id,
            actor_id=principal.user_id,
            permissions=principal.permissions,
            feed=feed,
            principal=principal,
            queue=queue,
        )

    def can(self, permission: Permission) -> bool:
        """True when the actor has ``permission`` (system code has every permission)."""
        return self.permissions is None or permission in self.permissions

    @property
    def applications(self) -> ApplicationStore:
        return RevisionStore(self.session, APPLICATIONS, self.project_id)

    @property
    def environments(self) -> EnvironmentStore:
        return RevisionStore(self.session, ENVIRONMENTS, self.project_id)

    def registry_changed(self) -> None:
        """Invalidate this project's cached configs once the transaction commits."""
        if self.feed is not None:
            self.feed.changed(self.session, self.project_id)
