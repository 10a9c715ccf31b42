"""The runs API: create by reference, follow progress, read metrics and results, export, cancel."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any

from tests.core.evaluations.conftest import wait_for_run
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona

Factory = Callable[..., Awaitable[Any]]


async def create(client: Any, persona: Persona, **run: Any) -> Any:
    return await client.post("/api/evaluations/runs/", json={"run": run}, headers=persona.headers)


async def seeded_run(
    client: Any, owner: Persona, make_app: Factory, make_testset: Factory, make_evaluator: Factory
) -> dict[str, Any]:
    await make_app("capitals")
    await make_testset(name="capitals")
    await make_evaluator("exact", "auto_exact_match")
    response = await create(
        client,
        owner,
        testset={"slug": await _testset_slug(client, owner)},
        applications=[{"application": "capitals", "variant": await _variant(client, owner)}],
        evaluators=[{"slug": "exact"}],
    )
    assert response.status_code == 200, response.text
    return await wait_for_run(client, owner, response.json()["run"]["id"])


async def _testset_slug(client: Any, owner: Persona) -> str:
    listing = await client.post("/api/simple/testsets/query", json={}, headers=owner.headers)
    return str(listing.json()["testsets"][0]["slug"])


async def _variant(client: Any, owner: Persona) -> str:
    body = {"application_refs": [{"slug": "capitals"}]}
    found = await client.post("/api/applications/variants/query", json=body, headers=owner.headers)
    return str(found.json()["application_variants"][0]["slug"])


async def test_a_run_created_by_reference_runs_to_the_end(
    client: Any, owner: Persona, make_app: Factory, make_testset: Factory, make_evaluator: Factory
) -> None:
    run = await seeded_run(client, owner, make_app, make_testset, make_evaluator)

    assert run["status"] == "succeeded"
    assert (run["cells_total"], run["cells_done"], run["progress"]) == (6, 6, 1.0)
    assert run["data"]["status"] == "success"
    assert [app["application"] for app in run["applications"]] == ["capitals"]


async def test_metrics_results_and_exports_describe_the_same_cells(
    client: Any, owner: Persona, make_app: Factory, make_testset: Factory, make_evaluator: Factory
) -> None:
    run = await seeded_run(client, owner, make_app, make_testset, make_evaluator)
    base = f"/api/evaluations/runs/{run['id']}"

    metrics = (await client.get(base + "/metrics", headers=owner.headers)).json()
    results = (await client.get(base + "/results", headers=owner.headers)).json()
    exported_csv = (await client.get(base + "/export?format=csv", headers=owner.headers)).text
    exported_json = (await client.get(base + "/export?format=json", headers=owner.headers)).json()

    exact = metrics["applications"][0]["evaluators"]["exact"]
    # The prompt echoes the country, so no answer matches the capital.
    assert (exact["count"], exact["pass_rate"], exact["value"]) == (3, 0.0, 0.0)
    assert results["count"] == 3
    assert results["rows"][0]["entries"][0]["invocation"]["output"] == "France"
    table = list(csv.DictReader(io.StringIO(exported_csv)))
    assert [row["inputs.country"] for row in table] == ["France", "Japan", "Peru"]
    assert [row["exact.success"] for row in table] == ["false", "false", "false"]
    assert [record["output"] for record in exported_json] == ["France", "Japan", "Peru"]
    assert exported_json[0]["evaluations"]["exact"]["success"] is False


async def test_results_can_be_searched_and_sorted(
    client: Any, owner: Persona, make_app: Factory, make_testset: Factory, make_evaluator: Factory
) -> None:
    run = await seeded_run(client, owner, make_app, make_testset, make_evaluator)
    base = f"/api/evaluations/runs/{run['id']}/results"

    found = (await client.get(base + "?search=japan", headers=owner.headers)).json()
    reversed_rows = (await client.get(base + "?descending=true", headers=owner.headers)).json()

    assert [row["inputs"]["country"] for row in found["rows"]] == ["Japan"]
    assert [row["row"] for row in reversed_rows["rows"]] == [2, 1, 0]


async def test_a_reference_that_matches_nothing_is_named_in_the_error(
    client: Any, owner: Persona, make_testset: Factory
) -> None:
    await make_testset()
    response = await create(
        client,
        owner,
        testset={"slug": await _testset_slug(client, owner)},
        applications=[{"application": "nope", "variant": "default"}],
    )
    assert response.status_code == 404
    assert "run.applications[0]" in response.json()["message"]


async def test_a_viewer_reads_runs_but_cannot_start_one(
    client: Any,
    owner: Persona,
    make_persona: MakePersona,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
) -> None:
    run = await seeded_run(client, owner, make_app, make_testset, make_evaluator)
    viewer = await make_persona("viewer")

    read = await client.get(f"/api/evaluations/runs/{run['id']}", headers=viewer.headers)
    refused = await create(client, viewer, testset_revision_id=run["testset_revision_id"])

    assert read.status_code == 200
    assert refused.status_code == 403


async def test_another_project_cannot_see_a_run(
    client: Any,
    owner: Persona,
    outsider: Persona,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
) -> None:
    run = await seeded_run(client, owner, make_app, make_testset, make_evaluator)
    response = await client.get(f"/api/evaluations/runs/{run['id']}", headers=outsider.headers)
    assert response.status_code == 404
    assert json.loads(response.text)["message"].startswith("no evaluation run")
