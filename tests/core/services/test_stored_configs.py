"""Invoking stored configurations by reference (revision, variant, environment) and inspecting
a service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.core.services.conftest import Invoke, prompt
from tests.fakes.llm_state import FakeLLM
from tests.support.accounts import Persona

Deploy = Callable[..., Awaitable[dict[str, Any]]]
STORED = prompt("Stored prompt about {{country}}")


async def test_an_environment_runs_what_is_deployed_there(
    invoke: Invoke, owner: Persona, deploy_prompt: Deploy, fake_llm: FakeLLM
) -> None:
    stored = await deploy_prompt(owner, "geo", STORED, environment="production")
    body = {
        "data": {"inputs": {"country": "Chile"}},
        "references": {"environment": {"slug": "production"}},
        "selector": {"key": "geo.revision"},
    }

    response = await invoke(owner, body)

    assert response.status_code == 200
    assert response.json()["data"]["outputs"] == "Stored prompt about Chile"
    assert stored["application"]["slug"] == "geo"


async def test_a_variant_or_a_revision_can_be_named_directly(
    invoke: Invoke, owner: Persona, deploy_prompt: Deploy
) -> None:
    stored = await deploy_prompt(owner, "geo", STORED)
    by_variant = {
        "application": {"slug": "geo"},
        "application_variant": {"slug": stored["application_variant"]["slug"]},
        "application_revision": {"version": "1"},
    }
    by_revision = {"application_revision": {"id": stored["application_revision"]["id"]}}

    for references in (by_variant, by_revision, {"application": {"slug": "geo"}}):
        body = {"data": {"inputs": {"country": "Peru"}}, "references": references}
        response = await invoke(owner, body)
        assert response.json()["data"]["outputs"] == "Stored prompt about Peru", references


async def test_inline_parameters_win_over_references(
    invoke: Invoke, owner: Persona, deploy_prompt: Deploy
) -> None:
    await deploy_prompt(owner, "geo", STORED, environment="production")
    body = {
        "data": {
            "inputs": {"country": "Peru"},
            "parameters": {"prompt": prompt("Draft {{country}}")},
        },
        "references": {"environment": {"slug": "production"}},
        "selector": {"key": "geo.revision"},
    }

    response = await invoke(owner, body)

    assert response.json()["data"]["outputs"] == "Draft Peru"


async def test_references_that_match_nothing_are_404(invoke: Invoke, owner: Persona) -> None:
    body = {"data": {"inputs": {}}, "references": {"application": {"slug": "nothing-here"}}}

    response = await invoke(owner, body)

    assert response.status_code == 404
    assert response.json()["status"]["message"] == "Workflow not found"


async def test_malformed_references_are_400_naming_the_field(
    invoke: Invoke, owner: Persona
) -> None:
    cases = [
        ({"application_revision": {"id": "not-a-uuid"}}, "references.application_revision.id"),
        ({"environment": {"slug": "production"}}, "environment_ref needs a key"),
    ]
    for references, message in cases:
        response = await invoke(owner, {"data": {"inputs": {}}, "references": references})
        assert response.status_code == 400, references
        assert message in response.json()["status"]["message"]


async def test_another_projects_config_cannot_be_run(
    invoke: Invoke, owner: Persona, outsider: Persona, deploy_prompt: Deploy
) -> None:
    stored = await deploy_prompt(owner, "geo", STORED)
    body = {
        "data": {"inputs": {"country": "Peru"}},
        "references": {"application_revision": {"id": stored["application_revision"]["id"]}},
    }

    response = await invoke(outsider, body)

    assert response.status_code == 404


async def test_inspect_describes_the_service_and_a_ready_request(
    invoke: Invoke, owner: Persona
) -> None:
    response = await invoke(owner, {}, "chat", "inspect")

    assert response.status_code == 200
    body = response.json()
    data = body["revision"]["data"]
    assert data["uri"] == "agenta:builtin:chat:v0"
    assert data["url"].endswith("/services/chat/v0")
    assert data["schemas"]["parameters"]["properties"]["prompt"]["x-ag-type"] == "prompt-template"
    assert data["schemas"]["inputs"]["properties"]["context"] == {"type": "string"}
    assert "messages" in data["schemas"]["inputs"]["required"]
    assert body["request"]["data"]["inputs"]["messages"] == [{"role": "user", "content": ""}]


async def test_inspect_reads_a_stored_config_and_reports_a_missing_one(
    invoke: Invoke, owner: Persona, deploy_prompt: Deploy
) -> None:
    await deploy_prompt(owner, "geo", STORED)

    found = await invoke(owner, {"references": {"application": {"slug": "geo"}}}, action="inspect")
    missing = await invoke(
        owner, {"references": {"application": {"slug": "nope"}}}, action="inspect"
    )

    assert found.json()["revision"]["data"]["parameters"] == {"prompt": STORED}
    assert found.json()["meta"]["variables"] == ["country"]
    assert found.json()["request"]["references"]["application"]["slug"] == "geo"
    assert missing.status_code == 404
    assert missing.json()["details"] == {"message": "Workflow not found"}
