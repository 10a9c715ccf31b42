"""The webhooks REST API, called with API keys of members with different roles."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from litestar.testing import AsyncTestClient

from agenta.settings import Settings
from tests.core.evaluators.local_http import CannedResponse
from tests.core.webhooks.conftest import Receiver
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona

BASE = "/api/webhooks/subscriptions"


def new_webhook(url: str, **fields: Any) -> dict[str, Any]:
    return {"name": "CI hook", "url": url, **fields}


async def wait_for_deliveries(
    client: AsyncTestClient[Any], persona: Persona, status: str, count: int = 1
) -> list[dict[str, Any]]:
    async with asyncio.timeout(15):
        while True:
            response = await client.get(
                "/api/webhooks/deliveries", params={"status": status}, headers=persona.headers
            )
            if len(response.json()) >= count:
                return list(response.json())
            await asyncio.sleep(0.05)


async def test_creating_a_webhook_shows_the_secret_once(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    created = await client.post(
        BASE,
        json=new_webhook("https://example.com/hook", event_types=["app.created"]),
        headers=owner.headers,
    )
    assert created.status_code == 201, created.text
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    listed = await client.get(BASE, headers=owner.headers)
    [shown] = listed.json()
    assert "secret" not in shown
    assert shown["secret_hint"] == "…" + secret[-4:]
    assert shown["event_types"] == ["app.created"]


async def test_a_webhook_without_its_own_tries_gets_the_deployments_and_keeps_them_on_edit(
    settings: Settings, make_client: Callable[..., AsyncTestClient[Any]], owner: Persona
) -> None:
    async with make_client(settings.with_overrides(webhooks_max_attempts=3)) as client:
        created = await client.post(
            BASE, json=new_webhook("https://example.com/hook"), headers=owner.headers
        )
        assert created.status_code == 201, created.text
        assert created.json()["max_attempts"] == 3
        path = f"{BASE}/{created.json()['id']}"
        chosen = new_webhook("https://example.com/hook", max_attempts=5)
        assert (await client.put(path, json=chosen, headers=owner.headers)).json()[
            "max_attempts"
        ] == 5
        renamed = new_webhook("https://example.com/hook", name="renamed")
        kept = await client.put(path, json=renamed, headers=owner.headers)
        assert kept.status_code == 200, kept.text
        assert (kept.json()["name"], kept.json()["max_attempts"]) == ("renamed", 5)


async def test_bad_input_gets_a_422_naming_the_fields(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    response = await client.post(
        BASE,
        json=new_webhook("ftp://example.com/hook", event_types=["nope"]),
        headers=owner.headers,
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body["details"]) == {"url", "event_types"}
    assert "only http and https URLs are allowed" in body["message"]


async def test_a_viewer_can_read_webhooks_but_not_change_them(
    client: AsyncTestClient[Any], owner: Persona, make_persona: MakePersona
) -> None:
    viewer = await make_persona("viewer")
    assert (await client.get(BASE, headers=viewer.headers)).status_code == 200
    refused = await client.post(
        BASE, json=new_webhook("https://example.com/hook"), headers=viewer.headers
    )
    assert refused.status_code == 403
    assert "edit_webhooks" in refused.json()["message"]


async def test_another_project_cannot_see_or_change_a_webhook(
    client: AsyncTestClient[Any], owner: Persona, outsider: Persona
) -> None:
    created = await client.post(
        BASE, json=new_webhook("https://example.com/hook"), headers=owner.headers
    )
    path = f"{BASE}/{created.json()['id']}"
    assert (await client.get(path, headers=outsider.headers)).status_code == 404
    assert (await client.delete(path, headers=outsider.headers)).status_code == 404
    assert (await client.get(path, headers=owner.headers)).status_code == 200


async def test_send_test_event_reaches_the_receiver_and_is_logged(
    client: AsyncTestClient[Any], owner: Persona, receiver: Receiver
) -> None:
    created = await client.post(BASE, json=new_webhook(receiver.url), headers=owner.headers)
    receiver.secret = created.json()["secret"]
    webhook_id = created.json()["id"]
    sent = await client.post(f"{BASE}/{webhook_id}/test", headers=owner.headers)
    assert sent.status_code == 200, sent.text

    [delivery] = await wait_for_deliveries(client, owner, "succeeded")
    assert delivery["event_type"] == "webhook.test"
    assert receiver.signatures_ok == [True]
    assert receiver.requests[0].json()["data"]["subscription_id"] == webhook_id
    detail = await client.get(f"/api/webhooks/deliveries/{delivery['id']}", headers=owner.headers)
    [attempt] = detail.json()["attempts_log"]
    assert (attempt["status_code"], attempt["outcome"]) == (200, "succeeded")


async def test_a_failed_delivery_can_be_redelivered_through_the_api(
    client: AsyncTestClient[Any], owner: Persona, receiver: Receiver
) -> None:
    created = await client.post(
        BASE, json=new_webhook(receiver.url, max_attempts=1), headers=owner.headers
    )
    receiver.secret = created.json()["secret"]
    receiver.script = [CannedResponse(500, b"boom")]
    await client.post(f"{BASE}/{created.json()['id']}/test", headers=owner.headers)
    [failed] = await wait_for_deliveries(client, owner, "failed")

    again = await client.post(
        f"/api/webhooks/deliveries/{failed['id']}/redeliver", headers=owner.headers
    )
    assert again.status_code == 202
    twice = await client.post(
        f"/api/webhooks/deliveries/{failed['id']}/redeliver", headers=owner.headers
    )
    assert twice.status_code in {202, 409}
    [delivered] = await wait_for_deliveries(client, owner, "succeeded")
    assert delivered["id"] == failed["id"]
    assert receiver.delivery_ids() == [failed["id"], failed["id"]]


async def test_an_unknown_action_is_a_404_that_lists_the_actions(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    created = await client.post(
        BASE, json=new_webhook("https://example.com/hook"), headers=owner.headers
    )
    response = await client.post(f"{BASE}/{created.json()['id']}/explode", headers=owner.headers)
    assert response.status_code == 404
    assert "activate, deactivate, rotate-secret or test" in response.json()["message"]
