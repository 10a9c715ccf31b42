"""The one job API every feature uses: ``await queue.enqueue("job.name", **kwargs)``.

A job is first a row in the jobs table (see ``agenta.jobs.models``), so it survives a crash of
any process. In embedded mode the in-process runner polls that table (and is woken at once by
local enqueues). In production mode the row's id is also pushed to arq so that a worker picks it
up immediately; if that push is lost, the stale-job recovery cron pushes it again.

Pass ``session=`` to enqueue inside the caller's transaction: the job then exists only if the
caller's change commits (the outbox pattern), and the arq push happens after that commit.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.jobs import store
from agenta.jobs.registry import JobRegistry

if TYPE_CHECKING:
    from arq.connections import ArqRedis

    from agenta.db import Database

log = logging.getLogger("agenta.jobs")


def arq_job_id(job_id: uuid.UUID, dispatch: int | str = 0) -> str:
    """The arq job id of one dispatch of our job (retries and recovery use new ids)."""
    return f"{job_id}:{dispatch}"


class JobQueue:
    """Accepts jobs into the jobs table and hands them to whichever runner is configured."""

    def __init__(self, db: Database, registry: JobRegistry, arq: ArqRedis | None = None) -> None:
        self.db = db
        self.registry = registry
        self.arq = arq
        self.wakeup = asyncio.Event()
        self._pending_pushes: set[asyncio.Task[None]] = set()

    async def enqueue(
        self,
        name: str,
        *,
        session: AsyncSession | None = None,
        idempotency_key: str | None = None,
        delay: float = 0.0,
        **kwargs: Any,
    ) -> uuid.UUID | None:
        """Accept job ``name`` with JSON ``kwargs``; returns its id (None if the key existed)."""
        spec = self.registry.get(name)
        if session is not None:
            job_id = await store.insert_job(
                session,
                name,
                kwargs,
                max_tries=spec.max_tries,
                delay=delay,
                idempotency_key=idempotency_key,
            )
            if job_id is not None:
                self._after_commit(session, name, job_id, delay)
            return job_id
        async with self.db.session() as own:
            job_id = await store.insert_job(
                own,
                name,
                kwargs,
                max_tries=spec.max_tries,
                delay=delay,
                idempotency_key=idempotency_key,
            )
        if job_id is not None:
            await self.dispatch(name, job_id, delay=delay)
        return job_id

    async def dispatch(
        self, name: str, job_id: uuid.UUID, *, delay: float = 0.0, n: int | str = 0
    ) -> None:
        """Tell the runner about a committed job row."""
        if self.arq is None:
            self.wakeup.set()
            return
        await self.arq.enqueue_job(
            name, job_id=str(job_id), _job_id=arq_job_id(job_id, n), _defer_by=delay or None
        )

    def _after_commit(
        self, session: AsyncSession, name: str, job_id: uuid.UUID, delay: float
    ) -> None:
        loop = asyncio.get_running_loop()

        def on_commit(_session: Any) -> None:
            task = loop.create_task(self._safe_dispatch(name, job_id, delay))
            self._pending_pushes.add(task)
            task.add_done_callback(self._pending_pushes.discard)

        event.listen(session.sync_session, "after_commit", on_commit, once=True)

    async def _safe_dispatch(self, name: str, job_id: uuid.UUID, delay: float) -> None:
        try:
            await self.dispatch(name, job_id, delay=delay)
        except Exception:  # the recovery cron dispatches it again later
            log.exception("could not dispatch job", extra={"job": name, "job_id": str(job_id)})

    async def drain(self) -> None:
        """Wait for the dispatches that committed transactions scheduled (shutdown, tests)."""
        while self._pending_pushes:
            await asyncio.gather(*list(self._pending_pushes), return_exceptions=True)
