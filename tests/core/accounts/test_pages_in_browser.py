"""The account pages in Chromium against a real server: sign up, log in, API keys,
invitations, and switching projects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.browser import chromium_page
from tests.support.processes import ServerProcess, served
from tests.support.services import require

pytestmark = pytest.mark.browser

PASSWORD = "browser tested password"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    require("chromium")
    with served(tmp_path) as process:
        yield process


async def sign_up(page: Any, base: str, email: str, name: str, next_path: str = "/") -> None:
    await page.goto(f"{base}/signup?next={next_path}")
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign up").click()


async def click_and_cancel(page: Any, button: Any) -> list[str]:
    """Click ``button``, answering every confirmation it raises with Cancel; the questions."""
    questions: list[str] = []

    async def cancel(dialog: Any) -> None:
        questions.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", cancel)
    await button.click()
    page.remove_listener("dialog", cancel)
    return questions


async def test_signing_up_logging_out_and_in_again(server: ServerProcess) -> None:
    async with chromium_page() as page:
        await sign_up(page, server.url, "ada@example.com", "Ada", "/settings")
        await page.wait_for_url("**/settings")
        assert await page.locator("h2").first.inner_text() == "Default"
        await page.get_by_role("button", name="Log out").click()
        await page.wait_for_url("**/login")
        await page.get_by_label("E-mail").fill("ada@example.com")
        await page.get_by_label("Password").fill("not my password")
        await page.get_by_role("button", name="Log in").click()
        assert "Wrong e-mail or password" in await page.content()
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Log in").click()
        await page.wait_for_url(server.url + "/")
        await page.goto(server.url + "/account")
        assert "ada@example.com" in await page.content()


async def test_creating_an_api_key_that_the_sdk_can_use(server: ServerProcess) -> None:
    async with chromium_page() as page:
        await sign_up(page, server.url, "keys@example.com", "Keys", "/settings/api-keys")
        await page.wait_for_url("**/settings/api-keys")
        await page.get_by_label("Key name").fill("notebook")
        await page.get_by_role("button", name="Create key").click()
        key = (await page.locator("#new-api-key").inner_text()).strip()
        assert await page.locator("tr[data-prefix]").count() == 1
        questions = await click_and_cancel(page, page.get_by_role("button", name="Revoke"))
        assert questions == [
            "Revoke the API key notebook? "
            "Programs using it stop working at once; this cannot be undone."
        ]
        # Still the page that showed the key once: the form was never posted.
        assert await page.locator("#new-api-key").count() == 1
        assert await page.locator("tr[data-prefix]").count() == 1
    response = httpx.get(
        server.url + "/api/projects/current", headers={"Authorization": f"ApiKey {key}"}
    )
    assert response.status_code == 200
    assert response.json()["project_name"] == "Default"


async def test_inviting_a_member_who_signs_up_and_accepts(server: ServerProcess) -> None:
    async with chromium_page() as owner_page:
        await sign_up(owner_page, server.url, "owner@example.com", "Owner", "/settings/members")
        await owner_page.wait_for_url("**/settings/members")
        await owner_page.get_by_label("E-mail to invite").fill("editor@example.com")
        await owner_page.get_by_label("Role to invite with").select_option("editor")
        await owner_page.get_by_role("button", name="Invite").click()
        link = (await owner_page.locator("#invitation-link").inner_text()).strip()
        assert link.startswith(server.url + "/invitations/")
        invitee_context = await owner_page.context.browser.new_context()
        invitee = await invitee_context.new_page()
        await invitee.goto(link)
        assert "as editor" in await invitee.locator("main").inner_text()
        await invitee.get_by_role("link", name="Sign up to accept").click()
        assert await invitee.get_by_label("E-mail").input_value() == "editor@example.com"
        await invitee.get_by_label("Name").fill("Eddie")
        await invitee.get_by_label("Password").fill(PASSWORD)
        await invitee.get_by_role("button", name="Sign up").click()
        await invitee.wait_for_url(link)
        await invitee.get_by_role("button", name="Accept the invitation").click()
        await invitee.wait_for_url("**/settings/members")
        row = invitee.locator('tr[data-email="editor@example.com"]')
        assert "editor" in await row.inner_text()
        await owner_page.reload()
        assert await owner_page.locator('tr[data-email="editor@example.com"]').count() == 1


async def test_switching_between_projects(server: ServerProcess) -> None:
    async with chromium_page() as page:
        await sign_up(page, server.url, "switch@example.com", "Switch", "/settings")
        await page.wait_for_url("**/settings")
        await page.get_by_label("Project name").fill("Second project")
        await page.get_by_role("button", name="Create project").click()
        await page.wait_for_url("**/settings")
        assert await page.locator("h2").first.inner_text() == "Second project"
        switcher = page.get_by_label("Project", exact=True)
        await switcher.wait_for()  # the top bar loads it with htmx
        assert await switcher.locator("option:checked").inner_text() == "Second project"
        await switcher.select_option(label="Default")
        await page.wait_for_function("document.querySelector('h2').innerText === 'Default'")
        assert await page.locator("h2").first.inner_text() == "Default"
