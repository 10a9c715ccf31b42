"""Registry changes are recorded as events in the same transaction, with who made them."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.core.registry.test_sdk_endpoints import (
    PARAMS_V1,
    create_app,
    create_variant_with_commits,
)
from tests.support.accounts import Persona


async def events_of(client: AsyncTestClient[Any], persona: Persona) -> list[dict[str, Any]]:
    response = await client.get("/api/events", headers=persona.headers)
    assert response.status_code == 200, response.text
    return list(reversed(response.json()["events"]))


async def test_creating_committing_and_deploying_an_app_are_recorded_as_events(
    api: Any, client: AsyncTestClient[Any], owner: Persona
) -> None:
    sdk = api(owner)
    app = await create_app(sdk, "geo-qa")
    variant, _ = await create_variant_with_commits(sdk, app, "default", PARAMS_V1)
    deployed = await sdk.post(
        "/api/applications/revisions/deploy",
        {
            "application_ref": {"id": app["id"]},
            "application_variant_ref": {"id": variant["id"]},
            "application_revision_ref": {"version": "1"},
            "environment_ref": {"slug": "production"},
        },
    )
    assert deployed.status_code == 200, deployed.text

    events = await events_of(client, owner)
    types = [event["type"] for event in events]
    assert types[0] == "app.created"
    assert "variant.committed" in types
    assert types[-1] == "environment.deployed"
    deploy = events[-1]
    assert deploy["data"]["environment"] == "production"
    assert deploy["data"]["application_id"] == app["id"]
    assert all(event["actor"]["user_id"] == str(owner.user_id) for event in events)


async def test_a_refused_change_records_no_event(
    api: Any, client: AsyncTestClient[Any], owner: Persona
) -> None:
    sdk = api(owner)
    await create_app(sdk, "taken")
    again = await sdk.post("/api/simple/applications/", {"application": {"slug": "taken"}})
    assert again.status_code >= 400
    types = [event["type"] for event in await events_of(client, owner)]
    assert types.count("app.created") == 1
