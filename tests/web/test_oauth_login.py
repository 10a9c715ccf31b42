"""Logging in through an OpenID Connect provider in a real browser against ``agenta serve``.

The fake provider runs in this test process; the server is its own process configured through
``AGENTA_OAUTH_OIDC_*`` exactly as an operator would, and Chromium follows every redirect.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.oauth_provider import FakeOAuthProvider
from tests.support.browser import chromium_page
from tests.support.processes import ServerProcess, base_env
from tests.support.services import require

pytestmark = pytest.mark.browser


async def test_a_user_logs_in_from_the_login_page_through_the_provider_and_lands_logged_in(
    tmp_path: Path, oauth_provider: FakeOAuthProvider
) -> None:
    require("chromium")
    oauth_provider.consent = "form"
    env = base_env(AGENTA_TEST_CWD=str(tmp_path), **oauth_provider.env("OIDC", "Fake SSO"))
    server = ServerProcess(env, tmp_path / "serve.log").start()
    try:
        server.wait_ready()
        async with chromium_page() as page:
            await page.goto(server.url + "/login?next=/account")
            await page.get_by_role("link", name="Continue with Fake SSO").click()
            await page.wait_for_url(oauth_provider.url + "/authorize?**")
            await page.get_by_role("button", name="Allow").click()
            await page.wait_for_url(server.url + "/account")

            assert "Signed in as ada@example.com" in await page.inner_text("main")
            cookies = {cookie["name"] for cookie in await page.context.cookies()}
            assert {"agenta_access", "agenta_refresh"} <= cookies
            assert "agenta_oauth" not in cookies
    finally:
        server.stop()
    assert '"oauth log-in"' in server.log()
    [asked] = oauth_provider.authorize_requests
    assert asked["redirect_uri"] == server.url + "/auth/oauth/oidc/callback"
