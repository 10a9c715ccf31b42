"""An application's overview shows the online evaluation scores of its live traces."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from agenta.core.online.jobs import evaluate_rules
from agenta.platform import Platform
from tests.core.annotations.traces import store_trace
from tests.core.online import conftest as online_fixtures
from tests.core.online.conftest import Factory, job_context
from tests.core.registry.test_sdk_endpoints import create_app
from tests.support.accounts import Persona, login_as

client = online_fixtures.client
make_evaluator = online_fixtures.make_evaluator
says_paris = online_fixtures.says_paris
make_rule = online_fixtures.make_rule


async def test_the_overview_charts_the_scores_of_the_rules_watching_the_app(
    client: AsyncTestClient[Any],
    api: Any,
    platform: Platform,
    owner: Persona,
    says_paris: Factory,
    make_rule: Factory,
) -> None:
    app = await create_app(api(owner), "geo")
    evaluator = await says_paris()
    await make_rule([evaluator], name="Geo watch", filters={"application": "geo"})
    await make_rule([evaluator], name="Elsewhere", filters={"application": "other"})
    for answer in ("Paris", "Rome"):
        await store_trace(platform.db, owner.project_id, answer=answer, application="geo")
    await evaluate_rules(job_context(platform))
    await login_as(client, owner)

    page = await client.get(f"/apps/{app['id']}")

    assert page.status_code == 200
    panel = page.text.split('id="online-scores"', 1)[1].split("</figure>", 1)[0]
    assert "<svg" in panel and 'data-series="Geo watch · says-paris"' in panel
    assert "Elsewhere" not in panel and 'id="online-hint"' not in panel


async def test_an_app_no_rule_watches_says_how_to_add_one(
    client: AsyncTestClient[Any], api: Any, owner: Persona
) -> None:
    app = await create_app(api(owner), "quiet")
    await login_as(client, owner)

    page = await client.get(f"/apps/{app['id']}")
    form = await client.get("/online?application=quiet")

    assert 'id="online-hint"' in page.text and "<svg" not in page.text
    assert 'href="/online?application=quiet#new-rule"' in page.text
    assert 'name="application" value="quiet"' in form.text


async def test_a_rule_without_scores_yet_is_named_instead_of_the_hint(
    client: AsyncTestClient[Any], api: Any, owner: Persona, says_paris: Factory, make_rule: Factory
) -> None:
    app = await create_app(api(owner), "geo")
    await make_rule([await says_paris()], name="Geo watch", filters={"application": "geo"})
    await login_as(client, owner)

    page = await client.get(f"/apps/{app['id']}")

    assert "Geo watch watches this application; no trace was scored" in page.text
    assert 'id="online-hint"' not in page.text
