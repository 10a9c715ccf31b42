"""Retention: delete spans older than each project's `retention_days` (hourly cron).

A span is expired when it started before `now - retention_days`. Deletion goes by chunks
of traces, each in its own short transaction, so a project with millions of old spans
never holds a long lock (on SQLite, the single write lock ingestion also needs). A trace
that straddles the cut-off loses its early spans first; the rest follow an hour later.
Projects without a retention keep their spans forever.

Queue batches parked after repeated failures (embedded mode) are kept `PARKED_KEPT` for
an operator to look at, then deleted by the same cron.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from agenta.core.tracing.models import SpanBatch, SpanRecord, TracingSettings
from agenta.db import Database, utcnow

TRACES_PER_CHUNK = 1000
PARKED_KEPT = timedelta(days=7)

log = logging.getLogger("agenta.tracing")


async def delete_expired_spans(db: Database, now: datetime | None = None) -> int:
    """Apply every project's retention; returns the number of spans deleted."""
    now = now or utcnow()
    async with db.session() as session:
        query = select(TracingSettings.project_id, TracingSettings.retention_days).where(
            TracingSettings.retention_days.is_not(None)
        )
        policies = (await session.execute(query)).all()
    deleted = 0
    for project_id, days in policies:
        deleted += await delete_spans_before(db, project_id, now - timedelta(days=days))
    if deleted:
        log.info("deleted expired spans", extra={"spans": deleted})
    await delete_parked_batches(db, now - PARKED_KEPT)
    return deleted


async def delete_parked_batches(db: Database, cutoff: datetime) -> int:
    """Delete queue batches parked (failed for good) before `cutoff`."""
    async with db.session() as session:
        result = await session.execute(
            delete(SpanBatch).where(SpanBatch.failed_at.is_not(None), SpanBatch.failed_at < cutoff)
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def delete_spans_before(db: Database, project_id: uuid.UUID, cutoff: datetime) -> int:
    """Delete the project's spans that started before `cutoff`, chunk by chunk."""
    deleted = 0
    while True:
        async with db.session() as session:
            traces = (
                select(SpanRecord.trace_id)
                .where(SpanRecord.project_id == project_id, SpanRecord.start_time < cutoff)
                .distinct()
                .limit(TRACES_PER_CHUNK)
            )
            result = await session.execute(
                delete(SpanRecord).where(
                    SpanRecord.project_id == project_id,
                    SpanRecord.trace_id.in_(traces.scalar_subquery()),
                    SpanRecord.start_time < cutoff,
                )
            )
        count = int(result.rowcount or 0)  # type: ignore[attr-defined]
        deleted += count
        if count == 0:
            return deleted
