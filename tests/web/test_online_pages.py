"""The online evaluation pages through the app: a rule from the form, its chart, pause, resume."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from agenta.core.online.jobs import evaluate_rules
from agenta.platform import Platform
from tests.core.annotations.traces import store_trace
from tests.core.online import conftest as online_fixtures
from tests.core.online.conftest import Factory, job_context
from tests.support.accounts import Persona, csrf_token, login_as

client = online_fixtures.client
make_evaluator = online_fixtures.make_evaluator
says_paris = online_fixtures.says_paris


async def submit(client: AsyncTestClient[Any], path: str, data: dict[str, Any]) -> Any:
    return await client.post(
        path, data={"_csrf_token": await csrf_token(client), **data}, follow_redirects=True
    )


async def test_a_rule_made_from_the_form_shows_its_scores_over_time(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, says_paris: Factory
) -> None:
    evaluator = await says_paris()
    await login_as(client, owner)
    form = await client.get("/online")
    assert 'id="new-rule"' in form.text and "says-paris" in form.text

    page = await submit(
        client,
        "/online",
        {"name": "Geo", "application": "geo", "rate": "100", "evaluator": str(evaluator)},
    )
    assert re.fullmatch(r"/online/[0-9a-f-]{36}", str(page.url.path)), page.text[:1500]
    assert "No score in this range yet." in page.text
    for answer in ("Paris", "Rome"):
        await store_trace(platform.db, owner.project_id, answer=answer, application="geo")
    await evaluate_rules(job_context(platform))

    scored = await client.get(str(page.url.path) + "?range=1h")
    assert 'data-chart="scores"' in scored.text and 'data-series="says-paris"' in scored.text
    assert scored.text.count('<tr data-trace="') == 2
    assert "2 traces scored, 0 with a failed evaluation" in scored.text


async def test_pausing_and_resuming_from_the_rule_page(
    client: AsyncTestClient[Any], owner: Persona, says_paris: Factory
) -> None:
    evaluator = await says_paris()
    await login_as(client, owner)
    page = await submit(client, "/online", {"name": "R", "evaluator": str(evaluator)})
    path = str(page.url.path)

    paused = await submit(client, path + "/pause", {})
    assert 'id="rule-status">paused<' in paused.text
    assert f"paused by {owner.email}" in paused.text
    resumed = await submit(client, path + "/resume", {})
    assert 'id="rule-status">active<' in resumed.text and 'id="paused-reason"' not in resumed.text


async def test_the_form_says_what_is_wrong(
    client: AsyncTestClient[Any], owner: Persona, says_paris: Factory
) -> None:
    await says_paris()
    await login_as(client, owner)
    response = await client.post(
        "/online", data={"_csrf_token": await csrf_token(client), "name": "R", "rate": "50"}
    )
    assert response.status_code == 422
    assert "evaluator_ids: choose from 1 to 5 evaluators" in response.text
    assert 'value="R"' in response.text
