"""The annotation pages through the app, as a browser would use them (forms, redirects).

The keyboard shortcuts are exercised in Chromium in ``test_annotation_browser``.
"""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from agenta.platform import Platform
from tests.core.annotations import conftest as annotation_fixtures
from tests.core.annotations.traces import store_trace
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona, csrf_token, login_as

provider_env = annotation_fixtures.provider_env
make_app = annotation_fixtures.make_app
make_testset = annotation_fixtures.make_testset
make_evaluator = annotation_fixtures.make_evaluator
start_run = annotation_fixtures.start_run
finished_run = annotation_fixtures.finished_run


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
