"""Recording events: written in the caller's transaction, together with their publish job."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from agenta.core.access.permissions import permissions_of
from agenta.core.access.principal import Principal
from agenta.core.events.models import Event
from agenta.core.events.service import PUBLISH_JOB, EventType, record_event
from agenta.jobs.models import Job
from agenta.platform import Platform
from tests.support.accounts import Persona


def principal_of(persona: Persona, via: str = "api_key") -> Principal:
    return Principal(
        user_id=persona.user_id,
        project_id=persona.project_id,
        workspace_id=persona.workspace_id,
        organization_id=persona.organization_id,
        role=persona.role,
        permissions=permissions_of(persona.role),
        via=via,
        api_key_id=persona.api_key_id if via == "api_key" else None,
    )


async def publish_jobs(platform: Platform) -> list[Job]:
    async with platform.db.session() as session:
        return list((await session.scalars(select(Job).where(Job.name == PUBLISH_JOB))).all())


async def test_it_records_the_event_with_its_actor_and_a_publish_job(
    platform: Platform, member: Persona
) -> None:
    app_id = uuid4()
    async with platform.db.session() as session:
        event_id = await record_event(
            session,
            project_id=member.project_id,
            event_type=EventType.APP_CREATED,
            data={"application_id": app_id, "name": "chatbot"},
            actor=principal_of(member),
            queue=platform.queue,
        )
    async with platform.db.session() as session:
        event = await session.get(Event, event_id)
    assert event is not None
    assert (event.event_type, event.data) == (
        "app.created",
        {"application_id": str(app_id), "name": "chatbot"},
    )
    assert (event.actor_user_id, event.actor_api_key_id, event.actor_via) == (
        member.user_id,
        member.api_key_id,
        "api_key",
    )
    assert [job.kwargs for job in await publish_jobs(platform)] == [{"event_id": str(event_id)}]


async def test_a_rolled_back_change_leaves_neither_event_nor_job(
    platform: Platform, member: Persona
) -> None:
    with pytest.raises(RuntimeError, match="change failed"):
        async with platform.db.session() as session:
            await record_event(
                session,
                project_id=member.project_id,
                event_type="app.archived",
                data={},
                queue=platform.queue,
            )
            raise RuntimeError("change failed")
    async with platform.db.session() as session:
        assert (await session.scalars(select(Event))).all() == []
    assert await publish_jobs(platform) == []


async def test_it_refuses_an_unknown_event_type_naming_it(
    platform: Platform, project_id: UUID
) -> None:
    async with platform.db.session() as session:
        with pytest.raises(ValueError, match=r"unknown event type 'app\.exploded'"):
            await record_event(session, project_id=project_id, event_type="app.exploded", data={})


async def test_a_system_event_has_no_actor(platform: Platform, project_id: UUID) -> None:
    async with platform.db.session() as session:
        event_id = await record_event(
            session, project_id=project_id, event_type="alert.fired", data={"rule": "latency"}
        )
    async with platform.db.session() as session:
        event = await session.get(Event, event_id)
    assert event is not None
    assert (event.actor_user_id, event.actor_api_key_id, event.actor_via) == (None, None, None)
