"""The annotation pages: through the app as a browser would use them (forms, redirects), then
in Chromium against a real server (the keyboard, two annotators, agreement, an A/B review).
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from playwright.async_api import expect

from agenta.platform import Platform
from tests.core.annotations import conftest as annotation_fixtures
from tests.core.annotations.stack import (
    AnnotationProject,
    annotation_server,
    run_both_apps,
    seed_annotation_project,
)
from tests.core.annotations.traces import store_trace
from tests.support import databases
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import PASSWORD, Persona, csrf_token, login_as
from tests.support.browser import chromium_page
from tests.support.processes import ServerProcess
from tests.support.services import require

provider_env = annotation_fixtures.provider_env
make_app = annotation_fixtures.make_app
make_testset = annotation_fixtures.make_testset
make_evaluator = annotation_fixtures.make_evaluator
start_run = annotation_fixtures.start_run
finished_run = annotation_fixtures.finished_run
MINUTE = timedelta(minutes=1)


async def submit(client: AsyncTestClient[Any], path: str, data: dict[str, Any]) -> Any:
    return await client.post(
        path, data={"_csrf_token": await csrf_token(client), **data}, follow_redirects=True
    )


async def create_from_form(client: AsyncTestClient[Any], **data: Any) -> str:
    """Post the new-queue form; returns the queue page's path."""
    response = await submit(client, "/annotations", data)
    assert response.status_code == 200, response.text
    path = str(response.url.path)
    assert re.fullmatch(r"/annotations/[0-9a-f-]{36}", path), response.text[:2000]
    return path


async def test_the_new_queue_page_lists_the_traces_its_filter_matches(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    failing = await store_trace(platform.db, owner.project_id, question="broken", error=True)
    await store_trace(platform.db, owner.project_id, question="fine")
    await login_as(client, owner)

    page = await client.get("/annotations/new?status=error")

    assert page.status_code == 200
    assert f'data-trace="{failing}"' in page.text
    assert page.text.count("<tr data-trace=") == 1
    assert 'name="filter.status" value="error"' in page.text


async def test_review_in_a_queue_takes_the_trace_list_with_every_filter_it_had(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    now = datetime.now(UTC)
    oldest = await store_trace(platform.db, owner.project_id, error=True, at=now - 3 * MINUTE)
    await store_trace(platform.db, owner.project_id, error=True, at=now - 2 * MINUTE)
    await store_trace(platform.db, owner.project_id, at=now - 4 * MINUTE)
    await login_as(client, owner)
    listing = await client.get("/observability/traces?status=error&order=asc")
    link = re.search(r'href="([^"]+)" id="review-in-queue"', listing.text)
    assert link is not None, listing.text[:3000]

    new = await client.get(html.unescape(link.group(1)))
    assert "order asc" in new.text.split('id="carried-filters"', 1)[1].split("</p>", 1)[0]
    carried = dict(re.findall(r'name="(filter\.[a-z_]+)" value="([^"]*)"', new.text))
    assert carried["filter.status"] == "error" and carried["filter.order"] == "asc"
    path = await create_from_form(client, name="Oldest failure", limit="1", **carried)

    queue_id = path.rsplit("/", 1)[1]
    items = await client.get(f"/api/annotations/queues/{queue_id}/items", headers=owner.headers)
    assert [item["trace_id"] for item in items.json()["items"]] == [oldest]


async def test_a_viewer_gets_no_review_in_a_queue_link(
    client: AsyncTestClient[Any], make_persona: MakePersona
) -> None:
    viewer = await make_persona(role="viewer")
    await login_as(client, viewer)

    listing = await client.get("/observability/traces?status=error")

    assert listing.status_code == 200 and 'id="review-in-queue"' not in listing.text


async def test_a_queue_made_from_a_filter_is_scored_in_the_inbox_and_shows_results(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, make_persona: MakePersona
) -> None:
    for n in range(2):
        await store_trace(platform.db, owner.project_id, question=f"q{n}", error=True)
    await login_as(client, owner)
    path = await create_from_form(
        client, name="Failures", preset="rating", reviews_per_item="1", **{"filter.status": "error"}
    )
    queue_page = await client.get(path)
    assert "0 of 2 items complete" in queue_page.text

    inbox = await client.get(path + "/inbox")
    assert 'id="review-form"' in inbox.text and "0 of 2 done" in inbox.text
    action = re.search(r'action="(/annotations/[^"]+/inbox/[^"]+)"', inbox.text)
    assert action is not None
    saved = await submit(client, action.group(1), {"rating.rating": "4", "note": "fine"})
    assert "Item 1 saved" in saved.text and "1 of 2 done" in saved.text

    results = await client.get(path)
    assert "1 of 2 items complete" in results.text
    assert 'data-question="rating.rating"' in results.text and "mean 4.00" in results.text


async def test_a_wrong_answer_comes_back_to_the_item_with_the_reason(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    await store_trace(platform.db, owner.project_id, error=True)
    await login_as(client, owner)
    path = await create_from_form(client, name="Q", preset="quality", **{"filter.status": "error"})
    inbox = await client.get(path + "/inbox")
    action = re.search(r'action="(/annotations/[^"]+/inbox/[^"]+)"', inbox.text)
    assert action is not None

    refused = await submit(client, action.group(1), {})

    assert "quality-rating.approved: an answer is required" in refused.text
    assert 'id="review-form"' in refused.text


async def test_the_form_refuses_a_bad_set_up_and_keeps_what_was_typed(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    response = await client.post(
        "/annotations",
        data={
            "_csrf_token": await csrf_token(client),
            "name": "Custom",
            "preset": "custom",
            "evaluator_json": "{not json",
        },
    )
    assert response.status_code == 422
    assert "the custom questions are not valid JSON" in response.text
    assert 'value="Custom"' in response.text


async def test_a_queue_is_made_from_a_test_set_picked_by_name(
    client: AsyncTestClient[Any], owner: Persona, make_testset: Any
) -> None:
    revision = await make_testset(name="capitals")
    await login_as(client, owner)

    form = await client.get("/annotations/new")
    path = await create_from_form(
        client, name="Label capitals", preset="quality", source="testset", testset=str(revision)
    )

    assert f'<option value="{revision}" >capitals v1 (3 rows)</option>' in form.text
    inbox = await client.get(path + "/inbox")
    assert inbox.status_code == 200 and "Paris" in inbox.text


async def test_a_run_review_puts_human_scores_next_to_the_automatic_ones(
    client: AsyncTestClient[Any], owner: Persona, finished_run: Any
) -> None:
    run_id, [revision] = await finished_run("{{correct_answer}}")
    await login_as(client, owner)
    path = await create_from_form(
        client, name="Human check", preset="quality", source="run", run=f"{run_id}:{revision}"
    )
    for approved in ("true", "true", "false"):
        inbox = await client.get(path + "/inbox")
        action = re.search(r'action="(/annotations/[^"]+/inbox/[^"]+)"', inbox.text)
        assert action is not None
        await submit(client, action.group(1), {"quality-rating.approved": approved})

    metrics = await client.get(f"/api/evaluations/runs/{run_id}/metrics", headers=owner.headers)
    assert metrics.status_code == 200, metrics.text
    [app] = metrics.json()["applications"]
    human = app["evaluators"]["human-quality-rating-approved"]
    assert human["count"] == 3 and abs(human["value"] - 2 / 3) < 1e-9
    assert app["evaluators"]["exact"]["value"] == 1.0
    queue_page = await client.get(path)
    assert 'id="judges"' in queue_page.text


# In Chromium against a real server: the keyboard, two annotators, agreement, A/B.


@pytest.fixture
def browser_stack(
    sqlite_template: Path, tmp_path: Path
) -> Iterator[tuple[ServerProcess, AnnotationProject]]:
    require("chromium")
    database_url = databases.fresh_sqlite(sqlite_template, tmp_path)
    project = asyncio.run(seed_annotation_project(database_url))
    with annotation_server(database_url, tmp_path) as server:
        yield server, project


async def log_in(page: Any, url: str, persona: Persona, landing: str) -> None:
    await page.context.clear_cookies()
    await page.goto(f"{url}/login?next={landing}")
    await page.get_by_label("E-mail").fill(persona.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"**{landing}")


async def score_inbox(page: Any, answers: list[tuple[str, str]], total: int = 3) -> None:
    """Score each next item from the keyboard: yes/no, a scale point, Enter."""
    for number, (correct, quality) in enumerate(answers, start=1):
        await page.locator("#review-form").wait_for()
        await page.keyboard.press(correct)
        await page.keyboard.press(quality)
        await page.keyboard.press("Enter")
        # The URL already carries a notice after the first item: wait for the count instead.
        await expect(page.locator("#inbox-count")).to_contain_text(f"{number} of {total} done")


@pytest.mark.browser
@pytest.mark.slow
async def test_two_annotators_score_a_filtered_trace_list_from_the_keyboard(
    browser_stack: tuple[ServerProcess, AnnotationProject],
) -> None:
    server, project = browser_stack
    async with chromium_page() as page:
        await log_in(page, server.url, project.owner, "/observability/traces")
        await page.locator('#filters select[name="status"]').select_option("error")
        await page.get_by_role("button", name="Apply filters").click()
        await page.wait_for_url("**/observability/traces?*status=error*")
        assert await page.locator("#traces tr[data-trace]").count() == 3
        await page.get_by_role("link", name="Review in a queue").click()
        await page.wait_for_url("**/annotations/new?*status=error*")
        assert await page.locator("#matching-traces tr[data-trace]").count() == 3
        form = page.locator("#new-queue-form")
        await form.get_by_label("Name", exact=True).fill("Failing answers")
        await form.get_by_label("Ask").select_option("correctness")
        await form.get_by_label("Reviews per item").fill("2")
        assert not await form.get_by_label(re.compile("ada@ex.org")).is_visible()
        await form.get_by_label("Assignment").select_option("round_robin")
        await form.get_by_label(re.compile("ada@ex.org")).check()
        await form.get_by_label(re.compile("bob@ex.org")).check()
        await page.get_by_role("button", name="Create queue").click()
        await page.wait_for_url(re.compile(r".*/annotations/[0-9a-f-]{36}\?notice=.*"))
        queue_url = str(page.url).split("?")[0]

        await log_in(page, server.url, project.ada, "/annotations")
        await page.goto(queue_url + "/inbox")
        await score_inbox(page, [("y", "4"), ("n", "2"), ("y", "5")])
        assert await page.locator("#all-done").count() == 1

        await log_in(page, server.url, project.bob, "/annotations")
        await page.goto(queue_url + "/inbox")
        await score_inbox(page, [("y", "4")])
        await page.keyboard.press("k")  # back to the item just scored, then on again
        await page.locator("#reviewed").wait_for()
        assert "Item 1" in await page.inner_text("#item-title")
        await page.keyboard.press("j")
        await page.wait_for_url("**/inbox?item=*")
        assert "Item 2" in await page.inner_text("#item-title")
        await page.keyboard.press("y")
        await page.keyboard.press("3")
        await page.keyboard.press("Enter")
        await page.wait_for_url("**/inbox?notice=*")
        await page.keyboard.press("y")
        await page.keyboard.press("5")
        await page.keyboard.press("Enter")
        await page.locator("#all-done").wait_for()

        await log_in(page, server.url, project.owner, "/annotations")
        await page.goto(queue_url)
        assert "3 of 3 items complete" in await page.inner_text("#overall")
        for person in ("ada@ex.org", "bob@ex.org"):
            row = page.locator(f'#progress tr[data-annotator="{person}"]')
            assert (await row.locator("td").nth(1).inner_text()) == "3"
        correct = page.locator('tr[data-question="correctness.correct"]')
        assert "yes 5, no 1" in await correct.inner_text()
        assert await correct.locator('[data-stat="alpha"]').inner_text() != "—"
        assert await correct.locator('[data-stat="cohen"]').inner_text() == "0.000"
        quality = page.locator('tr[data-question="correctness.quality"]')
        assert "mean 3.83" in await quality.inner_text()


@pytest.mark.browser
@pytest.mark.slow
async def test_an_ab_review_in_the_browser_prefers_the_right_app(
    browser_stack: tuple[ServerProcess, AnnotationProject],
) -> None:
    server, project = browser_stack
    run_id = await run_both_apps(server.url, project)
    async with chromium_page() as page:
        await log_in(page, server.url, project.owner, "/annotations")
        await page.goto(server.url + "/annotations/new")
        form = page.locator("#new-queue-form")
        await form.get_by_label("Name", exact=True).fill("Right or wrong")
        # Only the fields of the chosen source show: traces need no run.
        assert not await form.get_by_label("A/B: side A").is_visible()
        await form.locator('input[name="source"][value="ab"]').check()
        assert not await form.get_by_label(re.compile("^Run")).is_visible()
        await form.get_by_label("A/B: side A").select_option(f"{run_id}:{project.right}")
        await form.get_by_label("A/B: side B").select_option(f"{run_id}:{project.wrong}")
        await page.get_by_role("button", name="Create queue").click()
        await page.wait_for_url(re.compile(r".*/annotations/[0-9a-f-]{36}\?notice=.*"))
        queue_url = str(page.url).split("?")[0]

        await page.goto(queue_url + "/inbox")
        for _ in range(3):
            await page.locator("#review-form").wait_for()
            assert "A" not in await page.inner_text("#response-1 h2")
            reference = await page.inner_text("#reference")
            first = await page.inner_text("#response-1")
            await page.keyboard.press("1" if reference in first else "2")
            await page.keyboard.press("Enter")
            await page.wait_for_url("**/inbox?notice=*")
        await page.locator("#all-done").wait_for()

        await page.goto(queue_url)
        assert (await page.inner_text('#ab-tally [data-votes="a"]')).startswith("3")
        assert (await page.inner_text('#ab-tally [data-votes="b"]')).startswith("0")
        assert await page.inner_text("#ab-verdict") in ("A preferred", "no significant difference")
