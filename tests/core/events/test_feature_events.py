"""Features record their changes as events: API keys and test set commits."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.support.accounts import Persona


async def event_types(client: AsyncTestClient[Any], persona: Persona) -> list[str]:
    response = await client.get("/api/events", headers=persona.headers)
    assert response.status_code == 200, response.text
    return [event["type"] for event in reversed(response.json()["events"])]


async def test_creating_and_revoking_an_api_key_are_recorded(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    created = await client.post("/api/keys", json={"name": "CI"}, headers=owner.headers)
    assert created.status_code == 201, created.text
    prefix = created.json()["prefix"]
    revoked = await client.delete(f"/api/keys/{prefix}", headers=owner.headers)
    assert revoked.status_code in (200, 204), revoked.text

    response = await client.get("/api/events", headers=owner.headers)
    events = list(reversed(response.json()["events"]))
    assert [e["type"] for e in events][-2:] == ["api_key.created", "api_key.revoked"]
    assert events[-1]["data"]["prefix"] == prefix
    assert events[-1]["actor"]["user_id"] == str(owner.user_id)


async def test_committing_a_test_set_is_recorded(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    rows = [{"question": "2+2?", "correct_answer": "4"}]
    created = await client.post(
        "/api/testsets", json={"name": "Arithmetic", "rows": rows}, headers=owner.headers
    )
    assert created.status_code in (200, 201), created.text
    assert "testset.committed" in await event_types(client, owner)
