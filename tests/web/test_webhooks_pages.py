"""The webhook settings pages and the activity page, driven like a browser through forms."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from agenta.platform import Platform
from agenta.settings import Settings
from tests.core.evaluators.local_http import CannedResponse, LocalHTTPServer
from tests.core.webhooks.conftest import FAST_RETRIES, Receiver
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona, csrf_token, login_as
from tests.support.applications import store_application


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    return make_settings(
        database_url, job_poll_interval=0.05, webhooks_allow_private=True, **FAST_RETRIES
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    with LocalHTTPServer(receiver.respond) as server:
        receiver.server = server
        yield receiver


async def submit(client: AsyncTestClient[Any], path: str, **fields: Any) -> Any:
    data = {"_csrf_token": await csrf_token(client), **fields}
    return await client.post(path, data=data)


async def create_webhook(client: AsyncTestClient[Any], url: str, **fields: Any) -> tuple[str, str]:
    """Create a webhook through the form; returns its id and the secret shown once."""
    page = await submit(client, "/settings/webhooks", name="My hook", url=url, active="1", **fields)
    assert page.status_code == 200, page.text
    secret = re.search(r'<code id="new-secret">(whsec_[^<]+)</code>', page.text)
    webhook_id = re.search(r'href="/settings/webhooks/([0-9a-f-]{36})"', page.text)
    assert secret and webhook_id
    return webhook_id.group(1), secret.group(1)


async def wait_for_text(client: AsyncTestClient[Any], path: str, text: str) -> str:
    async with asyncio.timeout(15):
        while text not in (body := (await client.get(path)).text):
            await asyncio.sleep(0.05)
    return body


async def test_creating_a_webhook_shows_its_secret_once(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    webhook_id, secret = await create_webhook(
        client, "https://example.com/hook", event_types="app.created"
    )
    listing = await client.get("/settings/webhooks")
    assert secret not in listing.text
    assert f"…{secret[-4:]}" in listing.text
    detail = await client.get(f"/settings/webhooks/{webhook_id}")
    assert secret not in detail.text
    assert 'value="app.created" checked' in detail.text


async def test_a_wrong_form_keeps_what_was_typed_and_names_the_problem(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    page = await submit(client, "/settings/webhooks", name="Kept name", url="ftp://example.com")
    assert page.status_code == 422
    assert "url: only http and https URLs are allowed, got &#39;ftp&#39;" in page.text
    assert 'value="Kept name"' in page.text


async def test_a_webhook_is_scoped_to_an_application_picked_by_name(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    app_id = await store_application(platform, owner, "support-bot")
    await login_as(client, owner)

    form = await client.get("/settings/webhooks")
    webhook_id, _ = await create_webhook(
        client, "https://example.com/hook", event_types="app.created", application_id=str(app_id)
    )

    assert f'<option value="{app_id}" >support-bot</option>' in form.text
    detail = await client.get(f"/settings/webhooks/{webhook_id}")
    assert f'<option value="{app_id}" selected>support-bot</option>' in detail.text


async def test_send_test_event_shows_the_delivery_and_its_try_then_redelivers(
    client: AsyncTestClient[Any], owner: Persona, receiver: Receiver
) -> None:
    await login_as(client, owner)
    webhook_id, receiver.secret = await create_webhook(client, receiver.url, max_attempts="1")
    receiver.script = [CannedResponse(503, b"maintenance")]
    sent = await submit(client, f"/settings/webhooks/{webhook_id}/test")
    assert "Test event sent" in sent.text

    detail = await wait_for_text(client, f"/settings/webhooks/{webhook_id}", 'pill bad">failed')
    delivery_id = re.search(r'href="/settings/webhooks/deliveries/([0-9a-f-]{36})"', detail)
    assert delivery_id
    delivery_path = f"/settings/webhooks/deliveries/{delivery_id.group(1)}"
    delivery = await client.get(delivery_path)
    assert "maintenance" in delivery.text and "HTTP 503" in delivery.text
    assert "X-Agenta-Signature" in delivery.text  # the verification recipe

    again = await submit(client, f"{delivery_path}/redeliver")
    assert "Redelivery queued" in again.text
    await wait_for_text(client, delivery_path, 'pill ok">succeeded')
    assert receiver.signatures_ok == [True, True]


async def test_deactivating_and_deleting_a_webhook(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    webhook_id, _ = await create_webhook(client, "https://example.com/hook")
    stopped = await submit(client, f"/settings/webhooks/{webhook_id}/deactivate")
    assert "Webhook deactivated" in stopped.text and ">inactive<" in stopped.text
    deleted = await submit(client, f"/settings/webhooks/{webhook_id}/delete")
    assert "Webhook My hook deleted" in deleted.text
    assert (await client.get(f"/settings/webhooks/{webhook_id}")).status_code == 404


async def test_a_viewer_sees_webhooks_without_the_forms(
    client: AsyncTestClient[Any], make_persona: MakePersona
) -> None:
    viewer = await make_persona("viewer")
    await login_as(client, viewer)
    page = await client.get("/settings/webhooks")
    assert page.status_code == 200
    assert "New webhook" not in page.text
    refused = await submit(client, "/settings/webhooks", name="x", url="https://example.com")
    assert refused.status_code == 403


async def test_the_activity_page_lists_events_with_their_actor_and_filters(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    webhook_id, _ = await create_webhook(client, "https://example.com/hook")
    await submit(client, f"/settings/webhooks/{webhook_id}/test")

    page = await client.get("/activity")
    assert page.status_code == 200
    assert "webhook.test" in page.text and f"{owner.email} via session" in page.text
    assert 'href="/activity"' in page.text  # the navigation entry
    filtered = await client.get("/activity", params={"type": "app"})
    assert "webhook.test" not in filtered.text.split('id="activity"')[1]
    bad = await client.get("/activity", params={"until": "soon"})
    assert bad.status_code == 400 and "until: &#39;soon&#39; is not an ISO 8601" in bad.text


async def test_roles_without_view_events_cannot_open_the_activity_page(
    client: AsyncTestClient[Any], make_persona: MakePersona
) -> None:
    editor = await make_persona("editor")
    await login_as(client, editor)
    assert (await client.get("/activity")).status_code == 403
