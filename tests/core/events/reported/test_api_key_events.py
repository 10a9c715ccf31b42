"""Creating and revoking API keys, through the API and the keys page, is reported once each."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import AsyncTestClient

from tests.core.events.reported.conftest import Deliveries, activity
from tests.support.accounts import Persona, csrf_token, login_as


async def test_a_key_created_and_revoked_through_the_api_is_reported_once_with_the_caller(
    client: AsyncTestClient[Any],
    deliveries: Deliveries,
    owner: Persona,
) -> None:
    created = await client.post("/api/keys", json={"name": "CI"}, headers=owner.headers)
    assert created.status_code == 201, created.text
    key = created.json()
    revoked = await client.delete(f"/api/keys/{key['prefix']}", headers=owner.headers)
    assert revoked.status_code == 204, revoked.text

    [made] = await activity(client, owner, "api_key.created")
    [gone] = await activity(client, owner, "api_key.revoked")
    for event in (made, gone):
        assert event["data"] == {
            "api_key_id": key["id"],
            "prefix": key["prefix"],
            "name": "CI",
            "owner_user_id": str(owner.user_id),
        }
        assert event["actor"]["user_id"] == str(owner.user_id)
        assert event["actor"]["api_key_id"] == str(owner.api_key_id)
        assert event["actor"]["via"] == "api_key"
    received = await deliveries.of("api_key.created")
    received += await deliveries.of("api_key.revoked")
    assert [payload["id"] for payload in received] == [made["id"], gone["id"]]
    assert key["key"] not in json.dumps(received), "the secret never leaves the create answer"


async def test_a_key_created_and_revoked_on_the_keys_page_is_reported_once_as_the_session_user(
    client: AsyncTestClient[Any],
    deliveries: Deliveries,
    owner: Persona,
) -> None:
    await login_as(client, owner)
    form = {"name": "Laptop", "expires_at": "", "_csrf_token": await csrf_token(client)}
    page = await client.post("/settings/api-keys", data=form)
    assert page.status_code == 200, page.text
    [made] = await activity(client, owner, "api_key.created")
    prefix = made["data"]["prefix"]
    revoke = await client.post(
        f"/settings/api-keys/{prefix}/revoke", data={"_csrf_token": await csrf_token(client)}
    )
    assert revoke.status_code == 200, revoke.text

    [gone] = await activity(client, owner, "api_key.revoked")
    assert made["data"]["name"] == gone["data"]["name"] == "Laptop"
    assert gone["data"]["api_key_id"] == made["data"]["api_key_id"]
    for event in (made, gone):
        assert event["actor"] == {
            "user_id": str(owner.user_id),
            "api_key_id": None,
            "via": "session",
            "email": owner.email,
            "api_key": None,
            "label": f"{owner.email} via session",
        }
    received = await deliveries.of("api_key.created")
    assert [payload["id"] for payload in received] == [made["id"]]
    received = await deliveries.of("api_key.revoked")
    assert [payload["id"] for payload in received] == [gone["id"]]


async def test_a_key_that_could_not_be_created_reports_nothing(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    refused = await client.post(
        "/api/keys",
        json={"name": "old", "expires_at": "2001-01-01T00:00:00Z"},
        headers=owner.headers,
    )
    assert refused.status_code == 422, refused.text
    assert await activity(client, owner, "api_key.created") == []
