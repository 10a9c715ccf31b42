"""The evaluator pages: a save that fails keeps what was typed, trying needs no slug, archiving.

The last test drives the try panel and the archive button in Chromium against a real server.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.core.evaluations import conftest as evaluation_fixtures
from tests.support.accounts import Persona, login_as
from tests.support.browser import chromium_page
from tests.support.processes import ServerProcess
from tests.web.test_evaluation_pages import submit

client = evaluation_fixtures.client
provider_env = evaluation_fixtures.provider_env

MakePersona = Callable[..., Awaitable[Persona]]
REGEX = "auto_regex_test"
PASSWORD = "evaluator pages tested password"


def shown(response: Any) -> str:
    """The page as the browser shows it (entities decoded), to compare with what was typed."""
    return html.unescape(response.text)


async def create(client: AsyncTestClient[Any], slug: str, pattern: str = "^P") -> str:
    """A saved regex evaluator; returns its page's path."""
    response = await submit(
        client,
        "/evaluators",
        {"evaluator_key": REGEX, "slug": slug, "setting.regex_pattern": pattern},
    )
    assert "Evaluator saved" in response.text, response.text
    return str(response.url.path)


async def listed_slugs(client: AsyncTestClient[Any]) -> list[str]:
    return re.findall(r'data-evaluator="([^"]+)"', (await client.get("/evaluators")).text)


async def test_a_duplicate_slug_keeps_what_was_typed_and_saves_nothing(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    path = await create(client, "starts-p")

    again = await submit(
        client,
        "/evaluators",
        {
            "evaluator_key": REGEX,
            "slug": "starts-p",
            "name": "Starts with Q",
            "setting.regex_pattern": "^Q",
            "present.regex_should_match": "1",
            "present.case_sensitive": "1",
            "setting.case_sensitive": "on",
        },
    )

    assert again.status_code == 422
    page = shown(again)
    assert re.search(r'id="form-error">[^<]*slug \'starts-p\' already exists', page), page
    assert 'name="slug" value="starts-p"' in page and 'value="Starts with Q"' in page
    assert 'value="^Q"' in page
    assert '<input type="checkbox" name="setting.regex_should_match">' in page
    assert '<input type="checkbox" name="setting.case_sensitive" checked>' in page
    assert await listed_slugs(client) == ["starts-p"]
    assert 'value="^P"' in (await client.get(path)).text


async def test_an_invalid_regex_is_named_on_the_form_as_typed(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    response = await submit(
        client,
        "/evaluators",
        {"evaluator_key": REGEX, "slug": "broken", "name": "Broken", "setting.regex_pattern": "(["},
    )

    assert response.status_code == 422
    page = shown(response)
    assert "setting 'regex_pattern': is not a valid regular expression" in page
    assert 'value="broken"' in page and 'value="(["' in page
    assert await listed_slugs(client) == []


async def test_a_setting_that_does_not_parse_comes_back_as_raw_text(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    response = await submit(
        client,
        "/evaluators",
        {
            "evaluator_key": "json_multi_field_match",
            "slug": "fields",
            "setting.fields": '["name", ',
            "setting.correct_answer_key": "expected",
            "setting.threshold": "0.7",
        },
    )

    assert response.status_code == 422
    page = shown(response)
    assert "setting 'fields': not valid JSON" in page
    assert '>["name", </textarea>' in page
    assert 'value="expected"' in page and 'value="0.7"' in page
    assert await listed_slugs(client) == []


async def test_a_missing_required_setting_is_named_and_the_rest_is_kept(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    response = await submit(
        client,
        "/evaluators",
        {"evaluator_key": "auto_webhook_test", "slug": "hook", "setting.threshold": "0.25"},
    )

    assert response.status_code == 422
    page = shown(response)
    assert "setting 'webhook_url': is required" in page
    assert 'value="hook"' in page and 'value="0.25"' in page
    assert await listed_slugs(client) == []


async def test_an_unknown_evaluator_key_is_a_clear_error(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    posted = await submit(client, "/evaluators", {"evaluator_key": "nope&x=1", "slug": "x"})
    opened = await client.get("/evaluators/new", params={"key": "nope"})

    assert str(posted.url.path) == "/evaluators"
    assert "evaluator_key 'nope&x=1' is not a built-in evaluator" in shown(posted)
    assert "evaluator_key 'nope' is not a built-in evaluator" in shown(opened)
    assert await listed_slugs(client) == []


async def test_a_failed_update_shows_what_was_typed_not_the_saved_settings(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    path = await create(client, "starts-p")

    response = await submit(client, path, {"setting.regex_pattern": "(", "message": "try a group"})

    assert response.status_code == 422
    page = shown(response)
    assert "setting 'regex_pattern': is not a valid regular expression" in page
    assert 'value="("' in page and 'value="^P"' not in page
    assert 'value="try a group"' in page
    saved = await client.get(path)
    assert 'value="^P"' in saved.text and "v2" not in saved.text


async def test_trying_needs_no_slug_and_names_a_missing_setting(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    example = {"evaluator_key": REGEX, "try_inputs": "{}", "try_output": "Paris"}

    passed = await submit(client, "/evaluators/try", {**example, "setting.regex_pattern": "^Pa"})
    missing = await submit(client, "/evaluators/try", example)

    assert 'id="try-verdict">pass<' in passed.text
    assert re.search(r"flash-error\">setting 'regex_pattern': is required", shown(missing))
    assert await listed_slugs(client) == []


async def test_an_evaluator_is_archived_from_its_page_and_leaves_the_list(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    path = await create(client, "starts-p")
    await create(client, "kept")
    page = (await client.get(path)).text
    assert f'action="{path}/archive"' in page and "confirm(" in page

    archived = await submit(client, f"{path}/archive", {})

    assert str(archived.url.path) == "/evaluators"
    assert "Archived starts-p" in archived.text
    assert await listed_slugs(client) == ["kept"]
    assert 'id="archive-evaluator"' not in (await client.get(path)).text


async def test_a_viewer_sees_no_archive_button(
    client: AsyncTestClient[Any], owner: Persona, make_persona: MakePersona
) -> None:
    await login_as(client, owner)
    path = await create(client, "starts-p")
    await login_as(client, await make_persona("viewer"))

    page = await client.get(path)

    assert page.status_code == 200 and 'id="archive-evaluator"' not in page.text


@pytest.mark.browser
async def test_the_try_panel_runs_without_a_slug_and_the_archive_button_asks_first(
    server: ServerProcess,
) -> None:
    async with chromium_page() as page:
        await page.goto(f"{server.url}/signup?next=/evaluators")
        await page.get_by_label("Name").fill("Ada")
        await page.get_by_label("E-mail").fill("ada@example.com")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign up").click()
        await page.wait_for_url("**/evaluators")
        await page.goto(f"{server.url}/evaluators/new?key={REGEX}")
        result = page.locator("#try-result")

        await page.get_by_role("button", name="Run").click()
        await result.get_by_text("setting 'regex_pattern': is required").wait_for()
        await page.get_by_label("Regex pattern").fill("^Par")
        await page.get_by_role("button", name="Run").click()
        assert await page.locator("#try-verdict").inner_text() == "pass"

        await page.get_by_label("Slug").fill("starts-par")
        await page.get_by_role("button", name="Save evaluator").click()
        await page.get_by_text("Evaluator saved").wait_for()
        asked: list[str] = []

        async def accept(dialog: Any) -> None:
            asked.append(dialog.message)
            await dialog.accept()

        page.on("dialog", accept)
        await page.get_by_role("button", name="Archive").click()
        await page.wait_for_url("**/evaluators?notice=*")
        assert asked and asked[0].startswith("Archive starts-par?")
        assert await page.locator('[data-evaluator="starts-par"]').count() == 0
