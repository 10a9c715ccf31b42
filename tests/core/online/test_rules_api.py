"""Online rules over the API: create, check, pause and resume, backfill a past window, metrics."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from agenta.core.online.jobs import evaluate_rules
from agenta.platform import Platform
from tests.core.annotations.traces import store_trace
from tests.core.evaluations.conftest import run_jobs
from tests.core.online.conftest import Factory, claim_count, job_context
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona

RULES = "/api/online/rules"


async def create(client: AsyncTestClient[Any], persona: Persona, **body: Any) -> dict[str, Any]:
    response = await client.post(RULES, json=body, headers=persona.headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_rule_is_created_read_and_scores_show_in_its_metrics(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, says_paris: Factory
) -> None:
    evaluator = await says_paris()
    rule = await create(
        client,
        owner,
        name="Paris check",
        filters={"span_type": "workflow", "application": "geo"},
        sampling_rate=1,
        evaluator_ids=[str(evaluator)],
    )
    assert rule["status"] == "active" and rule["filters"]["span_type"] == "workflow"
    for answer in ("Paris", "Oslo"):
        await store_trace(platform.db, owner.project_id, answer=answer, application="geo")
    await evaluate_rules(job_context(platform))

    read = (await client.get(f"{RULES}/{rule['id']}", headers=owner.headers)).json()
    assert read["evaluated"] == 2 and len(read["evaluations"]) == 2
    values = sorted(e["scores"]["says-paris"]["value"] for e in read["evaluations"])
    assert values == [0.0, 1.0]
    metrics = await client.get(f"{RULES}/{rule['id']}/metrics?range=1h", headers=owner.headers)
    assert metrics.status_code == 200 and metrics.json()["bucket_seconds"] == 60
    counted = [b for b in metrics.json()["evaluators"]["says-paris"] if b["count"]]
    assert sum(b["count"] for b in counted) == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "r", "sampling_rate": 1.5}, "sampling_rate must be from 0 to 1, got 1.5"),
        ({"name": "r", "filters": {"colour": "red"}}, "'colour' is not a rule filter"),
        ({"name": "r", "filters": {"status": "odd"}}, "status must be one of error, ok, unset"),
        ({"name": ""}, "name: a rule needs a name"),
        ({"name": "r", "evaluator_ids": []}, "choose from 1 to 5 evaluators"),
    ],
)
async def test_a_bad_rule_is_refused_naming_what_is_wrong(
    client: AsyncTestClient[Any],
    owner: Persona,
    says_paris: Factory,
    body: dict[str, Any],
    message: str,
) -> None:
    body.setdefault("evaluator_ids", [str(await says_paris())])
    response = await client.post(RULES, json=body, headers=owner.headers)
    assert response.status_code == 422
    assert message in response.json()["message"]


async def test_a_paused_rule_scores_nothing_until_resumed_then_catches_up(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, says_paris: Factory
) -> None:
    rule = await create(client, owner, name="r", evaluator_ids=[str(await says_paris())])
    paused = await client.post(f"{RULES}/{rule['id']}/pause", headers=owner.headers)
    assert paused.json()["status"] == "paused"
    assert paused.json()["paused_reason"] == f"paused by {owner.email}"
    await store_trace(platform.db, owner.project_id)
    assert await evaluate_rules(job_context(platform)) == 0

    resumed = await client.post(f"{RULES}/{rule['id']}/resume", headers=owner.headers)
    assert resumed.json()["status"] == "active"
    assert await evaluate_rules(job_context(platform)) == 1


async def test_a_backfill_scores_a_past_window_the_cron_does_not_reach(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, says_paris: Factory
) -> None:
    rule = await create(client, owner, name="r", evaluator_ids=[str(await says_paris())])
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    for minutes in (0, 10, 20):
        at = two_hours_ago + timedelta(minutes=minutes)
        await store_trace(platform.db, owner.project_id, at=at)
    assert await evaluate_rules(job_context(platform)) == 0

    since = (two_hours_ago - timedelta(minutes=1)).isoformat()
    response = await client.post(
        f"{RULES}/{rule['id']}/backfill", json={"since": since}, headers=owner.headers
    )
    assert response.status_code == 202, response.text
    await run_jobs(platform)
    assert await claim_count(platform.db, uuid.UUID(rule["id"])) == 3

    wrong = await client.post(
        f"{RULES}/{rule['id']}/backfill", json={"since": "yesterday"}, headers=owner.headers
    )
    assert wrong.status_code == 422 and "since must be an ISO 8601 time" in wrong.text


async def test_an_annotator_runs_rules_and_a_viewer_only_reads_them(
    client: AsyncTestClient[Any], make_persona: MakePersona, says_paris: Factory
) -> None:
    annotator, viewer = await make_persona("annotator"), await make_persona("viewer")
    rule = await create(client, annotator, name="mine", evaluator_ids=[str(await says_paris())])
    paused = await client.post(f"{RULES}/{rule['id']}/pause", headers=annotator.headers)
    assert paused.status_code == 200

    refused = await client.post(f"{RULES}/{rule['id']}/resume", headers=viewer.headers)
    assert refused.status_code == 403 and "edit_evaluation_runs" in refused.json()["message"]
    listed = await client.get(RULES, headers=viewer.headers)
    assert [found["name"] for found in listed.json()["rules"]] == ["mine"]
