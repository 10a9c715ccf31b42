"""Browser sessions: cookies, log-out, refresh rotation, forged tokens, password changes, CSRF."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from agenta.core.accounts.models import BrowserSession
from agenta.db import utcnow
from agenta.platform import Platform
from agenta.settings import Settings
from tests.support.accounts import Persona, csrf_headers, csrf_token, login


def set_cookie_headers(response: Any) -> list[str]:
    return [value for name, value in response.headers.multi_items() if name == "set-cookie"]


async def test_logging_in_sets_http_only_lax_session_cookies(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={"email": owner.email, "password": owner.password, "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookies = {value.split("=")[0]: value.lower() for value in set_cookie_headers(response)}
    for name in ("agenta_access", "agenta_refresh"):
        assert "httponly" in cookies[name]
        assert "samesite=lax" in cookies[name]
        assert "secure" not in cookies[name]


async def test_session_cookies_are_secure_when_the_public_url_is_https(
    make_settings: Any, database_url: str, make_client: Any, platform: Platform, owner: Persona
) -> None:
    settings: Settings = make_settings(database_url, public_url="https://agenta.example.com")
    async with make_client(settings) as client:
        token = await csrf_token(client)
        response = await client.post(
            "/login",
            data={"email": owner.email, "password": owner.password, "_csrf_token": token},
            follow_redirects=False,
        )
    assert all("secure" in value.lower() for value in set_cookie_headers(response))


async def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    token = await csrf_token(client)
    for email in (owner.email, "nobody@example.com"):
        response = await client.post(
            "/login", data={"email": email, "password": "wrong password", "_csrf_token": token}
        )
        assert response.status_code == 400
        assert "Wrong e-mail or password" in response.text
    assert "agenta_access" not in client.cookies


async def test_a_logged_in_browser_reaches_the_api_in_its_project(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login(client, owner.email, owner.password)
    response = await client.get("/api/projects/current")
    assert response.status_code == 200
    assert response.json()["project_id"] == str(owner.project_id)


async def test_logging_out_ends_the_session_at_once(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login(client, owner.email, owner.password)
    stolen = client.cookies["agenta_access"]
    response = await client.post(
        "/logout", data={"_csrf_token": await csrf_token(client)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    client.cookies.clear()
    client.cookies.set("agenta_access", stolen)
    replayed = await client.get("/api/projects/current")
    assert replayed.status_code == 401
    assert "session has ended" in replayed.json()["message"]


def expired_access_token(settings: Settings, access: str) -> str:
    claims = jwt.decode(access, options={"verify_signature": False})
    claims["exp"] = claims["iat"] - 10
    return jwt.encode(claims, settings.secret_key, algorithm="HS256")


async def test_an_expired_access_token_is_renewed_with_the_refresh_token(
    client: AsyncTestClient[Any], settings: Settings, owner: Persona
) -> None:
    await login(client, owner.email, owner.password)
    old_refresh = client.cookies["agenta_refresh"]
    client.cookies.set(
        "agenta_access", expired_access_token(settings, client.cookies["agenta_access"])
    )
    response = await client.get("/api/projects/current")
    assert response.status_code == 200
    assert client.cookies["agenta_refresh"] != old_refresh


async def test_an_expired_access_token_without_refresh_token_is_refused(
    client: AsyncTestClient[Any], settings: Settings, owner: Persona
) -> None:
    await login(client, owner.email, owner.password)
    expired = expired_access_token(settings, client.cookies["agenta_access"])
    client.cookies.clear()
    client.cookies.set("agenta_access", expired)
    response = await client.get("/api/projects/current")
    assert response.status_code == 401
    assert (
        response.json()["message"]
        == "The session is not valid: the token has expired; log in again"
    )


async def test_a_reused_refresh_token_ends_the_whole_session(
    client: AsyncTestClient[Any], settings: Settings, platform: Platform, owner: Persona
) -> None:
    await login(client, owner.email, owner.password)
    first_refresh = client.cookies["agenta_refresh"]
    client.cookies.set(
        "agenta_access", expired_access_token(settings, client.cookies["agenta_access"])
    )
    assert (await client.get("/api/projects/current")).status_code == 200
    rotated_refresh = client.cookies["agenta_refresh"]
    async with platform.db.session() as session:  # the grace period for racing tabs is over
        await session.execute(
            update(BrowserSession).values(rotated_at=utcnow() - timedelta(minutes=5))
        )
    client.cookies.clear()
    client.cookies.set("agenta_refresh", first_refresh)
    replay = await client.get("/api/projects/current")
    assert replay.status_code == 401
    cleared = [value.lower() for value in set_cookie_headers(replay)]
    assert any(v.startswith("agenta_refresh=") and "max-age=0" in v for v in cleared)
    client.cookies.clear()
    client.cookies.set("agenta_refresh", rotated_refresh)
    assert (await client.get("/api/projects/current")).status_code == 401


async def test_parallel_requests_racing_with_one_refresh_token_all_succeed(
    client: AsyncTestClient[Any], settings: Settings, owner: Persona
) -> None:
    await login(client, owner.email, owner.password)
    refresh = client.cookies["agenta_refresh"]
    for _ in range(2):  # the second tab still holds the token the first one rotated
        client.cookies.clear()
        client.cookies.set("agenta_refresh", refresh)
        assert (await client.get("/api/projects/current")).status_code == 200


async def test_a_token_signed_with_another_key_is_refused(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    forged = jwt.encode(
        {
            "sub": str(owner.user_id),
            "sid": str(owner.user_id),
            "aud": "agenta:access",
            "exp": 2**40,
        },
        "someone-elses-secret-key-of-sufficient-length",
        algorithm="HS256",
    )
    client.cookies.set("agenta_access", forged)
    response = await client.get("/api/projects/current")
    assert response.status_code == 401
    assert response.json()["message"] == (
        "The session is not valid: the token signature is not valid; log in again"
    )


async def test_pages_send_anonymous_visitors_to_the_login_page(
    client: AsyncTestClient[Any],
) -> None:
    response = await client.get(
        "/settings/members?x=1", headers={"accept": "text/html"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/settings/members%3Fx%3D1"
    htmx = await client.get("/settings/members", headers={"hx-request": "true"})
    assert htmx.status_code == 401
    assert htmx.headers["hx-redirect"] == "/login?next=/settings/members"


async def test_changing_the_password_logs_out_the_other_sessions(
    settings: Settings, make_client: Any, owner: Persona
) -> None:
    async with make_client(settings) as laptop, make_client(settings) as phone:
        await login(laptop, owner.email, owner.password)
        await login(phone, owner.email, owner.password)
        response = await laptop.post(
            "/api/profile/password",
            json={"current_password": owner.password, "new_password": "a brand new password"},
            headers=await csrf_headers(laptop),
        )
        assert response.status_code == 200, response.text
        assert (await laptop.get("/api/profile")).status_code == 200
        assert (await phone.get("/api/profile")).status_code == 401
        await login(phone, owner.email, "a brand new password")


async def test_a_wrong_current_password_does_not_change_the_password(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login(client, owner.email, owner.password)
    response = await client.post(
        "/api/profile/password",
        json={"current_password": "not it at all", "new_password": "a brand new password"},
        headers=await csrf_headers(client),
    )
    assert response.status_code == 400
    assert response.json()["message"] == "The current password is not correct"


async def test_a_session_write_without_csrf_token_is_refused(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login(client, owner.email, owner.password)
    refused = await client.post("/api/keys", json={"name": "x"})
    assert refused.status_code == 403
    assert refused.json()["message"] == "CSRF token verification failed"
    accepted = await client.post(
        "/api/keys", json={"name": "x"}, headers=await csrf_headers(client)
    )
    assert accepted.status_code == 201


async def test_a_login_form_without_csrf_token_is_refused(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await csrf_token(client)
    response = await client.post("/login", data={"email": owner.email, "password": owner.password})
    assert response.status_code == 403
    assert "agenta_access" not in client.cookies


async def test_a_key_request_ignores_session_cookies_and_needs_no_csrf_token(
    client: AsyncTestClient[Any], owner: Persona, outsider: Persona
) -> None:
    await login(client, owner.email, owner.password)
    response = await client.post("/api/keys", json={"name": "x"}, headers=outsider.headers)
    assert response.status_code == 201
    mine = await client.get("/api/projects/current", headers=outsider.headers)
    assert mine.json()["project_id"] == str(outsider.project_id)
