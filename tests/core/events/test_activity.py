"""The activity log API: who did what and when, filtered, paged, and only for those allowed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar.testing import AsyncTestClient
from sqlalchemy import update

from agenta.core.access.permissions import permissions_of
from agenta.core.access.principal import Principal
from agenta.core.events.models import Event
from agenta.core.events.service import record_event
from agenta.db import utcnow
from agenta.platform import Platform
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona


def acting(persona: Persona, via: str) -> Principal:
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


async def record(
    platform: Platform, project_id: UUID, event_type: str, actor: Principal | None = None
) -> UUID:
    async with platform.db.session() as session:
        return await record_event(
            session, project_id=project_id, event_type=event_type, data={}, actor=actor
        )


async def events(
    client: AsyncTestClient[Any], persona: Persona, **params: str
) -> list[dict[str, Any]]:
    response = await client.get("/api/events", params=params, headers=persona.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["events"])


async def test_it_lists_events_newest_first_saying_who_did_them(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    await record(platform, owner.project_id, "app.created", acting(owner, "session"))
    await record(platform, owner.project_id, "api_key.created", acting(owner, "api_key"))
    await record(platform, owner.project_id, "alert.fired")

    listed = await events(client, owner)
    assert [e["type"] for e in listed] == ["alert.fired", "api_key.created", "app.created"]
    labels = [e["actor"]["label"] for e in listed]
    assert labels[0] == "system"
    assert labels[1].startswith(f"{owner.email} via API key test key (")
    assert labels[2] == f"{owner.email} via session"


async def test_it_filters_by_type_subject_actor_and_time(
    client: AsyncTestClient[Any],
    platform: Platform,
    owner: Persona,
    make_persona: MakePersona,
) -> None:
    editor = await make_persona("editor")
    old = await record(platform, owner.project_id, "app.created", acting(owner, "session"))
    await record(platform, owner.project_id, "app.archived", acting(editor, "api_key"))
    await record(platform, owner.project_id, "testset.committed", acting(editor, "session"))
    async with platform.db.session() as session:
        await session.execute(
            update(Event).where(Event.id == old).values(created_at=utcnow() - timedelta(days=2))
        )

    def types(listed: list[dict[str, Any]]) -> list[str]:
        return [e["type"] for e in listed]

    assert types(await events(client, owner, type="app")) == ["app.archived", "app.created"]
    assert types(await events(client, owner, type="app.created")) == ["app.created"]
    by_editor = await events(client, owner, actor=str(editor.user_id))
    assert types(by_editor) == ["testset.committed", "app.archived"]
    since = (utcnow() - timedelta(days=1)).isoformat()
    assert "app.created" not in types(await events(client, owner, since=since))


async def test_it_pages_with_a_cursor(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    for _ in range(5):
        await record(platform, owner.project_id, "app.created")
    first = await client.get("/api/events", params={"limit": "3"}, headers=owner.headers)
    cursor = first.json()["next_before"]
    second = await client.get(
        "/api/events", params={"limit": "3", "before": cursor}, headers=owner.headers
    )
    ids = [e["id"] for e in first.json()["events"] + second.json()["events"]]
    assert len(ids) == len(set(ids)) == 5
    assert second.json()["next_before"] is None


async def test_a_bad_filter_is_a_400_naming_the_parameter(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    response = await client.get("/api/events", params={"since": "yesterday"}, headers=owner.headers)
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Invalid filter: since: 'yesterday' is not an ISO 8601 date or time"
    )


async def test_roles_without_view_events_and_other_projects_see_nothing(
    client: AsyncTestClient[Any],
    platform: Platform,
    owner: Persona,
    outsider: Persona,
    make_persona: MakePersona,
) -> None:
    await record(platform, owner.project_id, "app.created")
    editor = await make_persona("editor")
    refused = await client.get("/api/events", headers=editor.headers)
    assert refused.status_code == 403
    assert await events(client, outsider) == []
