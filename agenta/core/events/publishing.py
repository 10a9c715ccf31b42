"""Publishing recorded events: the Redis stream, then the webhook fan-out.

The ``events.publish`` job (the events worker's role) takes one committed event row. In
production mode it first appends the event to the Redis stream ``agenta:events`` (trimmed to
about 100k entries) for outside consumers; then, in one transaction, it marks the row published
with a conditional update and, only if that update won, fans the event out to webhook
subscriptions. So a stream consumer may see an event twice (it dedupes by ``event_id``), but
webhook deliveries are created once per event and subscription. Embedded mode skips the stream.

``publish_pending`` is the safety net: a cron that publishes events whose job never ran (the
caller had no queue, or a dispatch was lost).
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import select, update

from agenta.core.events.messages import event_message
from agenta.core.events.models import Event
from agenta.core.webhooks.fanout import fan_out
from agenta.db import utcnow

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncSession

    from agenta.jobs.registry import JobContext

STREAM = "agenta:events"
STREAM_MAXLEN = 100_000
PENDING_GRACE = timedelta(minutes=1)
PENDING_BATCH = 500

log = logging.getLogger("agenta.events")


async def append_to_stream(redis: Redis, event: Event) -> None:
    """XADD the event (one ``data`` field holding compact JSON) to the events stream."""
    body = json.dumps(event_message(event), separators=(",", ":"), sort_keys=True)
    await redis.xadd(STREAM, {"data": body}, maxlen=STREAM_MAXLEN, approximate=True)


async def publish(ctx: JobContext, event_id: str) -> None:
    """Publish one event (the ``events.publish`` job); a published event is left alone."""
    async with ctx.db.session() as session:
        event = await session.get(Event, UUID(event_id))
    if event is None or event.published_at is not None:
        return
    if ctx.redis is not None:
        await append_to_stream(ctx.redis, event)
    async with ctx.db.session() as session:
        if await _mark_published(session, event.id):
            await fan_out(session, event, ctx.queue)


async def publish_pending(ctx: JobContext) -> None:
    """Publish events left unpublished for over a minute (the safety-net cron)."""
    cutoff = utcnow() - PENDING_GRACE
    async with ctx.db.session() as session:
        ids = (
            await session.scalars(
                select(Event.id)
                .where(Event.published_at.is_(None), Event.created_at < cutoff)
                .order_by(Event.created_at)
                .limit(PENDING_BATCH)
            )
        ).all()
    for event_id in ids:
        try:
            await publish(ctx, str(event_id))
        except Exception:  # one bad event must not stop the others; the next tick retries it
            log.exception("could not publish event", extra={"event_id": str(event_id)})


async def _mark_published(session: AsyncSession, event_id: UUID) -> bool:
    result = await session.execute(
        update(Event)
        .where(Event.id == event_id, Event.published_at.is_(None))
        .values(published_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
