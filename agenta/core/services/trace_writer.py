"""Write invocation traces after the response, so tracing adds nothing to a call's latency.

``TraceWriter.submit`` queues the trace and returns at once. One flusher task collects what
arrives for ``delay`` seconds, then builds the spans (normalisation included) and stores each
project's share in one transaction of its own, never a request's. Batching matters: a commit
costs far more than the rows it writes, so a busy process writes many traces per commit
instead of one. A trace that cannot be built, or a batch that cannot be stored, is logged and
dropped: an invocation never fails because its trace could not be kept. ``drain`` writes
everything still queued; the platform calls it before closing the database.

Before they are stored, spans go through the project's redaction rules (``redact``), like
ingested spans, so nothing unredacted is ever written. They are stored with the tracing
pipeline's ``write_spans``, which rolls tokens, cost and latency up the tree, so the root span
of an invocation carries the totals of its model call.
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
Redact = Callable[[uuid.UUID, list[Span]], Awaitable[list[Span]]]
BuildSpans = Callable[[], list[Span]]


async def keep_as_they_are(project_id: uuid.UUID, spans: list[Span]) -> list[Span]:
    """No redaction (for writers of spans that hold nothing to redact)."""
    return spans


DEFAULT_DELAY_SECONDS = 0.5
MAX_BATCH = 500


class TraceWriter:
    """Queues traces and writes them in batches, per project, off the requests' path."""

    def __init__(
        self,
        db: Database,
        store: SpanStore = write_spans,
        *,
        redact: Redact = keep_as_they_are,
        delay: float = DEFAULT_DELAY_SECONDS,
    ) -> None:
        self._db = db
        self._store = store
        self._redact = redact
        self._delay = delay
        self._queue: list[tuple[uuid.UUID, BuildSpans]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._draining = False

    def submit(self, project_id: uuid.UUID, build: BuildSpans) -> None:
        """Queue a trace; it is built and stored within about ``delay`` seconds."""
        self._queue.append((project_id, build))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_all())

    async def drain(self) -> None:
        """Write everything queued, now."""
        self._draining = True
        try:
            while self._flusher is not None and not self._flusher.done():
                await asyncio.gather(self._flusher, return_exceptions=True)
        finally:
            self._draining = False

    async def _flush_all(self) -> None:
        while self._queue:
            if not self._draining:
                await asyncio.sleep(self._delay)
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            for project_id, spans in _by_project(batch).items():
                await self._write(project_id, spans)

    async def _write(self, project_id: uuid.UUID, spans: list[Span]) -> None:
        try:
            redacted = await self._redact(project_id, spans)
            async with self._db.session() as session:
                await self._store(session, project_id, redacted)
        except Exception:
            log.exception(
                "invocation traces could not be stored", extra={"project_id": str(project_id)}
            )


def _by_project(batch: list[tuple[uuid.UUID, BuildSpans]]) -> dict[uuid.UUID, list[Span]]:
    spans: dict[uuid.UUID, list[Span]] = {}
    for project_id, build in batch:
        try:
            built = build()
        except Exception:
            log.exception("an invocation trace could not be built")
            continue
        spans.setdefault(project_id, []).extend(built)
    return spans
