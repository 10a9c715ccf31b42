"""Irreversible settings actions ask first: each form carries the question it asks, naming the
thing it acts on, and still posts as a plain form when JavaScript is off."""

from __future__ import annotations

import html
import re
from typing import Any

from litestar.testing import AsyncTestClient

from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona, csrf_token, login_as


def confirmation_of(page: str, action: str) -> str:
    """The question the form posting to ``action`` asks before it is sent."""
    tag = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>', page)
    assert tag, f"no form posts to {action}"
    assert 'onsubmit="return confirm(this.dataset.confirm)"' in tag.group(0)
    question = re.search(r'data-confirm="([^"]*)"', tag.group(0))
    assert question, f"the form posting to {action} asks nothing"
    return html.unescape(question.group(1))


async def submit(client: AsyncTestClient[Any], path: str, **fields: str) -> Any:
    return await client.post(path, data={"_csrf_token": await csrf_token(client), **fields})


async def test_an_owner_is_asked_before_revoking_an_api_key(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    page = (await client.get("/settings/api-keys")).text
    prefix = re.search(r'data-prefix="([^"]+)"', page)
    assert prefix

    question = confirmation_of(page, f"/settings/api-keys/{prefix.group(1)}/revoke")

    assert "test key" in question
    assert "cannot be undone" in question


async def test_an_owner_is_asked_before_removing_a_member(
    client: AsyncTestClient[Any], owner: Persona, make_persona: MakePersona
) -> None:
    editor = await make_persona(role="editor")
    await login_as(client, owner)
    page = (await client.get("/settings/members")).text

    question = confirmation_of(page, f"/settings/members/{editor.user_id}/remove")

    assert editor.email in question
    assert "cannot be undone" in question


async def test_an_owner_is_asked_before_deleting_a_provider_key(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    await submit(client, "/settings/providers/keys", provider="openai", key="sk-confirm-0123")
    page = (await client.get("/settings/providers")).text

    question = confirmation_of(page, "/settings/providers/openai/delete")

    assert "OpenAI" in question
    assert "cannot be undone" in question


async def test_an_owner_is_asked_before_replacing_a_webhook_secret(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    created = await submit(
        client, "/settings/webhooks", name="Deploy hook", url="https://example.com/hook", active="1"
    )
    webhook_id = re.search(r'href="/settings/webhooks/([0-9a-f-]{36})"', created.text)
    assert webhook_id
    page = (await client.get(f"/settings/webhooks/{webhook_id.group(1)}")).text

    question = confirmation_of(page, f"/settings/webhooks/{webhook_id.group(1)}/rotate-secret")

    assert "Deploy hook" in question
    assert "cannot be recovered" in question
