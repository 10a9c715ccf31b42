"""The production-mode span queue: the Redis stream `agenta:spans` and its consumer group.

`RedisSpanQueue.put` appends one entry per accepted export (`XADD`, field `data` holding the
message bytes of `messages.py`); the export is acknowledged once Redis has it, so Redis must
persist (AOF) for accepted spans to survive a Redis restart. The stream is never trimmed:
entries leave it only once stored, and backpressure (`queue.py`) bounds its length.

`StreamConsumer` runs inside `agenta worker` (started by the worker's startup hook, see
`jobs.py`). Consumer contract:
- the group `agenta-tracing` is created at id 0, so entries added before any worker ever
  ran are consumed too;
- `XREADGROUP ... COUNT n BLOCK 1000 STREAMS agenta:spans >` takes new entries (and, when
  fewer than n entries holding fewer than `consume_max_spans` spans came, whatever else
  arrives within `gather_seconds`: one transaction for many small exports costs far less
  than one each); their spans are stored in one database transaction, and only after the
  COMMIT are the entries acknowledged and deleted (`XACK` + `XDEL` in one MULTI). A crash
  in between redelivers them, and the idempotent upsert makes that harmless: every
  accepted span is stored exactly once;
- a group that fails is retried entry by entry; an entry that fails stays pending;
- every few seconds `XAUTOCLAIM` takes over entries pending for longer than
  `reclaim_idle_seconds` (their consumer died or is stuck); an entry delivered more than
  `max_deliveries` times, or one that cannot be decoded, is moved to `agenta:spans:dead`
  with the error, for an operator to inspect, instead of blocking the stream.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError, ResponseError

from agenta.core.tracing.consume import store_messages
from agenta.core.tracing.messages import MessageError, QueuedMessage, decode_message
from agenta.core.tracing.queue import CapacityGate, QueueLimits, QueueUnavailable
from agenta.db import Database
from agenta.jobs.runner import runner_name

if TYPE_CHECKING:
    from redis.asyncio import Redis

STREAM = "agenta:spans"
GROUP = "agenta-tracing"
DEAD_STREAM = "agenta:spans:dead"
BLOCK_MS = 1000
RECLAIM_EVERY_SECONDS = 5.0

log = logging.getLogger("agenta.tracing")

Entry = tuple[bytes, dict[bytes, bytes] | None]


class RedisSpanQueue:
    """`SpanQueue` over the Redis stream (production mode)."""

    def __init__(self, redis: Redis, limits: QueueLimits) -> None:
        self.redis = redis
        self.limits = limits
        self._gate = CapacityGate(self.backlog, limits)

    async def put(self, project_id: uuid.UUID, payload: bytes, span_count: int) -> None:
        """XADD one message; raises `QueueFull` or `QueueUnavailable`."""
        try:
            await self._gate.check()
            await self.redis.xadd(STREAM, {"data": payload, "spans": span_count})
        except RedisError as error:
            log.exception("could not queue spans")
            raise QueueUnavailable(
                f"the span queue is unavailable: {type(error).__name__}",
                self.limits.retry_after_seconds,
            ) from error
        self._gate.added()

    async def backlog(self) -> int:
        """Entries in the stream (stored entries are deleted, so this is the backlog)."""
        return int(await self.redis.xlen(STREAM))


class StreamConsumer:
    """One member of the `agenta-tracing` consumer group (see the module doc)."""

    def __init__(
        self, redis: Redis, db: Database, limits: QueueLimits, name: str | None = None
    ) -> None:
        self.redis = redis
        self.db = db
        self.limits = limits
        self.name = name or runner_name()
        self._reclaimed_at = float("-inf")
        self._group_ready = False

    async def run(self) -> None:
        """Consume until cancelled; errors are logged and retried after a pause."""
        log.info("span stream consumer started", extra={"consumer": self.name})
        while True:
            try:
                await self.step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("span stream consumer step failed")
                await asyncio.sleep(1.0)

    async def step(self) -> int:
        """Reclaim if due, then read and store one group of entries; returns entries taken."""
        if not self._group_ready:
            await self.ensure_group()
            self._group_ready = True
        try:
            if time.monotonic() - self._reclaimed_at >= RECLAIM_EVERY_SECONDS:
                await self.reclaim()
            reply = await self.redis.xreadgroup(
                GROUP,
                self.name,
                {STREAM: ">"},
                count=self.limits.consume_max_messages,
                block=BLOCK_MS,
            )
        except ResponseError as error:
            if "NOGROUP" in str(error):
                self._group_ready = False  # the stream was deleted; recreate it next step
            raise
        entries: list[Entry] = [entry for _stream, batch in reply or () for entry in batch]
        wanted = self.limits.consume_max_messages
        if entries and len(entries) < wanted and _spans(entries) < self.limits.consume_max_spans:
            await asyncio.sleep(self.limits.gather_seconds)
            more = await self.redis.xreadgroup(
                GROUP, self.name, {STREAM: ">"}, count=wanted - len(entries)
            )
            entries += [entry for _stream, batch in more or () for entry in batch]
        await self.process(entries)
        return len(entries)

    async def ensure_group(self) -> None:
        """Create the consumer group (and the stream) unless it exists."""
        try:
            await self.redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    async def reclaim(self) -> int:
        """Take over entries idle longer than `reclaim_idle_seconds`; returns how many."""
        self._reclaimed_at = time.monotonic()
        idle_ms = int(self.limits.reclaim_idle_seconds * 1000)
        start, taken = "0-0", 0
        while True:
            reply = await self.redis.xautoclaim(
                STREAM,
                GROUP,
                self.name,
                idle_ms,
                start_id=start,
                count=self.limits.consume_max_messages,
            )
            start, entries = reply[0], reply[1]
            if entries:
                log.warning("reclaimed pending span entries", extra={"entries": len(entries)})
                await self.process(await self._drop_overdelivered(entries))
                taken += len(entries)
            if start in (b"0-0", "0-0"):
                return taken

    async def process(self, entries: list[Entry]) -> None:
        """Store the entries' spans, then acknowledge them (see the module doc)."""
        readable: list[tuple[bytes, QueuedMessage]] = []
        for entry_id, fields in entries:
            if not fields or b"data" not in fields:
                await self._acknowledge([entry_id])  # deleted meanwhile: nothing to store
                continue
            try:
                readable.append((entry_id, decode_message(fields[b"data"])))
            except MessageError as error:
                await self._dead_letter(entry_id, fields, str(error))
        if not readable:
            return
        try:
            await self._store(readable)
        except Exception:
            if len(readable) == 1:
                log.exception("could not store a span entry; it stays pending")
                return
            log.warning("a group of span entries failed; storing them one by one", exc_info=True)
            for one in readable:
                await self._store_alone(one)

    async def _store(self, readable: list[tuple[bytes, QueuedMessage]]) -> None:
        async with self.db.session() as session:
            await store_messages(session, [message for _, message in readable])
        await self._acknowledge([entry_id for entry_id, _ in readable])

    async def _store_alone(self, one: tuple[bytes, QueuedMessage]) -> None:
        try:
            await self._store([one])
        except Exception:
            log.exception("could not store a span entry; it stays pending")

    async def _acknowledge(self, entry_ids: list[bytes]) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(STREAM, GROUP, *entry_ids)
            pipe.xdel(STREAM, *entry_ids)
            await pipe.execute()

    async def _drop_overdelivered(self, entries: list[Entry]) -> list[Entry]:
        ids = sorted((entry_id for entry_id, _ in entries), key=_id_order)
        pending = await self.redis.xpending_range(
            STREAM, GROUP, min=ids[0], max=ids[-1], count=len(ids) * 2
        )
        deliveries = {item["message_id"]: item["times_delivered"] for item in pending}
        kept: list[Entry] = []
        for entry_id, fields in entries:
            if deliveries.get(entry_id, 0) > self.limits.max_deliveries:
                await self._dead_letter(entry_id, fields or {}, "delivered too many times")
            else:
                kept.append((entry_id, fields))
        return kept

    async def _dead_letter(self, entry_id: bytes, fields: dict[bytes, Any], reason: str) -> None:
        log.error("moved a span entry to the dead-letter stream", extra={"reason": reason})
        dead = {**fields, b"error": reason.encode(), b"entry_id": entry_id}
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(DEAD_STREAM, dead)
            pipe.xack(STREAM, GROUP, entry_id)
            pipe.xdel(STREAM, entry_id)
            await pipe.execute()


def _spans(entries: list[Entry]) -> int:
    return sum(int((fields or {}).get(b"spans", 0)) for _, fields in entries)


def _id_order(entry_id: bytes) -> tuple[int, int]:
    milliseconds, _, sequence = entry_id.partition(b"-")
    return int(milliseconds), int(sequence or 0)
