"""The home page in a real browser, with no JavaScript CDN reachable."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.browser import chromium_page
from tests.support.processes import ServerProcess, base_env
from tests.support.services import require

pytestmark = pytest.mark.browser


async def test_the_home_page_works_with_the_bundled_htmx_when_the_cdn_is_unreachable(
    tmp_path: Any,
) -> None:
    require("chromium")
    # A CDN address that refuses connections at once, as on a machine without internet.
    env = base_env(
        AGENTA_TEST_CWD=str(tmp_path), AGENTA_HTMX_CDN_URL="http://127.0.0.1:9/htmx.min.js"
    )
    server = ServerProcess(env, tmp_path / "serve.log").start()
    try:
        server.wait_ready()
        async with chromium_page() as page:
            await page.goto(server.url + "/")
            assert await page.title() == "Home · Agenta"
            assert await page.evaluate("typeof window.htmx") == "object"
            assert await page.evaluate("htmx.version") == "2.0.11"
            await page.get_by_role("link", name="API reference").click()
            await page.wait_for_url("**/api/docs")
    finally:
        server.stop()
