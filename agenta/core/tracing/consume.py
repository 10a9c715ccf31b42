"""Storing queued messages: the step both queue consumers share.

`store_messages` writes the rows of several queue messages in the caller's transaction,
grouped by project so each project's rows go through one `store_queued` call. Spans of a
project deleted while they waited are dropped (with a log line) rather than failing the
batch on the foreign key forever.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.accounts.models import Project
from agenta.core.tracing.messages import QueuedMessage, QueuedRow
from agenta.core.tracing.store import store_queued

log = logging.getLogger("agenta.tracing")


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    """How many spans were stored, and how many were dropped for a deleted project."""

    stored: int
    dropped: int


async def store_messages(session: AsyncSession, messages: Iterable[QueuedMessage]) -> StoreOutcome:
    """Write the rows of `messages` in the caller's transaction (see the module doc)."""
    by_project: dict[uuid.UUID, list[list[QueuedRow]]] = {}
    for message in messages:
        by_project.setdefault(message.project_id, []).append(message.rows)
    if not by_project:
        return StoreOutcome(0, 0)
    live = await _existing_projects(session, by_project)
    stored = dropped = 0
    for project_id, rows in by_project.items():
        count = sum(len(message_rows) for message_rows in rows)
        if project_id not in live:
            log.warning(
                "dropped spans of a deleted project",
                extra={"project_id": str(project_id), "spans": count},
            )
            dropped += count
            continue
        await store_queued(session, project_id, rows)
        stored += count
    return StoreOutcome(stored, dropped)


async def _existing_projects(
    session: AsyncSession, project_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    query = select(Project.id).where(Project.id.in_(list(project_ids)))
    return set((await session.scalars(query)).all())
