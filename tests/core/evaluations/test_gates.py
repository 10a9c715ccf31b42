"""Eval-gated deployment: a gated environment takes only revisions that passed its evaluation,
whether the deploy comes through the registry's service, its API or the SDK's deploy call."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from agenta.core.registry import environments
from agenta.core.registry.models import ApplicationRevision
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference
from agenta.errors import Conflict
from agenta.platform import Platform
from tests.core.evaluations.conftest import wait_for_run
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona

Factory = Callable[..., Awaitable[Any]]
ANSWERING = {
    "messages": [{"role": "user", "content": "{{correct_answer}}"}],
    "template_format": "curly",
    "llm_config": {"model": "gpt-4o-mini"},
}


async def environment_id(client: Any, owner: Persona, slug: str = "production") -> str:
    body = {"environment": {"slug": slug}}
    found = await client.post("/api/simple/environments/query", json=body, headers=owner.headers)
    return str(found.json()["environments"][0]["id"])


async def gate(client: Any, owner: Persona, env: str, **body: Any) -> Any:
    return await client.put(f"/api/evaluations/gates/{env}", json=body, headers=owner.headers)


async def evaluate(client: Any, owner: Persona, testset: uuid.UUID, revision: uuid.UUID) -> dict:
    body = {
        "run": {
            "testset_revision_id": str(testset),
            "applications": [{"revision_id": str(revision)}],
            "evaluators": [{"slug": "exact"}],
        }
    }
    created = await client.post("/api/evaluations/runs/", json=body, headers=owner.headers)
    assert created.status_code == 200, created.text
    return await wait_for_run(client, owner, created.json()["run"]["id"])


async def deploy(platform: Platform, owner: Persona, revision_id: uuid.UUID) -> None:
    async with platform.db.session() as session:
        scope = Scope(session=session, project_id=owner.project_id, actor_id=owner.user_id)
        revision = await scope.applications.revision(revision_id)
        assert isinstance(revision, ApplicationRevision)
        application = await scope.applications.artifact(revision.artifact_id)
        environment = await environments.find_environment(scope, Reference(slug="production"))
        assert application is not None and environment is not None
        await environments.deploy(scope, environment, application, revision, variant_slug="v")


@pytest.fixture
async def gated(
    client: Any, owner: Persona, make_testset: Factory, make_evaluator: Factory
) -> dict[str, Any]:
    testset = await make_testset()
    exact = await make_evaluator("exact", "auto_exact_match")
    env = await environment_id(client, owner)
    response = await gate(
        client,
        owner,
        env,
        testset_revision_id=str(testset),
        evaluator_ids=[str(exact)],
        thresholds={"exact.pass_rate": 0.9},
    )
    assert response.status_code == 200, response.text
    return {"testset": testset, "environment": env}


async def test_a_gated_environment_refuses_a_revision_that_was_never_evaluated(
    platform: Platform, owner: Persona, make_app: Factory, gated: dict[str, Any]
) -> None:
    revision = await make_app("support")
    with pytest.raises(Conflict) as refused:
        await deploy(platform, owner, revision)
    assert "requires a passed evaluation" in refused.value.detail


async def test_a_revision_that_passed_the_evaluation_deploys_and_shows_its_evidence(
    client: Any, platform: Platform, owner: Persona, make_app: Factory, gated: dict[str, Any]
) -> None:
    revision = await make_app("support", ANSWERING)
    run = await evaluate(client, owner, gated["testset"], revision)

    await deploy(platform, owner, revision)

    evidence = await client.get(
        f"/api/evaluations/gates/{gated['environment']}/evidence?revision_id={revision}",
        headers=owner.headers,
    )
    assert evidence.json() | {"values": None} == {
        "gated": True,
        "passed": True,
        "run_id": run["id"],
        "run_name": run["name"],
        "values": None,
        "reasons": [],
    }
    assert evidence.json()["values"] == {"exact.pass_rate": 1.0}


async def test_a_revision_below_the_threshold_is_refused_with_its_score(
    client: Any, owner: Persona, make_app: Factory, gated: dict[str, Any]
) -> None:
    revision = await make_app("support")  # echoes the country: never the capital
    await evaluate(client, owner, gated["testset"], revision)
    variants = await client.post(
        "/api/applications/variants/query",
        json={"application_refs": [{"slug": "support"}]},
        headers=owner.headers,
    )
    variant = variants.json()["application_variants"][0]["slug"]

    response = await client.post(
        "/api/applications/revisions/deploy",
        json={
            "application_ref": {"slug": "support"},
            "application_variant_ref": {"slug": variant},
            "environment_ref": {"slug": "production"},
        },
        headers=owner.headers,
    )

    assert response.status_code == 409
    assert "exact.pass_rate is 0.000, the gate requires at least 0.9" in response.json()["message"]


async def test_environments_without_a_gate_deploy_as_before(
    platform: Platform, owner: Persona, make_app: Factory, gated: dict[str, Any]
) -> None:
    revision = await make_app("support")
    async with platform.db.session() as session:
        scope = Scope(session=session, project_id=owner.project_id, actor_id=owner.user_id)
        staging = await environments.find_environment(scope, Reference(slug="staging"))
        stored = await scope.applications.revision(revision)
        assert staging is not None and stored is not None
        application = await scope.applications.artifact(stored.artifact_id)
        assert application is not None
        deployed = await environments.deploy(scope, staging, application, stored, variant_slug="v")
    assert deployed.version == 2


async def test_a_threshold_must_name_one_of_the_gates_evaluators(
    client: Any, owner: Persona, make_testset: Factory, make_evaluator: Factory
) -> None:
    response = await gate(
        client,
        owner,
        await environment_id(client, owner),
        testset_revision_id=str(await make_testset()),
        evaluator_ids=[str(await make_evaluator("exact"))],
        thresholds={"judge": 0.5},
    )
    assert response.status_code == 400
    assert response.json()["message"] == (
        "threshold 'judge' names no evaluator of the gate (they are: exact)"
    )


async def test_only_deployers_may_set_a_gate(
    client: Any, make_persona: MakePersona, gated: dict[str, Any]
) -> None:
    editor = await make_persona("editor")
    response = await gate(
        client,
        editor,
        gated["environment"],
        testset_revision_id=str(gated["testset"]),
        evaluator_ids=[],
    )
    assert response.status_code == 403
