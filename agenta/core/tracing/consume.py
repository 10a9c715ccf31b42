"""Storing queued messages: the step both queue consumers share.

`store_messages` writes the spans of several queue messages in the caller's transaction,
grouped by project so each project's spans go through one `write_spans` call. Spans of a
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
from agenta.core.tracing.messages import SpanMessage
from agenta.core.tracing.span import Span
from agenta.core.tracing.store import write_spans

log = logging.getLogger("agenta.tracing")


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    """How many spans were stored, and how many were dropped for a deleted project."""

    stored: int
    dropped: int


async def store_messages(session: AsyncSession, messages: Iterable[SpanMessage]) -> StoreOutcome:
    """Write the spans of `messages` in the caller's transaction (see the module doc)."""
    by_project: dict[uuid.UUID, list[Span]] = {}
    for message in messages:
        by_project.setdefault(message.project_id, []).extend(message.spans)
    if not by_project:
        return StoreOutcome(0, 0)
    live = await _existing_projects(session, by_project)
    stored = dropped = 0
    for project_id, spans in by_project.items():
        if project_id not in live:
            log.warning(
                "dropped spans of a deleted project",
                extra={"project_id": str(project_id), "spans": len(spans)},
            )
            dropped += len(spans)
            continue
        await write_spans(session, project_id, spans)
        stored += len(spans)
    return StoreOutcome(stored, dropped)


async def _existing_projects(
    session: AsyncSession, project_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    query = select(Project.id).where(Project.id.in_(list(project_ids)))
    return set((await session.scalars(query)).all())
