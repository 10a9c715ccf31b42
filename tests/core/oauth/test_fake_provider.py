"""The fake provider keeps the rules the app relies on it to enforce."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.core.oauth.flow import query_of
from tests.fakes.oauth_provider import FakeOAuthProvider, s256

REDIRECT = "http://127.0.0.1:8000/auth/oauth/oidc/callback"
VERIFIER = "the-verifier-" + "v" * 40


def authorize(provider: FakeOAuthProvider, **changes: str) -> httpx.Response:
    params = {
        "client_id": provider.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": "openid email",
        "state": "s",
        "nonce": "n",
        "code_challenge": s256(VERIFIER),
        "code_challenge_method": "S256",
        **changes,
    }
    return httpx.get(f"{provider.url}/authorize", params=params, follow_redirects=False)


def exchange(provider: FakeOAuthProvider, code: str, **changes: str) -> httpx.Response:
    auth = (provider.client_id, changes.pop("secret", provider.client_secret))
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER,
        **changes,
    }
    return httpx.post(f"{provider.url}/token", data=form, auth=auth)


def code_from(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    return query_of(response.headers["location"])["code"]


def test_it_issues_tokens_for_the_right_verifier(oauth_provider: FakeOAuthProvider) -> None:
    answer = exchange(oauth_provider, code_from(authorize(oauth_provider)))

    assert answer.status_code == 200
    assert {"access_token", "id_token"} <= set(answer.json())


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        ({"code_verifier": "another-verifier-" + "w" * 40}, 400, "invalid_grant"),
        ({"code_verifier": ""}, 400, "invalid_grant"),
        ({"redirect_uri": "http://127.0.0.1:8000/elsewhere"}, 400, "invalid_grant"),
        ({"secret": "wrong-secret"}, 401, "invalid_client"),
    ],
)
def test_it_refuses_a_token_request_that_breaks_a_rule(
    oauth_provider: FakeOAuthProvider, changes: dict[str, Any], status: int, error: str
) -> None:
    answer = exchange(oauth_provider, code_from(authorize(oauth_provider)), **changes)

    assert answer.status_code == status
    assert answer.json()["error"] == error


def test_a_code_is_good_for_one_exchange_only(oauth_provider: FakeOAuthProvider) -> None:
    code = code_from(authorize(oauth_provider))

    assert exchange(oauth_provider, code).status_code == 200
    assert exchange(oauth_provider, code).json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "changes",
    [{"code_challenge_method": "plain"}, {"code_challenge": ""}, {"client_id": "stranger"}],
)
def test_it_refuses_an_authorization_request_without_s256_pkce_or_from_a_stranger(
    oauth_provider: FakeOAuthProvider, changes: dict[str, str]
) -> None:
    assert authorize(oauth_provider, **changes).status_code == 400


def test_the_consent_form_sends_the_user_back_with_a_code_or_a_refusal(
    oauth_provider: FakeOAuthProvider,
) -> None:
    oauth_provider.consent = "form"
    outcomes = {}
    for decision in ("allow", "deny"):
        page = authorize(oauth_provider)
        ticket = page.text.split("name='ticket' value='")[1].split("'")[0]
        answer = httpx.post(
            f"{oauth_provider.url}/authorize/decision",
            data={"ticket": ticket, "decision": decision},
        )
        outcomes[decision] = query_of(answer.headers["location"])

    assert "code" in outcomes["allow"] and outcomes["allow"]["state"] == "s"
    assert outcomes["deny"] == {"state": "s", "error": "access_denied"}
