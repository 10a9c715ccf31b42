"""Publishing events: once per event, to the Redis stream in production mode, with a safety net."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import update

from agenta.core.events.models import Event
from agenta.core.events.publishing import STREAM, publish, publish_pending
from agenta.core.events.service import record_event
from agenta.db import utcnow
from agenta.jobs.registry import JobContext
from agenta.platform import Platform
from agenta.settings import Settings
from tests.support.accounts import make_user


async def published_at(platform: Platform, event_id: UUID) -> object:
    async with platform.db.session() as session:
        return (await session.get_one(Event, event_id)).published_at


async def test_publishing_marks_the_event_published_once(
    platform: Platform, project_id: UUID, job_context: JobContext
) -> None:
    async with platform.db.session() as session:
        event_id = await record_event(
            session, project_id=project_id, event_type="app.created", data={}
        )
    await publish(job_context, str(event_id))
    first = await published_at(platform, event_id)
    await publish(job_context, str(event_id))
    assert first is not None
    assert await published_at(platform, event_id) == first


async def test_the_safety_net_publishes_events_left_behind_but_not_fresh_ones(
    platform: Platform, project_id: UUID, job_context: JobContext
) -> None:
    async with platform.db.session() as session:
        old = await record_event(session, project_id=project_id, event_type="app.created", data={})
        fresh = await record_event(
            session, project_id=project_id, event_type="app.archived", data={}
        )
        await session.execute(
            update(Event).where(Event.id == old).values(created_at=utcnow() - timedelta(minutes=5))
        )
    await publish_pending(job_context)
    assert await published_at(platform, old) is not None
    assert await published_at(platform, fresh) is None


@pytest.mark.redis
async def test_in_production_mode_events_go_to_the_redis_stream(
    make_settings: Callable[..., Settings], database_url: str, redis_url: str
) -> None:
    platform = await Platform.start(make_settings(database_url, redis_url=redis_url))
    try:
        owner = await make_user(platform)
        async with platform.db.session() as session:
            event_id = await record_event(
                session,
                project_id=owner.project_id,
                event_type="testset.committed",
                data={"name": "golden"},
            )
        ctx = JobContext(
            settings=platform.settings, db=platform.db, queue=platform.queue, redis=platform.redis
        )
        await publish(ctx, str(event_id))
        assert platform.redis is not None
        entries = await platform.redis.xrange(STREAM)
    finally:
        await platform.stop()
    [(_, fields)] = entries
    message = json.loads(fields[b"data"])
    assert (message["id"], message["type"]) == (str(event_id), "testset.committed")
    assert message["project_id"] == str(owner.project_id)
    assert message["data"] == {"name": "golden"}
