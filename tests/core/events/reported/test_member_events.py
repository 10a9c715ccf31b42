"""Inviting an address and joining through the invitation, by API and by page, are reported once
each in the organization's default project, by the inviter and by the new member."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from tests.core.events.reported.conftest import Deliveries, activity
from tests.support.accounts import Persona, csrf_headers, csrf_token, login, login_as, make_user


def described(event: dict[str, Any]) -> tuple[str, str, str, str]:
    data = event["data"]
    return data["organization_id"], data["email"], data["role"], data["name"]


async def test_an_invitation_and_its_acceptance_through_the_api_are_reported_once_each(
    client: AsyncTestClient[Any],
    deliveries: Deliveries,
    owner: Persona,
) -> None:
    invitee = await make_user(deliveries.platform, email="new.member@example.com")
    invited = await client.post(
        f"/api/organizations/{owner.organization_id}/invitations",
        json={"email": invitee.email, "role": "editor"},
        headers=owner.headers,
    )
    assert invited.status_code == 201, invited.text
    token = invited.json()["url"].rsplit("/", 1)[1]
    await login(client, invitee.email, invitee.password)
    accepted = await client.post(
        "/api/invitations/accept", json={"token": token}, headers=await csrf_headers(client)
    )
    assert accepted.status_code == 200, accepted.text

    expected = (str(owner.organization_id), invitee.email, "editor", invitee.email)
    [invitation] = await activity(client, owner, "member.invited")
    [joined] = await activity(client, owner, "member.joined")
    assert described(invitation) == described(joined) == expected
    assert invitation["data"]["invitation_id"] == joined["data"]["invitation_id"]
    assert invitation["data"]["invitation_id"] == invited.json()["id"]
    assert joined["data"]["user_id"] == str(invitee.user_id)
    assert invitation["actor"]["api_key_id"] == str(owner.api_key_id)
    assert joined["actor"]["label"] == f"{invitee.email} via session"
    assert {invitation["project_id"], joined["project_id"]} == {str(owner.project_id)}
    received = await deliveries.of("member.invited")
    received += await deliveries.of("member.joined")
    assert [payload["id"] for payload in received] == [invitation["id"], joined["id"]]


async def test_an_invitation_and_its_acceptance_on_the_pages_are_reported_once_each(
    client: AsyncTestClient[Any],
    deliveries: Deliveries,
    owner: Persona,
) -> None:
    invitee = await make_user(deliveries.platform)
    await login_as(client, owner)
    form = {"email": invitee.email, "role": "viewer", "_csrf_token": await csrf_token(client)}
    page = await client.post("/settings/invitations", data=form)
    assert page.status_code == 200, page.text
    [link] = re.findall(r'<code id="invitation-link">[^<]*/invitations/([^<]+)</code>', page.text)
    await login(client, invitee.email, invitee.password)
    accepted = await client.post(
        f"/invitations/{link}/accept",
        data={"_csrf_token": await csrf_token(client)},
        follow_redirects=False,
    )
    assert accepted.status_code in (302, 303), accepted.text

    expected = (str(owner.organization_id), invitee.email, "viewer", invitee.email)
    [invitation] = await activity(client, owner, "member.invited")
    [joined] = await activity(client, owner, "member.joined")
    assert described(invitation) == described(joined) == expected
    assert invitation["actor"]["label"] == f"{owner.email} via session"
    assert joined["actor"]["user_id"] == str(invitee.user_id)
    received = await deliveries.of("member.invited")
    received += await deliveries.of("member.joined")
    assert [payload["id"] for payload in received] == [invitation["id"], joined["id"]]


async def test_a_refused_invitation_reports_nothing(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    refused = await client.post(
        f"/api/organizations/{owner.organization_id}/invitations",
        json={"email": owner.email, "role": "viewer"},
        headers=owner.headers,
    )
    assert refused.status_code == 409, refused.text
    assert await activity(client, owner, "member") == []
