"""What a callback must prove: its state, the PKCE verifier, the ID token; and clear refusals."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest

from agenta.core.oauth.pending import COOKIE_NAME, seal, unseal
from agenta.platform import Platform
from agenta.settings import Settings
from tests.core.oauth import flow
from tests.core.oauth.stored import captured_logs, user_count
from tests.fakes.oauth_provider import FakeOAuthProvider


def tamper_pending(client: Any, settings: Settings, **changes: Any) -> None:
    """Re-seal the browser's log-in cookie with some fields changed (as only the server can)."""
    pending = unseal(settings, client.cookies[COOKIE_NAME])
    client.cookies.set(COOKIE_NAME, seal(settings, replace(pending, **changes)), path="/auth/oauth")


async def test_a_callback_with_another_state_is_refused_with_400_and_logged_without_secrets(
    client: Any, platform: Platform, oauth_provider: FakeOAuthProvider
) -> None:
    callback_url = await flow.visit_provider(await flow.start(client, "oidc"))
    forged = flow.replace_query(callback_url, state="forged-state-value-0123456789")

    with captured_logs() as lines:
        response = await flow.callback(client, forged)

    assert response.status_code == 400
    assert "state parameter does not match" in response.json()["message"]
    assert "agenta_access" not in client.cookies
    assert await user_count(platform) == 0
    [line] = [line for line in lines if "oauth log-in failed" in line]
    assert '"reason": "state_mismatch"' in line and '"provider": "oidc"' in line
    for secret in (flow.query_of(callback_url)["code"], flow.query_of(callback_url)["state"]):
        assert secret not in "\n".join(lines)


async def test_a_state_mismatch_shows_the_error_page_to_a_browser(
    client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    callback_url = await flow.visit_provider(await flow.start(client, "oidc"))

    response = await flow.callback(
        client, flow.replace_query(callback_url, state="x"), accept="text/html"
    )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "Start again from the log-in page" in response.text


async def test_a_callback_without_the_log_in_cookie_is_a_state_mismatch(
    client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    callback_url = await flow.visit_provider(await flow.start(client, "oidc"))
    client.cookies.delete(COOKIE_NAME, path="/auth/oauth")

    response = await flow.callback(client, callback_url)

    assert response.status_code == 400
    assert "no log-in was started in this browser" in response.json()["message"]
    assert oauth_provider.token_requests == []


async def test_a_forged_log_in_cookie_is_a_state_mismatch(
    client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    callback_url = await flow.visit_provider(await flow.start(client, "oidc"))
    client.cookies.set(COOKIE_NAME, "gAAAAABforged", path="/auth/oauth")

    response = await flow.callback(client, callback_url)

    assert response.status_code == 400
    assert "the log-in cookie is not valid" in response.json()["message"]


async def test_a_log_in_older_than_ten_minutes_is_a_state_mismatch(
    client: Any, settings: Settings, oauth_provider: FakeOAuthProvider
) -> None:
    callback_url = await flow.visit_provider(await flow.start(client, "oidc"))
    tamper_pending(client, settings, expires_at=time.time() - 1)

    response = await flow.callback(client, callback_url)

    assert response.status_code == 400
    assert "longer than ten minutes" in response.json()["message"]


async def test_a_callback_to_another_provider_than_the_log_in_started_with_is_refused(
    client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    callback_url = await flow.visit_provider(await flow.start(client, "oidc"))

    response = await flow.callback(client, callback_url.replace("/oidc/", "/google/"))

    assert response.status_code == 400
    assert "started with another provider" in response.json()["message"]


async def test_a_tampered_pkce_verifier_is_refused_by_the_provider_and_no_session_opens(
    client: Any, settings: Settings, platform: Platform, oauth_provider: FakeOAuthProvider
) -> None:
    callback_url = await flow.visit_provider(await flow.start(client, "oidc"))
    tamper_pending(client, settings, code_verifier="a-verifier-of-another-log-in-" + "x" * 30)

    response = await flow.callback(client, callback_url)

    assert response.status_code == 400
    assert "refused the log-in code (invalid_grant)" in response.json()["message"]
    assert oauth_provider.token_requests[0]["code_verifier"].startswith("a-verifier-of-another")
    assert "agenta_access" not in client.cookies
    assert await user_count(platform) == 0


async def test_a_code_cannot_be_used_twice(client: Any, oauth_provider: FakeOAuthProvider) -> None:
    authorize_url = await flow.start(client, "oidc")
    callback_url = await flow.visit_provider(authorize_url)
    assert (await flow.callback(client, callback_url)).status_code == 303

    replayed = await flow.callback(client, callback_url)

    assert replayed.status_code == 400
    assert "no log-in was started" in replayed.json()["message"]


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"nonce": "a-nonce-of-another-log-in"}, "its nonce does not match this log-in"),
        ({"nonce": None}, "its nonce does not match this log-in"),
        ({"aud": "another-client"}, "its aud claim is wrong or missing"),
        ({"iss": "https://impostor.example"}, "its iss claim is wrong or missing"),
        ({"exp": int(time.time()) - 3600}, "it has expired"),
    ],
)
async def test_an_id_token_failing_a_claim_check_is_refused_with_400(
    client: Any,
    platform: Platform,
    oauth_provider: FakeOAuthProvider,
    claims: dict[str, Any],
    message: str,
) -> None:
    oauth_provider.id_token_claims = claims

    response = await flow.log_in(client, "oidc")

    assert response.status_code == 400
    assert message in response.json()["message"]
    assert await user_count(platform) == 0


async def test_an_id_token_signed_with_a_key_the_provider_does_not_publish_is_refused(
    client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    oauth_provider.sign_with_foreign_key = True

    response = await flow.log_in(client, "oidc")

    assert response.status_code == 400
    assert "its signature is not valid" in response.json()["message"]


async def test_declining_consent_at_the_provider_is_a_clear_403(
    client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    oauth_provider.consent = "deny"

    response = await flow.log_in(client, "github")

    assert response.status_code == 403
    assert response.json()["message"] == "Log-in with GitHub was cancelled: access was not granted"


async def test_a_token_endpoint_that_is_down_gives_502_naming_the_provider(
    client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    oauth_provider.token_status = 503

    response = await flow.log_in(client, "oidc")

    assert response.status_code == 502
    assert "Fake SSO could not be reached" in response.json()["message"]


async def test_a_provider_whose_discovery_cannot_be_reached_gives_502_at_the_start(
    make_settings: Any, database_url: str, make_client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    unreachable = oauth_provider.oauth_client("Corporate SSO")
    unreachable = replace(unreachable, discovery_url="http://127.0.0.1:9/.well-known/x")
    async with make_client(make_settings(database_url, oauth_oidc=unreachable)) as client:
        response = await client.get("/auth/oauth/oidc/login", follow_redirects=False)

    assert response.status_code == 502
    assert "Corporate SSO could not be reached" in response.json()["message"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/auth/oauth/facebook/login", "There is no log-in provider called 'facebook'"),
        ("/auth/oauth/oidc/login", "Log-in with Single sign-on is not configured on this server"),
    ],
)
async def test_an_unknown_or_unconfigured_provider_is_a_404(
    make_settings: Any, database_url: str, make_client: Any, path: str, message: str
) -> None:
    async with make_client(make_settings(database_url)) as client:
        response = await client.get(path, follow_redirects=False)

    assert response.status_code == 404
    assert response.json()["message"] == message
