"""The service permission check and the ``Secret`` credentials it hands out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
from litestar.testing import AsyncTestClient

from agenta.db import utcnow
from agenta.settings import Settings
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona, csrf_headers, login

CHECK = "/api/access/permissions/check"
RUN_SERVICE = {"action": "run_service", "resource_type": "service"}


async def secret_for(client: AsyncTestClient[Any], persona: Persona) -> str:
    response = await client.get(CHECK, params=RUN_SERVICE, headers=persona.headers)
    assert response.status_code == 200, response.text
    return str(response.json()["credentials"])


async def test_an_allowed_caller_gets_a_secret_credential_for_its_project(
    client: AsyncTestClient[Any], settings: Settings, owner: Persona
) -> None:
    response = await client.get(CHECK, params=RUN_SERVICE, headers=owner.headers)
    body = response.json()
    assert body["effect"] == "allow"
    scheme, token = body["credentials"].split(" ", 1)
    assert scheme == "Secret"
    claims = jwt.decode(token, settings.secret_key, algorithms=["HS256"], audience="agenta:secret")
    assert claims["project_id"] == str(owner.project_id)
    assert claims["organization_id"] == str(owner.organization_id)
    assert claims["user_email"] == owner.email
    assert claims["exp"] - claims["iat"] == 15 * 60


async def test_the_secret_credential_acts_as_the_caller_in_its_project(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    secret = await secret_for(client, owner)
    response = await client.get("/api/projects/current", headers={"Authorization": secret})
    assert response.status_code == 200
    assert response.json()["project_id"] == str(owner.project_id)
    assert response.json()["user_role"] == "owner"


async def test_a_browser_session_can_ask_for_a_secret_too(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login(client, owner.email, owner.password)
    response = await client.get(CHECK, params={**RUN_SERVICE, "project_id": str(owner.project_id)})
    assert response.json()["effect"] == "allow"


async def test_a_forged_or_expired_secret_is_refused(
    client: AsyncTestClient[Any], settings: Settings, owner: Persona
) -> None:
    claims = {
        "sub": str(owner.user_id),
        "project_id": str(owner.project_id),
        "aud": "agenta:secret",
        "exp": utcnow() + timedelta(minutes=5),
    }
    forged = jwt.encode(claims, "another-server-key-that-is-long-enough!!", algorithm="HS256")
    response = await client.get(
        "/api/projects/current", headers={"Authorization": f"Secret {forged}"}
    )
    assert response.status_code == 401
    assert response.json()["message"] == (
        "The Secret credential is not valid: the token signature is not valid"
    )
    expired = jwt.encode(
        {**claims, "exp": utcnow() - timedelta(seconds=1)}, settings.secret_key, algorithm="HS256"
    )
    response = await client.get(
        "/api/projects/current", headers={"Authorization": f"Secret {expired}"}
    )
    assert response.json()["message"] == "The Secret credential is not valid: the token has expired"


async def test_a_session_token_is_not_accepted_as_a_secret(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login(client, owner.email, owner.password)
    access = client.cookies["agenta_access"]
    client.cookies.clear()
    response = await client.get(
        "/api/projects/current", headers={"Authorization": f"Secret {access}"}
    )
    assert response.status_code == 401
    assert "not meant for this use" in response.json()["message"]


async def test_a_removed_member_loses_the_secret_at_once(
    client: AsyncTestClient[Any], owner: Persona, make_persona: MakePersona
) -> None:
    editor = await make_persona("editor")
    secret = await secret_for(client, editor)
    removed = await client.delete(
        f"/api/organizations/{owner.organization_id}/members/{editor.user_id}",
        headers=owner.headers,
    )
    assert removed.status_code == 204, removed.text
    response = await client.get("/api/projects/current", headers={"Authorization": secret})
    assert response.status_code == 403
    assert (await client.get("/api/projects/current", headers=editor.headers)).status_code == 401


async def test_an_action_the_role_lacks_is_denied_and_an_unknown_action_is_a_bad_request(
    client: AsyncTestClient[Any], make_persona: MakePersona
) -> None:
    viewer = await make_persona("viewer")
    denied = await client.get(
        CHECK,
        params={"action": "edit_testsets", "resource_type": "testset"},
        headers=viewer.headers,
    )
    assert denied.status_code == 403
    unknown = await client.get(CHECK, params={"action": "fly"}, headers=viewer.headers)
    assert unknown.status_code == 400
    assert unknown.json()["message"] == "Unknown action 'fly'"
    anonymous = await client.get(CHECK, params=RUN_SERVICE)
    assert anonymous.status_code == 401


async def test_an_unsupported_authorization_scheme_is_named(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/api/projects/current", headers={"Authorization": "Basic abc def"})
    assert response.status_code == 401
    assert response.json()["message"] == (
        "Unsupported authorization scheme 'Basic': use ApiKey, Bearer or Secret"
    )


async def test_a_demoted_members_key_loses_its_rights_at_once(
    client: AsyncTestClient[Any], owner: Persona, make_persona: MakePersona
) -> None:
    developer = await make_persona("developer")
    assert (await client.get("/api/keys", headers=developer.headers)).status_code == 200
    await login(client, owner.email, owner.password)
    changed = await client.put(
        f"/api/organizations/{owner.organization_id}/members/{developer.user_id}",
        json={"role": "viewer"},
        headers=await csrf_headers(client),
    )
    assert changed.status_code == 200, changed.text
    assert (await client.get("/api/keys", headers=developer.headers)).status_code == 403
