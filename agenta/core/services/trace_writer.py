"""Write invocation traces after the response, so tracing adds nothing to a call's latency.

``TraceWriter.submit`` schedules the work on the running loop and returns at once: the spans
are built (normalisation included) and stored in a transaction of their own, never the
request's (which is already committed and closed when a stream ends). A failed write is logged
and dropped: an invocation never fails because its trace could not be kept. ``drain`` waits for
the writes still in flight; the platform calls it before closing the database.

Spans are stored with the tracing pipeline's ``write_spans``, which rolls tokens, cost and
latency up the tree, so the root span of an invocation carries the totals of its model call.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.tracing import Span
from agenta.core.tracing.store import write_spans
from agenta.db import Database

log = logging.getLogger("agenta.services")

SpanStore = Callable[[AsyncSession, uuid.UUID, list[Span]], Awaitable[object]]


class TraceWriter:
    """Writes traces in the background and remembers the writes not finished yet."""

    def __init__(self, db: Database, store: SpanStore = write_spans) -> None:
        self._db = db
        self._store = store
        self._pending: set[asyncio.Task[None]] = set()

    def submit(self, project_id: uuid.UUID, build: Callable[[], list[Span]]) -> None:
        """Build and store a trace soon, off the caller's path."""
        task = asyncio.get_running_loop().create_task(self._write(project_id, build))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _write(self, project_id: uuid.UUID, build: Callable[[], list[Span]]) -> None:
        try:
            spans = build()
            async with self._db.session() as session:
                await self._store(session, project_id, spans)
        except Exception:
            log.exception("an invocation trace could not be stored")

    async def drain(self) -> None:
        """Wait for every write in flight."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
