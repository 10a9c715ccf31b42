"""The dashboard, filtered on one application, shows the online scores of the rules watching it."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from agenta.core.online.jobs import evaluate_rules
from agenta.platform import Platform
from tests.core.annotations.traces import store_trace
from tests.core.online import conftest as online_fixtures
from tests.core.online.conftest import Factory, job_context
from tests.support.accounts import Persona, login_as

client = online_fixtures.client
make_evaluator = online_fixtures.make_evaluator
says_paris = online_fixtures.says_paris
make_rule = online_fixtures.make_rule


def online_panel(page: str) -> str:
    return page.split('id="online-scores"', 1)[1].split("</figure>", 1)[0]


async def test_the_dashboard_of_one_application_charts_its_online_scores(
    client: AsyncTestClient[Any],
    platform: Platform,
    owner: Persona,
    says_paris: Factory,
    make_rule: Factory,
) -> None:
    await make_rule([await says_paris()], name="Geo watch", filters={"application": "geo"})
    await store_trace(platform.db, owner.project_id, answer="Paris", application="geo")
    await evaluate_rules(job_context(platform))
    await login_as(client, owner)

    geo = await client.get("/observability/dashboard?application=geo&range=1h")
    other = await client.get("/observability/dashboard?application=other")
    everything = await client.get("/observability/dashboard")

    assert geo.status_code == 200
    assert 'data-series="Geo watch · says-paris"' in online_panel(geo.text)
    assert "per minute" in online_panel(geo.text)
    assert 'href="/online?application=other#new-rule"' in online_panel(other.text)
    assert 'id="online-scores"' not in everything.text
