"""API keys over HTTP: every accepted header form, expiry, revocation, isolation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import update

from agenta.core.accounts.models import ApiKey
from agenta.db import utcnow
from agenta.platform import Platform
from tests.support.accounts import Persona, api_headers, make_api_key


async def test_the_current_project_answers_the_keys_organization_workspace_and_project(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    response = await client.get("/api/projects/current", headers=owner.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["organization_id"] == str(owner.organization_id)
    assert body["workspace_id"] == str(owner.workspace_id)
    assert body["project_id"] == str(owner.project_id)


async def test_a_key_is_accepted_with_apikey_bearer_and_no_scheme(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    assert owner.api_key is not None
    for scheme in ("ApiKey", "Bearer", ""):
        response = await client.get(
            "/api/projects/current", headers=api_headers(owner.api_key, scheme)
        )
        assert response.status_code == 200, (scheme, response.text)


async def test_a_request_without_credentials_gets_401_with_a_challenge(
    client: AsyncTestClient[Any],
) -> None:
    response = await client.get("/api/projects/current")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "ApiKey"


async def test_a_wrong_key_gets_401_naming_the_problem(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    assert owner.api_key is not None
    forged = owner.api_key[:9] + "0" * 64
    response = await client.get("/api/projects/current", headers=api_headers(forged))
    assert response.status_code == 401
    assert response.json()["message"] == "The API key is not valid"
    malformed = await client.get("/api/projects/current", headers=api_headers("hello"))
    assert "malformed" in malformed.json()["message"]


async def test_an_expired_key_is_refused(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    raw, _ = await make_api_key(platform, owner, expires_at=utcnow() + timedelta(seconds=1))
    async with platform.db.session() as session:
        await session.execute(
            update(ApiKey)
            .where(ApiKey.prefix == raw[:8])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    response = await client.get("/api/projects/current", headers=api_headers(raw))
    assert response.status_code == 401
    assert response.json()["message"] == "The API key has expired"


async def test_a_revoked_key_stops_working_at_once(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    created = await client.post("/api/keys", json={"name": "ci"}, headers=owner.headers)
    assert created.status_code == 201, created.text
    raw = created.json()["key"]
    assert (await client.get("/api/projects/current", headers=api_headers(raw))).status_code == 200
    revoked = await client.delete(f"/api/keys/{raw[:8]}", headers=owner.headers)
    assert revoked.status_code == 204
    response = await client.get("/api/projects/current", headers=api_headers(raw))
    assert response.status_code == 401
    assert response.json()["message"] == "The API key has been revoked"


async def test_keys_are_listed_without_their_secret(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    listed = (await client.get("/api/keys", headers=owner.headers)).json()
    assert [key["prefix"] for key in listed] == [owner.api_key[:8]]  # type: ignore[index]
    assert owner.api_key not in str(listed)  # type: ignore[operator]
    assert listed[0]["last_used_at"] is not None


async def test_a_key_cannot_revoke_another_projects_key(
    client: AsyncTestClient[Any], owner: Persona, outsider: Persona
) -> None:
    response = await client.delete(f"/api/keys/{owner.api_key[:8]}", headers=outsider.headers)  # type: ignore[index]
    assert response.status_code == 404
    still = await client.get("/api/projects/current", headers=owner.headers)
    assert still.status_code == 200


async def test_a_key_asking_for_another_project_is_refused(
    client: AsyncTestClient[Any], owner: Persona, outsider: Persona
) -> None:
    response = await client.get(
        "/api/projects/current",
        params={"project_id": str(owner.project_id)},
        headers=outsider.headers,
    )
    assert response.status_code == 403
