"""The authorization code flow end to end: the app, the fake provider over real HTTP, and back."""

from __future__ import annotations

from typing import Any

import pytest

from agenta.platform import Platform
from tests.core.oauth import flow
from tests.core.oauth.conftest import oauth_overrides
from tests.core.oauth.stored import (
    captured_logs,
    identities_of,
    roles_of,
    user_by_email,
    user_count,
)
from tests.fakes.oauth_provider import FakeOAuthProvider, FakeUser, s256


@pytest.mark.parametrize(
    ("provider", "subject"),
    [("oidc", "oidc-user-1"), ("google", "oidc-user-1"), ("github", "4242")],
)
async def test_a_first_log_in_creates_the_user_with_a_personal_project_and_opens_a_session(
    client: Any, platform: Platform, oauth_provider: FakeOAuthProvider, provider: str, subject: str
) -> None:
    response = await flow.log_in(client, provider, next_path="/settings")

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/settings"
    profile = await client.get("/api/profile")
    assert profile.status_code == 200, profile.text
    assert profile.json()["email"] == "ada@example.com"
    user = await user_by_email(platform, "ada@example.com")
    assert user is not None and user.email_verified and user.password_hash is None
    assert user.name == "Ada Lovelace"
    assert await identities_of(platform, user.id) == [(provider, subject)]
    assert await roles_of(platform, user.id) == ["owner"]
    projects = await client.get("/api/projects")
    assert [project["project_name"] for project in projects.json()] == ["Default"]


async def test_the_provider_is_asked_with_state_an_s256_challenge_and_a_nonce(
    client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    await flow.log_in(client, "oidc")

    [asked] = oauth_provider.authorize_requests
    assert asked["client_id"] == oauth_provider.client_id
    assert asked["redirect_uri"] == "http://127.0.0.1:8000/auth/oauth/oidc/callback"
    assert asked["response_type"] == "code"
    assert set(asked["scope"].split()) == {"openid", "email", "profile"}
    assert asked["code_challenge_method"] == "S256"
    assert len(asked["state"]) >= 32 and len(asked["nonce"]) >= 32
    [exchange] = oauth_provider.token_requests
    assert s256(exchange["code_verifier"]) == asked["code_challenge"]
    assert exchange["redirect_uri"] == asked["redirect_uri"]


async def test_github_is_asked_for_the_profile_and_email_scopes_without_a_nonce(
    client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    authorize_url = await flow.start(client, "github")

    assert authorize_url.startswith(f"{oauth_provider.url}/login/oauth/authorize?")
    asked = flow.query_of(authorize_url)
    assert asked["scope"] == "read:user user:email"
    assert asked["code_challenge_method"] == "S256"
    assert "nonce" not in asked


async def test_each_log_in_draws_a_new_state_verifier_and_nonce(
    client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    first = flow.query_of(await flow.start(client, "oidc"))
    second = flow.query_of(await flow.start(client, "oidc"))

    for name in ("state", "code_challenge", "nonce"):
        assert first[name] != second[name]


async def test_a_known_identity_logs_in_as_the_same_user_even_after_an_address_change(
    client: Any, platform: Platform, oauth_provider: FakeOAuthProvider
) -> None:
    await flow.log_in(client, "oidc")
    oauth_provider.user = FakeUser(email="ada@new.example.com")

    response = await flow.log_in(client, "oidc")

    assert response.status_code == 303
    assert (await client.get("/api/profile")).json()["email"] == "ada@example.com"
    assert await user_count(platform) == 1


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
async def test_a_next_address_outside_the_app_is_replaced_by_the_home_page(
    client: Any, oauth_provider: FakeOAuthProvider, target: str
) -> None:
    response = await flow.log_in(client, "oidc", next_path=target)

    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_the_log_in_cookie_is_http_only_lax_short_lived_and_gone_after_the_callback(
    client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    started = await client.get("/auth/oauth/oidc/login", follow_redirects=False)
    [set_cookie] = [
        value
        for name, value in started.headers.multi_items()
        if name == "set-cookie" and value.startswith("agenta_oauth=")
    ]
    attributes = set_cookie.lower()
    assert "httponly" in attributes and "samesite=lax" in attributes
    assert "max-age=600" in attributes and "path=/auth/oauth" in attributes

    finished = await flow.callback(client, await flow.visit_provider(started.headers["location"]))

    assert finished.status_code == 303
    assert "agenta_oauth" not in client.cookies


async def test_a_log_in_writes_no_code_token_state_or_nonce_to_the_logs(
    make_settings: Any,
    database_url: str,
    make_client: Any,
    oauth_provider: FakeOAuthProvider,
) -> None:
    settings = make_settings(database_url, log_level="DEBUG", **oauth_overrides(oauth_provider))
    with captured_logs() as lines:
        async with make_client(settings) as client:
            authorize_url = await flow.start(client, "oidc")
            callback_url = await flow.visit_provider(authorize_url)
            response = await flow.callback(client, callback_url)
    assert response.status_code == 303
    secrets = [
        *flow.query_of(authorize_url).values(),
        flow.query_of(callback_url)["code"],
        oauth_provider.token_requests[0]["code_verifier"],
        client.cookies["agenta_access"],
    ]
    text = "\n".join(lines)
    assert '"oauth log-in"' in text
    for secret in secrets:
        if len(secret) >= 16:
            assert secret not in text


async def test_a_provider_that_rotated_its_signing_key_is_still_trusted(
    client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    assert (await flow.log_in(client, "oidc")).status_code == 303
    oauth_provider.rotate_key()
    client.cookies.clear()

    response = await flow.log_in(client, "oidc")

    assert response.status_code == 303, response.text
