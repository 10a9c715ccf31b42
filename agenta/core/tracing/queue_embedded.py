"""The embedded-mode span queue: a table of pending batches and its consumer.

`DatabaseSpanQueue.put` inserts one `span_batches` row per accepted export and commits
before the export is acknowledged. `drain_once` takes the oldest rows and, in ONE
transaction, deletes them (`DELETE ... RETURNING`) and stores their spans. So a batch is
stored exactly when it leaves the queue: a crash anywhere rolls both back, and two
consumers racing for the same rows cannot both get them (the loser's DELETE returns
nothing once the winner commits). The DELETE comes first so that, on SQLite, the
transaction holds the write lock before it reads anything (a read-then-write transaction
can fail to upgrade in WAL mode when another connection wrote meanwhile).

A batch that fails is retried on its own; after `max_deliveries` failures it is parked
(`failed_at` set, `last_error` kept) so one bad batch cannot block the queue.

`EmbeddedConsumer` is the long-running task that `agenta serve` starts in embedded mode
(see `runtime.py`): it drains while work remains and otherwise sleeps until woken by a
local `put` or the poll interval; once woken it lets `gather_seconds` pass first, so a
stream of small exports is stored a group at a time rather than one transaction each.
Batches left by a killed process are simply still in the table when the next process
starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import traceback
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from agenta.core.tracing.consume import store_messages
from agenta.core.tracing.messages import decode_message
from agenta.core.tracing.models import SpanBatch
from agenta.core.tracing.queue import CapacityGate, QueueLimits, QueueUnavailable
from agenta.db import Database, utcnow

log = logging.getLogger("agenta.tracing")


class DatabaseSpanQueue:
    """`SpanQueue` over the `span_batches` table (embedded mode)."""

    def __init__(
        self, db: Database, limits: QueueLimits, wakeup: asyncio.Event | None = None
    ) -> None:
        self.db = db
        self.limits = limits
        self.wakeup = wakeup or asyncio.Event()
        self._gate = CapacityGate(self.backlog, limits)

    async def put(self, project_id: uuid.UUID, payload: bytes, span_count: int) -> None:
        """Insert and commit one batch; raises `QueueFull` or `QueueUnavailable`."""
        try:
            await self._gate.check()
            async with self.db.session() as session:
                batch = SpanBatch(project_id=project_id, payload=payload, span_count=span_count)
                session.add(batch)
        except SQLAlchemyError as error:
            log.exception("could not queue spans")
            raise QueueUnavailable(
                f"the span queue is unavailable: {type(error).__name__}",
                self.limits.retry_after_seconds,
            ) from error
        self._gate.added()
        self.wakeup.set()

    async def backlog(self) -> int:
        """Batches waiting (parked failures excluded)."""
        async with self.db.session() as session:
            query = select(func.count()).select_from(SpanBatch).where(SpanBatch.failed_at.is_(None))
            return int(await session.scalar(query) or 0)


@dataclass(frozen=True, slots=True)
class DrainResult:
    """What one drain step did: batches taken, spans stored, batches that failed."""

    batches: int = 0
    spans: int = 0
    failed: int = 0


async def drain_once(db: Database, limits: QueueLimits) -> DrainResult:
    """Store the oldest pending batches (up to the consume limits); see the module doc."""
    ids = await _next_batch_ids(db, limits)
    if not ids:
        return DrainResult()
    try:
        return await _take_and_store(db, ids)
    except Exception:
        if len(ids) == 1:
            return await _record_failure(db, ids[0], limits)
        log.warning("a group of span batches failed; storing them one by one", exc_info=True)
    results = [await drain_batch(db, batch_id, limits) for batch_id in ids]
    batches = sum(result.batches for result in results)
    spans = sum(result.spans for result in results)
    return DrainResult(batches, spans, sum(result.failed for result in results))


async def drain_batch(db: Database, batch_id: uuid.UUID, limits: QueueLimits) -> DrainResult:
    """Store one batch, recording a failure instead of raising."""
    try:
        return await _take_and_store(db, [batch_id])
    except Exception:
        return await _record_failure(db, batch_id, limits)


async def drain(db: Database, limits: QueueLimits, timeout: float = 60.0) -> int:
    """Drain until no batch is pending (tests, benchmarks); returns the spans stored."""
    stored = 0
    async with asyncio.timeout(timeout):
        while (result := await drain_once(db, limits)).batches:
            stored += result.spans
    return stored


async def _next_batch_ids(db: Database, limits: QueueLimits) -> list[uuid.UUID]:
    query = (
        select(SpanBatch.id, SpanBatch.span_count)
        .where(SpanBatch.failed_at.is_(None))
        .order_by(SpanBatch.id)
        .limit(limits.consume_max_messages)
    )
    async with db.session() as session:
        rows = (await session.execute(query)).all()
    ids: list[uuid.UUID] = []
    spans = 0
    for batch_id, count in rows:
        if ids and spans + count > limits.consume_max_spans:
            break
        ids.append(batch_id)
        spans += count
    return ids


async def _take_and_store(db: Database, ids: list[uuid.UUID]) -> DrainResult:
    async with db.session() as session:
        taken = await session.execute(
            delete(SpanBatch)
            .where(SpanBatch.id.in_(ids), SpanBatch.failed_at.is_(None))
            .returning(SpanBatch.payload)
        )
        messages = [decode_message(payload) for (payload,) in taken.all()]
        outcome = await store_messages(session, messages)
    return DrainResult(len(messages), outcome.stored)


async def _record_failure(db: Database, batch_id: uuid.UUID, limits: QueueLimits) -> DrainResult:
    log.exception("could not store a span batch", extra={"batch_id": str(batch_id)})
    async with db.session() as session:
        batch = await session.get(SpanBatch, batch_id)
        if batch is None:
            return DrainResult()
        attempts = batch.attempts + 1
        parked = attempts >= limits.max_deliveries
        await session.execute(
            update(SpanBatch)
            .where(SpanBatch.id == batch_id)
            .values(
                attempts=attempts,
                last_error=_error_text(),
                failed_at=utcnow() if parked else None,
            )
        )
    if parked:
        log.error("parked a span batch after repeated failures", extra={"batch_id": str(batch_id)})
    return DrainResult(failed=1)


def _error_text() -> str:
    error = sys.exc_info()[1]
    if error is None:
        return "unknown error"
    return "".join(traceback.format_exception_only(type(error), error)).strip()[:2000]


class EmbeddedConsumer:
    """The long-running drain loop of embedded mode."""

    def __init__(self, queue: DatabaseSpanQueue) -> None:
        self.queue = queue
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start draining in the background."""
        self._task = asyncio.create_task(self._run(), name="tracing-embedded-consumer")

    async def stop(self) -> None:
        """Stop; an interrupted batch stays queued (its transaction rolls back)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        limits = self.queue.limits
        idle = False
        while True:
            if idle:
                await asyncio.sleep(limits.gather_seconds)
            try:
                result = await drain_once(self.queue.db, limits)
            except Exception:
                log.exception("span consumer step failed")
                result = DrainResult(failed=1)
            idle = not result.batches
            if result.batches and not result.failed:
                continue
            self.queue.wakeup.clear()
            delay = limits.poll_interval * (4 if result.failed else 1)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.queue.wakeup.wait(), delay)
