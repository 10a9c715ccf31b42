"""The evaluation endpoints the SDK calls, as it calls them (without the SDK itself)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from tests.core.evaluations.conftest import wait_for_run
from tests.support.accounts import Persona

Factory = Callable[..., Awaitable[Any]]


async def post(client: Any, owner: Persona, path: str, body: Any = None) -> Any:
    return await client.post(path, json=body or {}, headers=owner.headers)


async def evaluator_revision(client: Any, owner: Persona, evaluator_id: uuid.UUID) -> str:
    body = {"evaluator_ref": {"id": str(evaluator_id)}}
    found = await post(client, owner, "/api/evaluators/revisions/retrieve", body)
    return str(found.json()["evaluator_revision"]["id"])


async def create(client: Any, owner: Persona, origin: str, **steps: Any) -> Any:
    data = {key: {str(item): origin for item in value} for key, value in steps.items()}
    body = {"evaluation": {"name": "sdk", "data": {"status": "running", **data, "repeats": 1}}}
    return await post(client, owner, "/api/simple/evaluations/", body)


async def test_auto_steps_the_server_can_run_make_a_server_run(
    client: Any,
    owner: Persona,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
) -> None:
    exact = await evaluator_revision(client, owner, await make_evaluator())
    created = await create(
        client,
        owner,
        "auto",
        testset_steps=[await make_testset()],
        application_steps=[await make_app()],
        evaluator_steps=[exact],
    )
    evaluation = created.json()["evaluation"]
    run = await wait_for_run(client, owner, evaluation["id"])
    assert (run["origin"], run["status"], run["cells_done"]) == ("server", "succeeded", 6)
    assert evaluation["data"]["application_steps"] == {
        run["applications"][0]["revision_id"]: "auto"
    }


async def test_a_client_run_takes_scenarios_results_metrics_and_closes(
    client: Any,
    owner: Persona,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
) -> None:
    exact = await evaluator_revision(client, owner, await make_evaluator())
    created = await create(
        client,
        owner,
        "custom",
        testset_steps=[await make_testset()],
        application_steps=[await make_app()],
        evaluator_steps=[exact],
    )
    run_id = created.json()["evaluation"]["id"]
    run = (await client.get(f"/api/evaluations/runs/{run_id}", headers=owner.headers)).json()
    steps = {item["step_key"] for item in run["run"]["applications"] + run["run"]["evaluators"]}
    added = await post(
        client, owner, f"/api/simple/evaluations/{run_id}/scenarios/add", {"count": 2}
    )
    scenarios = added.json()["scenarios"]
    app_step = next(step for step in steps if step.startswith("application-"))
    results = [
        {
            "run_id": run_id,
            "scenario_id": scenarios[0]["id"],
            "step_key": app_step,
            "repeat_idx": 0,
            "status": "success",
            "trace_id": "0" * 32,
        },
        {
            "run_id": run_id,
            "scenario_id": scenarios[1]["id"],
            "step_key": app_step,
            "repeat_idx": 0,
            "status": "failure",
            "error": {"message": "the app crashed"},
        },
    ]
    populated = await post(
        client, owner, f"/api/simple/evaluations/{run_id}/populate", {"results": results}
    )
    edited = await client.patch(
        f"/api/evaluations/scenarios/{scenarios[0]['id']}",
        json={"scenario": {"id": scenarios[0]["id"], "status": "success"}},
        headers=owner.headers,
    )
    refreshed = await post(
        client, owner, "/api/evaluations/metrics/refresh", {"metrics": {"run_id": run_id}}
    )
    closed = await post(client, owner, f"/api/evaluations/runs/{run_id}/close?status=success")
    late = await client.patch(
        f"/api/evaluations/scenarios/{scenarios[1]['id']}",
        json={"scenario": {"id": scenarios[1]["id"], "status": "success"}},
        headers=owner.headers,
    )
    per_scenario = await post(
        client,
        owner,
        "/api/evaluations/metrics/query",
        {"metrics": {"run_id": run_id, "scenario_ids": True, "timestamps": False}},
    )

    assert [item["step_key"] for item in populated.json()["results"]] == [app_step, app_step]
    assert edited.json()["scenario"]["status"] == "success"
    metrics = refreshed.json()["metrics"][0]
    assert metrics["run_id"] == run_id and metrics["scenario_id"] is None
    assert metrics["data"][app_step]["count"] == 2 and metrics["data"][app_step]["errors"] == 1
    assert closed.json()["run"]["status"] == "succeeded"
    assert late.status_code == 409
    assert [m["scenario_id"] for m in per_scenario.json()["metrics"]] == [
        s["id"] for s in scenarios
    ]


async def test_a_result_for_an_unknown_step_is_refused_by_name(
    client: Any, owner: Persona, make_app: Factory, make_testset: Factory
) -> None:
    created = await create(
        client,
        owner,
        "custom",
        testset_steps=[await make_testset()],
        application_steps=[await make_app()],
        evaluator_steps=[],
    )
    run_id = created.json()["evaluation"]["id"]
    added = await post(
        client, owner, f"/api/simple/evaluations/{run_id}/scenarios/add", {"count": 1}
    )
    result = {
        "run_id": run_id,
        "scenario_id": added.json()["scenarios"][0]["id"],
        "step_key": "evaluator-unknown",
        "status": "success",
    }
    response = await post(
        client, owner, f"/api/simple/evaluations/{run_id}/populate", {"results": [result]}
    )
    assert response.status_code == 400
    assert response.json()["message"] == (
        "step_key 'evaluator-unknown' names no application or evaluator of this run"
    )


async def test_steps_must_be_revision_ids(client: Any, owner: Persona) -> None:
    body = {"evaluation": {"data": {"testset_steps": {"not-an-id": "custom"}}}}
    response = await post(client, owner, "/api/simple/evaluations/", body)
    assert response.status_code == 400
    assert response.json()["message"] == "data.testset_steps: 'not-an-id' is not a revision id"
