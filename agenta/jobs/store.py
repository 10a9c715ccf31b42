"""Database operations on the jobs table: accept, claim, renew, finish, retry, recover.

Claims are conditional updates (``UPDATE ... WHERE status = 'queued' ...``) so that, whatever the
number of runners and processes, one runner wins each job. Everything here is a short transaction
of its own.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.db import Database, utcnow
from agenta.jobs.models import FAILED, QUEUED, RUNNING, SUCCEEDED, Job


def to_json_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Job arguments are stored as JSON: UUIDs and datetimes become strings."""

    def default(value: Any) -> str:
        if isinstance(value, uuid.UUID | datetime):
            return str(value) if isinstance(value, uuid.UUID) else value.isoformat()
        raise TypeError(f"job argument of type {type(value).__name__} is not JSON serialisable")

    return json.loads(json.dumps(kwargs, default=default))


@dataclass(frozen=True)
class ClaimedJob:
    id: uuid.UUID
    name: str
    kwargs: dict[str, Any]
    attempt: int
    max_tries: int


async def insert_job(
    session: AsyncSession,
    name: str,
    kwargs: dict[str, Any],
    *,
    max_tries: int,
    delay: float = 0.0,
    idempotency_key: str | None = None,
) -> uuid.UUID | None:
    """Add a job row in the caller's transaction; None when the idempotency key already exists."""
    job = Job(
        name=name,
        kwargs=to_json_kwargs(kwargs),
        max_tries=max_tries,
        run_at=utcnow() + timedelta(seconds=delay),
        idempotency_key=idempotency_key,
    )
    if idempotency_key is None:
        session.add(job)
        await session.flush()
        return job.id
    try:
        async with session.begin_nested():
            session.add(job)
            await session.flush()
    except IntegrityError:
        return None
    return job.id


async def find_by_key(session: AsyncSession, key: str) -> uuid.UUID | None:
    return await session.scalar(select(Job.id).where(Job.idempotency_key == key))


async def claim(
    db: Database, job_id: uuid.UUID, worker: str, lease: float, *, force: bool = False
) -> ClaimedJob | None:
    """Take a job if it is runnable (or its runner's lease ran out); None if someone else has it."""
    now = utcnow()
    runnable = or_(
        Job.status == QUEUED,
        and_(Job.status == RUNNING, or_(Job.locked_until.is_(None), Job.locked_until < now)),
    )
    if force:
        runnable = Job.status.in_((QUEUED, RUNNING))
    async with db.session() as session:
        result = await session.execute(
            update(Job)
            .where(Job.id == job_id, runnable)
            .values(
                status=RUNNING,
                attempts=Job.attempts + 1,
                locked_until=now + timedelta(seconds=lease),
                locked_by=worker,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return None
        row = (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()
        return ClaimedJob(row.id, row.name, dict(row.kwargs), row.attempts, row.max_tries)


async def runnable_ids(db: Database, limit: int) -> list[uuid.UUID]:
    """Jobs due now, oldest first, including those whose runner stopped renewing its lease."""
    now = utcnow()
    async with db.session() as session:
        rows = await session.scalars(
            select(Job.id)
            .where(
                or_(
                    and_(Job.status == QUEUED, Job.run_at <= now),
                    and_(Job.status == RUNNING, Job.locked_until < now),
                )
            )
            .order_by(Job.run_at)
            .limit(limit)
        )
        return list(rows)


async def renew_lease(db: Database, job_id: uuid.UUID, worker: str, lease: float) -> None:
    async with db.session() as session:
        await session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == RUNNING, Job.locked_by == worker)
            .values(locked_until=utcnow() + timedelta(seconds=lease))
        )


async def mark_succeeded(db: Database, job_id: uuid.UUID) -> None:
    await _finish(db, job_id, SUCCEEDED, None)


async def mark_failed(db: Database, job_id: uuid.UUID, error: str) -> None:
    await _finish(db, job_id, FAILED, error)


async def mark_retry(db: Database, job_id: uuid.UUID, error: str, delay: float) -> None:
    async with db.session() as session:
        await session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status=QUEUED,
                last_error=error[:4000],
                run_at=utcnow() + timedelta(seconds=delay),
                locked_until=None,
                locked_by=None,
            )
        )


async def _finish(db: Database, job_id: uuid.UUID, status: str, error: str | None) -> None:
    now = utcnow()
    async with db.session() as session:
        await session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status=status,
                last_error=None if error is None else error[:4000],
                finished_at=now,
                locked_until=None,
            )
        )


async def get_job(db: Database, job_id: uuid.UUID) -> Job | None:
    async with db.session() as session:
        return await session.get(Job, job_id)


async def stale_ids(db: Database, older_than: float, limit: int = 500) -> list[uuid.UUID]:
    """Queued jobs due for a while, or running jobs whose lease expired (their runner died)."""
    now = utcnow()
    async with db.session() as session:
        rows = await session.scalars(
            select(Job.id)
            .where(
                or_(
                    and_(Job.status == QUEUED, Job.run_at < now - timedelta(seconds=older_than)),
                    and_(Job.status == RUNNING, Job.locked_until < now),
                )
            )
            .limit(limit)
        )
        return list(rows)


async def purge_finished(db: Database, older_than: timedelta) -> int:
    """Delete finished job rows past their keep period; returns how many."""
    from sqlalchemy import delete

    async with db.session() as session:
        result = await session.execute(
            delete(Job).where(
                Job.status.in_((SUCCEEDED, FAILED)), Job.finished_at < utcnow() - older_than
            )
        )
        return result.rowcount or 0
