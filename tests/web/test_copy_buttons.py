"""The endpoints page's Copy buttons in Chromium: through the Clipboard API where the page may
use it, and by selecting the snippet where it may not (plain http on another host than
localhost), saying so on the button either way."""

from __future__ import annotations

import re

import pytest

from tests.support.browser import chromium_page
from tests.support.processes import ServerProcess
from tests.web.test_playground import sign_up_and_create_app

pytestmark = pytest.mark.browser

NO_CLIPBOARD_API = "Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined})"


async def test_snippets_are_copied_with_or_without_the_clipboard_api(
    server: ServerProcess,
) -> None:
    async with chromium_page() as page:
        await page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        await sign_up_and_create_app(page, server.url)
        app_path = re.search(r"/apps/[0-9a-f-]{36}", page.url)
        assert app_path, page.url
        await page.goto(f"{server.url}{app_path.group()}/endpoints")
        curl, python = page.locator("#snippet-curl"), page.locator("#snippet-python")

        await page.locator("[data-copy='#snippet-curl']").click()
        await page.locator("[data-copy='#snippet-curl']", has_text="Copied").wait_for()
        assert await page.evaluate("navigator.clipboard.readText()") == await curl.inner_text()

        await page.evaluate(NO_CLIPBOARD_API)
        button = page.locator("[data-copy='#snippet-python']")
        await button.click()

        assert await page.evaluate("String(window.getSelection())") == await python.inner_text()
        assert await button.inner_text() in {"Copied", "Press Ctrl+C to copy"}
