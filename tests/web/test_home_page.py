"""The home page and the API reference in a real browser, with no JavaScript CDN reachable."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.browser import chromium_page
from tests.support.processes import ServerProcess, base_env
from tests.support.services import require

pytestmark = pytest.mark.browser


STAND_IN_SWAGGER_UI = """
window.SwaggerUIBundle = function () {
  window.swaggerStarted = true;
  return { initOAuth: function () {} };
};
SwaggerUIBundle.presets = { apis: {} };
"""


async def serve_stand_in_swagger_ui(route: Any) -> None:
    await route.fulfill(body=STAND_IN_SWAGGER_UI, content_type="application/javascript")


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
            await page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
            await page.goto(server.url + "/")
            assert await page.title() == "Home · Agenta"
            assert await page.evaluate("typeof window.htmx") == "object"
            assert await page.evaluate("htmx.version") == "2.0.11"
            await page.get_by_role("link", name="API reference").click()
            await page.wait_for_url("**/api/docs")
            notice = page.locator("#swagger-unavailable")
            await notice.wait_for()
            assert "could not be loaded from cdn.jsdelivr.net" in await notice.inner_text()
            await notice.get_by_role("link", name="/api/openapi.json").click()
            await page.wait_for_url("**/api/openapi.json")

            # With the scripts reachable (a stand-in bundle here) the notice stays hidden.
            await page.unroute("https://cdn.jsdelivr.net/**")
            await page.route("https://cdn.jsdelivr.net/**", serve_stand_in_swagger_ui)
            await page.goto(server.url + "/api/docs")
            await page.wait_for_function("window.swaggerStarted === true")
            assert not await page.locator("#swagger-unavailable").is_visible()
    finally:
        server.stop()
