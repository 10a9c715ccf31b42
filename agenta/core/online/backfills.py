"""Asking for a backfill: a past window of traces evaluated by a rule, as a job.

The window must be in the past, its start before its end, and at most ``MAX_WINDOW`` long. The
job is enqueued in the caller's transaction with an idempotency key naming the rule and the
window, so asking twice for the same window runs it once; the claims make overlapping windows
(and the minute tick) evaluate each trace once anyway.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.online.jobs import BACKFILL_JOB
from agenta.core.online.models import ACTIVE, OnlineRule
from agenta.db import utcnow
from agenta.errors import AppError, Conflict
from agenta.jobs.queue import JobQueue

MAX_WINDOW = timedelta(days=90)


async def request_backfill(
    session: AsyncSession,
    rule: OnlineRule,
    since: datetime,
    until: datetime | None,
    queue: JobQueue,
) -> uuid.UUID | None:
    """Enqueue the backfill of ``[since, until]`` (until defaults to now); the job's id."""
    end = min(until or utcnow(), utcnow())
    if since.tzinfo is None or end.tzinfo is None:
        raise AppError("since and until need a time zone (for example Z)", status_code=422)
    if since >= end:
        raise AppError("since must be before until (and in the past)", status_code=422)
    if end - since > MAX_WINDOW:
        raise AppError(f"a backfill covers at most {MAX_WINDOW.days} days", status_code=422)
    if rule.status != ACTIVE:
        raise Conflict(f"rule {rule.name!r} is paused: resume it before a backfill")
    key = f"online:{rule.id}:backfill:{since.isoformat()}:{end.isoformat()}"
    return await queue.enqueue(
        BACKFILL_JOB,
        session=session,
        idempotency_key=key,
        rule_id=str(rule.id),
        since=since.isoformat(),
        until=end.isoformat(),
    )
