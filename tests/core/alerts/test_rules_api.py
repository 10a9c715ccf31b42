"""Alert rules through the API and the page: validation, roles, history and project scoping."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar.testing import AsyncTestClient

from agenta.core.alerts.evaluation import evaluate_rule
from agenta.core.alerts.metrics import Metric
from agenta.core.alerts.models import AlertRule
from agenta.core.alerts.rules import AlertRuleInput, create_rule
from agenta.platform import Platform
from tests.core.alerts.conftest import scripted
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona, csrf_token, login_as
from tests.support.applications import store_application

BASE = "/api/alerts/rules"
RULE = {"name": "slow", "metric": "latency_p95", "threshold": 2.5, "window_minutes": 30}


async def test_a_rule_is_created_listed_and_read_with_its_firings(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    created = await client.post(BASE, json=RULE, headers=owner.headers)
    assert created.status_code == 201, created.text
    rule_id = created.json()["id"]
    assert created.json()["state"] == "no_data"
    async with platform.db.session() as session:
        rule = await session.get_one(AlertRule, UUID(rule_id))
        metrics, _ = scripted(Metric.LATENCY_P95, 4.0)
        await evaluate_rule(session, rule, metrics, queue=None)

    [listed] = (await client.get(BASE, headers=owner.headers)).json()
    assert (listed["name"], listed["state"], listed["last_value"]) == ("slow", "firing", 4.0)
    detail = (await client.get(f"{BASE}/{rule_id}", headers=owner.headers)).json()
    [firing] = detail["firings"]
    assert (firing["fired_value"], firing["recovered_at"]) == (4.0, None)


async def test_bad_rules_get_a_422_naming_each_field(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    bad = {"name": "x", "metric": "mean_score", "threshold": 1, "comparison": "equal"}
    response = await client.post(BASE, json=bad, headers=owner.headers)
    assert response.status_code == 422
    assert set(response.json()["details"]) == {"comparison", "evaluator"}


async def test_viewers_read_rules_and_other_projects_see_none(
    client: AsyncTestClient[Any], owner: Persona, outsider: Persona, make_persona: MakePersona
) -> None:
    created = await client.post(BASE, json=RULE, headers=owner.headers)
    viewer = await make_persona("viewer")
    assert len((await client.get(BASE, headers=viewer.headers)).json()) == 1
    assert (await client.post(BASE, json=RULE, headers=viewer.headers)).status_code == 403
    assert (await client.get(BASE, headers=outsider.headers)).json() == []
    path = f"{BASE}/{created.json()['id']}"
    assert (await client.delete(path, headers=outsider.headers)).status_code == 404


async def test_the_alerts_page_creates_and_deletes_a_rule(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    form = {"_csrf_token": await csrf_token(client), "name": "costly", "metric": "cost_per_hour"}
    bad = await client.post("/alerts", data={**form, "threshold": "lots"})
    assert bad.status_code == 422 and "threshold: must be a number" in bad.text
    saved = await client.post("/alerts", data={**form, "threshold": "5", "active": "1"})
    assert saved.status_code == 200 and "Alert rule costly saved" in saved.text
    listed = (await client.get(BASE, headers=owner.headers)).json()
    rule_id = listed[0]["id"]
    page = await client.get(f"/alerts/{rule_id}")
    assert "Edit costly" in page.text and "No alert has fired yet" in page.text
    deleted = await client.post(
        f"/alerts/{rule_id}/delete", data={"_csrf_token": form["_csrf_token"]}
    )
    assert "Alert rule costly deleted" in deleted.text
    assert (await client.get(BASE, headers=owner.headers)).json() == []


async def test_the_alerts_page_shows_values_and_thresholds_in_their_units(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    measured = {"error_rate": (0.1, 2 / 3), "latency_p95": (2.5, 0.25), "cost_per_hour": (1, 0.2)}
    async with platform.db.session() as session:
        for metric, (threshold, value) in measured.items():
            data = AlertRuleInput(name=metric, metric=metric, threshold=threshold)
            rule = await create_rule(session, owner.project_id, data, owner.user_id)
            metrics, _ = scripted(Metric(metric), value)
            await evaluate_rule(session, rule, metrics, queue=None)
    await login_as(client, owner)

    page = (await client.get("/alerts")).text

    for shown in ("above 10% over", "66.7%", "above 2.50 s over", "250 ms", "$1.00/h", "$0.2/h"):
        assert shown in page


async def test_the_alerts_form_offers_the_project_applications_by_name(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    app_id = await store_application(platform, owner, "support-bot")
    await login_as(client, owner)
    form = {"_csrf_token": await csrf_token(client), "name": "bot", "metric": "cost_per_hour"}

    saved = await client.post(
        "/alerts", data={**form, "threshold": "5", "application_id": str(app_id)}
    )

    assert saved.status_code == 200, saved.text
    [rule] = (await client.get(BASE, headers=owner.headers)).json()
    assert rule["application_id"] == str(app_id)
    page = (await client.get(f"/alerts/{rule['id']}")).text
    assert f'<option value="{app_id}" selected>support-bot</option>' in page


async def test_a_rule_on_an_application_no_longer_listed_keeps_it_when_edited(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    gone = "0191d0f4-0000-7000-8000-000000000001"
    created = await client.post(BASE, json={**RULE, "application_id": gone}, headers=owner.headers)
    await login_as(client, owner)

    page = (await client.get(f"/alerts/{created.json()['id']}")).text

    assert f'<option value="{gone}" selected>{gone} (not a live application)</option>' in page
