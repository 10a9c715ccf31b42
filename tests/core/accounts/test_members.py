"""Members and invitations through the API: invite, accept, change roles, remove."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from agenta.core.accounts.models import Invitation
from agenta.db import utcnow
from agenta.platform import Platform
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona, csrf_headers, login, make_user


def members_url(persona: Persona, suffix: str = "") -> str:
    return f"/api/organizations/{persona.organization_id}/members{suffix}"


def invitations_url(persona: Persona, suffix: str = "") -> str:
    return f"/api/organizations/{persona.organization_id}/invitations{suffix}"


async def invite(client: AsyncTestClient[Any], owner: Persona, email: str, role: str) -> Any:
    response = await client.post(
        invitations_url(owner), json={"email": email, "role": role}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def mail_log() -> Iterator[Collected]:
    logger = logging.getLogger("agenta.accounts.mail")
    handler, level = Collected(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


async def test_an_invited_user_joins_the_organization_with_the_role(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, mail_log: Collected
) -> None:
    invitee = await make_user(platform, email="new.member@example.com")
    invitation = await invite(client, owner, "New.Member@example.com", "editor")
    assert invitation["url"].startswith("http://127.0.0.1:8000/invitations/")
    [mail] = mail_log.records
    assert invitation["url"] in mail.body, "without a mail server the link is logged"  # type: ignore[attr-defined]
    token = invitation["url"].rsplit("/", 1)[1]
    await login(client, invitee.email, invitee.password)
    accepted = await client.post(
        "/api/invitations/accept", json={"token": token}, headers=await csrf_headers(client)
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["role"] == "editor"
    members = (await client.get(members_url(owner), headers=owner.headers)).json()
    assert {(m["email"], m["role"]) for m in members} == {
        (owner.email, "owner"),
        ("new.member@example.com", "editor"),
    }
    scoped = await client.get("/api/projects/current", params={"project_id": str(owner.project_id)})
    assert scoped.json()["user_role"] == "editor"


async def test_only_the_invited_address_can_accept(
    client: AsyncTestClient[Any], owner: Persona, outsider: Persona
) -> None:
    invitation = await invite(client, owner, "someone.else@example.com", "viewer")
    token = invitation["url"].rsplit("/", 1)[1]
    await login(client, outsider.email, outsider.password)
    response = await client.post(
        "/api/invitations/accept", json={"token": token}, headers=await csrf_headers(client)
    )
    assert response.status_code == 403
    assert "sent to someone.else@example.com" in response.json()["message"]


async def test_an_expired_or_withdrawn_invitation_cannot_be_accepted(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    invitee = await make_user(platform)
    expired = await invite(client, owner, invitee.email, "viewer")
    async with platform.db.session() as session:
        await session.execute(
            update(Invitation)
            .where(Invitation.id == UUID(expired["id"]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    withdrawn = await invite(client, owner, invitee.email, "viewer")
    gone = await client.delete(invitations_url(owner, f"/{withdrawn['id']}"), headers=owner.headers)
    assert gone.status_code == 204
    await login(client, invitee.email, invitee.password)
    messages = []
    for invitation in (expired, withdrawn):
        response = await client.post(
            "/api/invitations/accept",
            json={"token": invitation["url"].rsplit("/", 1)[1]},
            headers=await csrf_headers(client),
        )
        assert response.status_code == 410
        messages.append(response.json()["message"])
    assert messages == [
        "This invitation has expired; ask for a new one",
        "This invitation has been withdrawn",
    ]


async def test_inviting_an_existing_member_is_a_conflict(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    response = await client.post(
        invitations_url(owner), json={"email": owner.email, "role": "viewer"}, headers=owner.headers
    )
    assert response.status_code == 409


async def test_inviting_a_pending_address_again_renews_the_invitation(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    first = await invite(client, owner, "twice@example.com", "viewer")
    second = await invite(client, owner, "Twice@example.com", "editor")

    pending = (await client.get(invitations_url(owner), headers=owner.headers)).json()
    assert [(item["id"], item["role"]) for item in pending] == [(first["id"], "editor")]
    assert second["id"] == first["id"]
    assert second["url"] != first["url"]
    stale = await client.get("/invitations/" + first["url"].rsplit("/", 1)[1])
    assert stale.status_code == 404


async def test_an_unknown_role_is_refused_with_the_valid_ones(
    client: AsyncTestClient[Any], owner: Persona, make_persona: MakePersona
) -> None:
    viewer = await make_persona("viewer")
    response = await client.put(
        members_url(owner, f"/{viewer.user_id}"), json={"role": "king"}, headers=owner.headers
    )
    assert response.status_code == 422
    assert (
        "choose one of owner, admin, developer, editor, annotator, viewer"
        in (response.json()["message"])
    )


async def test_the_last_owner_can_be_neither_removed_nor_demoted(
    client: AsyncTestClient[Any], owner: Persona, make_persona: MakePersona
) -> None:
    removed = await client.delete(members_url(owner, f"/{owner.user_id}"), headers=owner.headers)
    assert removed.status_code == 409
    assert "last owner" in removed.json()["message"]
    demoted = await client.put(
        members_url(owner, f"/{owner.user_id}"), json={"role": "admin"}, headers=owner.headers
    )
    assert demoted.status_code == 409
    second = await make_persona("admin")
    promoted = await client.put(
        members_url(owner, f"/{second.user_id}"), json={"role": "owner"}, headers=owner.headers
    )
    assert promoted.status_code == 200
    assert (
        await client.delete(members_url(owner, f"/{owner.user_id}"), headers=owner.headers)
    ).status_code == 204


async def test_an_admin_cannot_make_owners_or_touch_them(
    client: AsyncTestClient[Any], owner: Persona, make_persona: MakePersona
) -> None:
    admin = await make_persona("admin")
    viewer = await make_persona("viewer")
    promote = await client.put(
        members_url(owner, f"/{viewer.user_id}"), json={"role": "owner"}, headers=admin.headers
    )
    assert promote.status_code == 403
    remove_owner = await client.delete(
        members_url(owner, f"/{owner.user_id}"), headers=admin.headers
    )
    assert remove_owner.status_code == 403
    invite_owner = await client.post(
        invitations_url(owner),
        json={"email": "boss@example.com", "role": "owner"},
        headers=admin.headers,
    )
    assert invite_owner.status_code == 403
    demote_viewer = await client.put(
        members_url(owner, f"/{viewer.user_id}"), json={"role": "annotator"}, headers=admin.headers
    )
    assert demote_viewer.status_code == 200


async def test_a_removed_member_loses_access_and_their_keys_stop_working(
    client: AsyncTestClient[Any], owner: Persona, make_persona: MakePersona
) -> None:
    editor = await make_persona("editor")
    assert (await client.get("/api/projects/current", headers=editor.headers)).status_code == 200
    response = await client.delete(members_url(owner, f"/{editor.user_id}"), headers=owner.headers)
    assert response.status_code == 204
    assert (await client.get("/api/projects/current", headers=editor.headers)).status_code == 401
    remaining = (await client.get(members_url(owner), headers=owner.headers)).json()
    assert [m["email"] for m in remaining] == [owner.email]


async def test_members_of_one_organization_are_invisible_to_another(
    client: AsyncTestClient[Any], owner: Persona, outsider: Persona
) -> None:
    response = await client.get(members_url(owner), headers=outsider.headers)
    assert response.status_code == 404
    assert owner.email not in response.text
