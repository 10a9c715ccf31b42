"""The authorization code flow end to end: the app, the fake provider over real HTTP, and back."""

from __future__ import annotations

from typing import Any

from tests.core.oauth import flow
from tests.fakes.oauth_provider import FakeOAuthProvider


async def test_an_oidc_log_in_creates_the_user_and_opens_a_session(
    client: Any, oauth_provider: FakeOAuthProvider
) -> None:
    response = await flow.log_in(client, "oidc", next_path="/settings")

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/settings"
    assert "agenta_access" in client.cookies and "agenta_refresh" in client.cookies
    me = await client.get("/api/profile")
    assert me.status_code == 200, me.text
    assert me.json()["email"] == "ada@example.com"
