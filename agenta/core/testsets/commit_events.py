"""Announcing a committed revision: ``testset.committed`` for the activity log and webhooks.

Every request that commits a revision (the REST and SDK APIs, uploads, rows added from traces,
the editor and the create form) calls ``announce_commit`` after ``commit_revision``, in the same
transaction: the event is in the outbox of ``agenta.core.events`` exactly when the revision
exists, with the request's principal as actor. ``commit_revision`` itself records nothing, since
fixtures and other features' set-up also commit revisions and no one acted there.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.events.service import Actor, EventType, record_event
from agenta.core.testsets.models import Testset, TestsetRevision
from agenta.jobs.queue import JobQueue


async def announce_commit(
    session: AsyncSession,
    actor: Actor,
    testset: Testset,
    revision: TestsetRevision,
    queue: JobQueue | None,
) -> None:
    """Record that ``actor`` committed ``revision`` of ``testset`` (event: test set committed)."""
    await record_event(
        session,
        project_id=testset.project_id,
        event_type=EventType.TESTSET_COMMITTED,
        data={
            "testset_id": testset.id,
            "testset_slug": testset.slug,
            "revision_id": revision.id,
            "version": revision.version,
            "message": revision.message,
            "row_count": revision.row_count,
            "name": testset.name,
        },
        actor=actor,
        queue=queue,
    )
