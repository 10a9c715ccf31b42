"""The playground in Chromium against a real ``agenta serve`` whose model provider is the fake
LLM server: a prompt is edited, run with its answer streamed in, compared with a copy of the
draft, committed, deployed to production twice and rolled back on the environment page; the
unsaved-changes badge and the question before a deploy would drop an edited draft.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.llm_state import FakeLLM
from tests.support.browser import chromium_page
from tests.support.processes import ServerProcess, served
from tests.support.services import require

pytestmark = pytest.mark.browser

PASSWORD = "playground tested password"
QUESTION = "Name three rivers of {{country}} please"
ANSWER = "Name three rivers of Peru please"


@pytest.fixture
def server(tmp_path: Path, fake_llm_server: FakeLLM) -> Iterator[ServerProcess]:
    """A server whose model provider is the fake LLM server."""
    require("chromium")
    with served(tmp_path, **fake_llm_server.env()) as process:
        yield process


async def sign_up_and_create_app(page: Any, base: str, app_type: str = "completion") -> None:
    await page.goto(f"{base}/signup?next=/apps")
    await page.get_by_label("Name").fill("Ada")
    await page.get_by_label("E-mail").fill("ada@example.com")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign up").click()
    await page.wait_for_url("**/apps")
    await page.get_by_label("Slug").fill("rivers")
    await page.get_by_label("Type").select_option(app_type)
    await page.get_by_role("button", name="Create app").click()
    await page.wait_for_url("**/apps/*")


async def deploy_shown_column(page: Any, version: int) -> None:
    column = page.locator(".pg-column").first
    await column.locator("summary", has_text="Save or deploy").click()
    await column.get_by_label(f"Environment to deploy v{version} to").select_option("production")
    await column.get_by_role("button", name=f"Deploy v{version}").click()
    await page.get_by_text(f"Deployed default v{version} to production").wait_for()


async def test_a_draft_is_run_compared_committed_deployed_and_rolled_back(
    server: ServerProcess, fake_llm: FakeLLM
) -> None:
    fake_llm.token_delay = 0.08
    async with chromium_page() as page:
        page.on("dialog", lambda dialog: dialog.accept())
        await sign_up_and_create_app(page, server.url)
        await page.get_by_role("link", name="Playground", exact=True).click()
        await page.wait_for_url("**/playground")
        playground_url = page.url
        await deploy_shown_column(page, 1)

        await page.goto(playground_url)
        first = page.locator(".pg-column").first
        message = first.get_by_label("Content of message 2")
        await message.fill(QUESTION)
        await message.blur()
        await page.get_by_label("Input country").fill("Peru")
        assert await first.locator(".pg-dirty").is_visible()

        await page.get_by_role("button", name="Run").click()
        # The answer arrives word by word: some of it shows while the column still runs.
        await page.wait_for_function(
            "() => { const c = document.querySelector('.pg-column');"
            " const text = c.querySelector('.pg-output').textContent;"
            " return c.dataset.state === 'running' && text.length > 0; }"
        )
        await page.wait_for_selector(".pg-column[data-state=done]")
        assert await first.locator(".pg-output").inner_text() == ANSWER
        meta = await first.locator(".pg-meta").inner_text()
        assert "tokens" in meta and "latency" in meta
        trace_link = await first.locator("a.pg-trace").get_attribute("href")
        assert trace_link is not None and trace_link.startswith("/observability/traces/")

        await page.get_by_role("button", name="Copy draft").click()
        await page.locator(".pg-column").nth(1).wait_for()
        await page.get_by_role("button", name="Run").click()
        await page.wait_for_function(
            "() => [...document.querySelectorAll('.pg-column')]"
            ".every(c => c.dataset.state === 'done')"
        )
        outputs = await page.locator(".pg-output").all_inner_texts()
        assert outputs == [ANSWER, ANSWER]

        await first.locator("summary", has_text="Save or deploy").click()
        await first.get_by_label("Commit message").fill("Ask about rivers")
        await first.get_by_role("button", name="Commit").click()
        await page.get_by_text("Committed default v2").wait_for()
        assert (
            await page.locator(".pg-column")
            .first.get_by_label("Content of message 2")
            .input_value()
            == QUESTION
        )
        await deploy_shown_column(page, 2)

        await page.goto(playground_url.removesuffix("/playground"))
        await page.locator("[data-environment=production]").get_by_text("default").wait_for()
        await page.get_by_role("link", name="production").click()
        history = page.locator("#history tr").filter(has_text="default v1")
        await history.get_by_role("button", name="Roll back to this").click()
        await page.get_by_text("Rolled back to revision").wait_for()

        await page.goto(playground_url.removesuffix("/playground"))
        production = await page.locator("[data-environment=production]").inner_text()
        assert "v1" in production and "v2" not in production


async def test_a_chat_reply_is_appended_to_the_conversation_and_a_failure_is_shown(
    server: ServerProcess, fake_llm: FakeLLM
) -> None:
    async with chromium_page() as page:
        await sign_up_and_create_app(page, server.url, app_type="chat")
        await page.get_by_role("link", name="Playground", exact=True).click()
        await page.wait_for_url("**/playground")
        await page.get_by_label("Chat message 1").fill("Where is Lima?")

        await page.get_by_role("button", name="Run").click()
        await page.wait_for_selector(".pg-column[data-state=done]")

        chat = page.locator("#pg-chat .pg-message")
        await chat.nth(1).wait_for()
        assert await chat.nth(1).locator(".pg-role").input_value() == "assistant"
        assert await chat.nth(1).locator(".pg-content").input_value() == "Where is Lima?"

        fake_llm.fail_next(400, message="this model refuses the request")
        await page.get_by_role("button", name="Add user message").click()
        await chat.nth(2).locator(".pg-content").fill("And Quito?")
        await page.get_by_role("button", name="Run").click()
        await page.wait_for_selector(".pg-column[data-state=error]")
        error = page.locator(".pg-column .pg-error")
        assert await error.is_visible()
        assert "refuses the request" in await error.inner_text()
        assert await chat.count() == 3


async def test_the_unsaved_badge_follows_edits_and_deploying_over_them_asks_first(
    server: ServerProcess,
) -> None:
    async with chromium_page() as page:
        questions: list[str] = []
        answer = {"accept": False}

        async def on_dialog(dialog: Any) -> None:
            questions.append(dialog.message)
            await (dialog.accept() if answer["accept"] else dialog.dismiss())

        page.on("dialog", on_dialog)
        await sign_up_and_create_app(page, server.url)
        overview_url = page.url
        await page.get_by_role("link", name="Playground", exact=True).click()
        await page.wait_for_url("**/playground")
        playground_url = page.url
        column = page.locator(".pg-column").first
        badge = column.locator(".pg-dirty")
        assert not await badge.is_visible()

        # Nothing edited: the deploy goes through without a question.
        await column.locator("summary", has_text="Save or deploy").click()
        await column.get_by_label("Environment to deploy v1 to").select_option("staging")
        await column.get_by_role("button", name="Deploy v1").click()
        await page.get_by_text("Deployed default v1 to staging").wait_for()
        assert questions == []

        await page.goto(playground_url)
        column = page.locator(".pg-column").first
        badge = column.locator(".pg-dirty")
        assert not await badge.is_visible()
        message = column.get_by_label("Content of message 2")
        await message.fill(QUESTION)
        assert await badge.is_visible()

        await column.locator("summary", has_text="Save or deploy").click()
        await column.get_by_label("Environment to deploy v1 to").select_option("production")
        await column.get_by_role("button", name="Deploy v1").click()
        # Script in the page runs again only once the question is answered.
        await page.wait_for_function("() => true")

        assert len(questions) == 1
        assert "unsaved changes" in questions[0] and "Commit" in questions[0]
        assert page.url == playground_url
        assert await message.input_value() == QUESTION
        assert await badge.is_visible()
        overview = await page.context.new_page()
        await overview.goto(overview_url)
        production = await overview.locator("[data-environment=production]").inner_text()
        assert "Not deployed" in production
        await overview.close()

        # Confirmed: the stored v1 is deployed, with no second warning on the way out.
        answer["accept"] = True
        await column.get_by_role("button", name="Deploy v1").click()
        await page.get_by_text("Deployed default v1 to production").wait_for()
        assert len(questions) == 2
