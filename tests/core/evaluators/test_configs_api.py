"""The evaluator API: catalog, configurations, trying one, and the SDK's endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from agenta.core.services.runtime import llm_client
from tests.core.evaluations import conftest as evaluation_fixtures
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona

# An app whose jobs run against the fake LLM server.
client = evaluation_fixtures.client
provider_env = evaluation_fixtures.provider_env


async def post(client: Any, persona: Persona, path: str, body: Any) -> Any:
    return await client.post(path, json=body, headers=persona.headers)


async def test_the_catalog_lists_the_built_ins_with_their_settings(
    client: Any, owner: Persona
) -> None:
    catalog = (await client.get("/api/evaluators/catalog", headers=owner.headers)).json()
    keys = {entry["key"] for entry in catalog["evaluators"]}
    assert {"auto_exact_match", "auto_ai_critique", "auto_custom_code_run"} <= keys
    assert "auto_starts_with" not in keys  # archived ones only on request


async def test_a_configuration_is_created_updated_and_listed(client: Any, owner: Persona) -> None:
    created = await post(
        client,
        owner,
        "/api/evaluators/configs",
        {"slug": "p", "evaluator_key": "auto_regex_test", "settings": {"regex_pattern": "^P"}},
    )
    evaluator_id = created.json()["evaluator"]["id"]
    updated = await client.put(
        f"/api/evaluators/configs/{evaluator_id}",
        json={"name": "Starts with Q", "settings": {"regex_pattern": "^Q"}, "message": "Q now"},
        headers=owner.headers,
    )
    listing = await client.get("/api/evaluators/configs", headers=owner.headers)
    history = await client.get(
        f"/api/evaluators/configs/{evaluator_id}/revisions", headers=owner.headers
    )

    assert created.status_code == 201
    assert updated.json()["evaluator"] | {"updated_at": None, "created_at": None} == {
        **updated.json()["evaluator"],
        "name": "Starts with Q",
        "version": 2,
        "updated_at": None,
        "created_at": None,
    }
    assert updated.json()["evaluator"]["settings"]["regex_pattern"] == "^Q"
    assert [item["slug"] for item in listing.json()["evaluators"]] == ["p"]
    assert [item["message"] for item in history.json()["revisions"]] == ["Q now", "Created"]


async def test_a_wrong_setting_is_a_400_naming_it(client: Any, owner: Persona) -> None:
    response = await post(
        client,
        owner,
        "/api/evaluators/configs",
        {"slug": "t", "evaluator_key": "auto_levenshtein_distance", "settings": {"threshold": 3}},
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("setting 'threshold'")


async def test_trying_an_llm_judge_calls_the_model_and_reports_its_cost(
    client: Any, owner: Persona
) -> None:
    response = await post(
        client,
        owner,
        "/api/evaluators/try",
        {
            "evaluator_key": "auto_ai_critique",
            "settings": {"model": "gpt-4o-mini"},
            "inputs": {"country": "France", "correct_answer": "Paris"},
            "outputs": "Paris",
        },
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["result"]["error"] is None
    assert answer["result"]["score"] is not None
    assert answer["tokens"] > 0 and answer["cost"] > 0
    # The judge called through the process's client, whose provider stays for the next try.
    assert len(llm_client(client.app.state.platform).pool) == 1


async def test_trying_semantic_similarity_embeds_both_texts_and_reports_their_cost(
    client: Any, owner: Persona
) -> None:
    response = await post(
        client,
        owner,
        "/api/evaluators/try",
        {
            "evaluator_key": "auto_semantic_similarity",
            "settings": {"threshold": 0.4},
            "inputs": {"correct_answer": "Paris"},
            "outputs": "The capital is Paris",
        },
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["result"]["error"] is None
    assert answer["result"]["score"] == pytest.approx(0.5)
    assert answer["result"]["success"] is True
    assert answer["tokens"] == 5
    assert answer["cost"] == pytest.approx(5 * 0.02 / 1_000_000)


async def test_trying_a_saved_configuration_uses_its_settings(client: Any, owner: Persona) -> None:
    created = await post(
        client,
        owner,
        "/api/evaluators/configs",
        {"slug": "p", "evaluator_key": "auto_regex_test", "settings": {"regex_pattern": "^P"}},
    )
    tried = await post(
        client,
        owner,
        "/api/evaluators/try",
        {"evaluator_id": created.json()["evaluator"]["id"], "inputs": {}, "outputs": "Lima"},
    )
    assert tried.json()["result"]["success"] is False


@pytest.mark.parametrize("role,allowed", [("viewer", False), ("editor", True)])
async def test_only_editors_change_evaluators(
    client: Any, make_persona: MakePersona, role: str, allowed: bool
) -> None:
    persona = await make_persona(role)
    response = await post(
        client,
        persona,
        "/api/evaluators/configs",
        {"slug": "x", "evaluator_key": "auto_exact_match"},
    )
    assert (response.status_code == 201) is allowed


async def test_the_sdk_creates_retrieves_and_edits_an_evaluator(
    client: Any, owner: Persona
) -> None:
    data = {"uri": "agenta:builtin:auto_exact_match:v0", "parameters": {}}
    created = await post(
        client,
        owner,
        "/api/simple/evaluators/",
        {"evaluator": {"slug": "sdk-exact", "name": "SDK exact", "data": data}},
    )
    evaluator_id = created.json()["evaluator"]["id"]
    by_slug = await post(
        client,
        owner,
        "/api/evaluators/revisions/retrieve",
        {"evaluator_ref": {"slug": "sdk-exact"}},
    )
    missing = await post(
        client, owner, "/api/evaluators/revisions/retrieve", {"evaluator_ref": {"slug": "nope"}}
    )
    edited = await client.put(
        f"/api/simple/evaluators/{evaluator_id}",
        json={
            "evaluator": {
                "id": evaluator_id,
                "data": {**data, "parameters": {"correct_answer_key": "gold"}},
            }
        },
        headers=owner.headers,
    )
    by_revision = await post(
        client,
        owner,
        "/api/evaluators/revisions/retrieve",
        {"evaluator_revision_ref": {"id": by_slug.json()["evaluator_revision"]["id"]}},
    )

    revision = by_slug.json()["evaluator_revision"]
    assert created.json()["evaluator"]["data"]["uri"] == data["uri"]
    assert revision["evaluator_id"] == evaluator_id and revision["version"] == "1"
    assert set(revision["data"]) <= {"uri", "parameters"}
    assert missing.json() == {"count": 0, "evaluator_revision": None}
    assert edited.json()["evaluator"]["data"]["parameters"]["correct_answer_key"] == "gold"
    assert by_revision.json()["evaluator_revision"]["version"] == "1"
