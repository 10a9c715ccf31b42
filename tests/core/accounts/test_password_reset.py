"""Password reset by token: the link is logged, works once, and ends every session."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from agenta.platform import Platform
from tests.core.accounts.test_members import Collected, mail_log
from tests.support.accounts import Persona, csrf_token, login, make_user

__all__ = ["mail_log"]


async def request_reset(client: AsyncTestClient[Any], email: str) -> Any:
    return await client.post(
        "/password-reset", data={"email": email, "_csrf_token": await csrf_token(client)}
    )


async def test_a_reset_link_sets_a_new_password_once_and_ends_all_sessions(
    client: AsyncTestClient[Any],
    make_client: Any,
    settings: Any,
    owner: Persona,
    mail_log: Collected,
) -> None:
    async with make_client(settings) as other_browser:
        await login(other_browser, owner.email, owner.password)
        response = await request_reset(client, owner.email)
        assert "If an account exists" in response.text
        [mail] = mail_log.records
        link: str = mail.body.split(": ", 1)[1]  # type: ignore[attr-defined]
        path = link.removeprefix(settings.public_url)
        form = {"password": "a fresh new secret", "_csrf_token": await csrf_token(client)}
        done = await client.post(path, data=form, follow_redirects=False)
        assert done.status_code == 303
        assert done.headers["location"] == "/login?reset=1"
        assert (await other_browser.get("/api/profile")).status_code == 401
    await login(client, owner.email, "a fresh new secret")
    again = await client.post(path, data={**form, "_csrf_token": await csrf_token(client)})
    assert again.status_code == 410
    assert "not valid or has expired" in again.text


async def test_asking_for_an_unknown_address_looks_the_same_and_sends_nothing(
    client: AsyncTestClient[Any], mail_log: Collected
) -> None:
    response = await request_reset(client, "nobody@example.com")
    assert response.status_code == 200
    assert "If an account exists" in response.text
    assert mail_log.records == []


async def test_a_made_up_reset_token_is_refused(
    client: AsyncTestClient[Any], platform: Platform
) -> None:
    await make_user(platform)
    form = {"password": "whatever it is", "_csrf_token": await csrf_token(client)}
    response = await client.post("/password-reset/made-up-token", data=form)
    assert response.status_code == 410
