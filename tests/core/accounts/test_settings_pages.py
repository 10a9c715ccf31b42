"""The account and members pages driven like a browser: forms post, flashes say what happened."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from agenta.core.accounts.users import get_user
from agenta.platform import Platform
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona, csrf_token, login_as


async def submit(client: AsyncTestClient[Any], path: str, **fields: str) -> Any:
    return await client.post(path, data={"_csrf_token": await csrf_token(client), **fields})


async def test_an_owner_inviting_a_pending_address_again_gets_the_renewed_invitation(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    await submit(client, "/settings/invitations", email="again@example.com", role="viewer")

    page = await submit(client, "/settings/invitations", email="again@example.com", role="editor")

    assert page.status_code == 200
    assert "again@example.com already had a pending invitation: it was renewed" in page.text
    assert 'id="invitation-link"' in page.text
    assert page.text.count("<td>again@example.com</td>") == 1


async def test_an_owner_inviting_a_member_is_told_they_already_belong(
    client: AsyncTestClient[Any], owner: Persona, make_persona: MakePersona
) -> None:
    editor = await make_persona(role="editor")
    await login_as(client, owner)

    page = await submit(client, "/settings/invitations", email=editor.email, role="viewer")

    assert page.status_code == 409
    assert f"{editor.email} is already a member of this organization" in page.text
    assert 'id="invitation-link"' not in page.text


async def test_a_user_saving_an_empty_name_is_told_and_keeps_the_old_one(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    await login_as(client, owner)
    await submit(client, "/account/profile", name="Ada Lovelace")

    page = await submit(client, "/account/profile", name="")

    assert page.status_code == 422
    assert "The name must be between 1 and 200 characters long" in page.text
    assert 'value="Ada Lovelace"' in page.text
    async with platform.db.session() as session:
        assert (await get_user(session, owner.user_id)).name == "Ada Lovelace"
