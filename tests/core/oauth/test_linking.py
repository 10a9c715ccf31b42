"""Which account a provider's user lands in: linked identity, verified address, or a new one."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from agenta.core.accounts.invitations import create_invitation
from agenta.core.accounts.models import User
from agenta.platform import Platform
from agenta.settings import Settings
from tests.core.oauth import flow
from tests.core.oauth.conftest import oauth_overrides
from tests.core.oauth.stored import identities_of, user_by_email, user_count
from tests.fakes.oauth_provider import FakeOAuthProvider, FakeUser
from tests.support.accounts import login, make_user


async def disable(platform: Platform, email: str) -> None:
    async with platform.db.session() as session:
        await session.execute(update(User).where(User.email == email).values(disabled=True))


@pytest.fixture
def closed_settings(
    make_settings: Any, database_url: str, oauth_provider: FakeOAuthProvider
) -> Settings:
    """Settings with sign-up switched off."""
    return make_settings(database_url, signup_enabled=False, **oauth_overrides(oauth_provider))


@pytest.mark.parametrize("provider", ["oidc", "github"])
async def test_a_verified_address_links_the_provider_to_the_existing_account(
    client: Any, platform: Platform, oauth_provider: FakeOAuthProvider, provider: str
) -> None:
    existing = await make_user(platform, email="ada@example.com")

    response = await flow.log_in(client, provider)

    assert response.status_code == 303
    assert (await client.get("/api/profile")).json()["id"] == str(existing.user_id)
    assert await user_count(platform) == 1
    assert len(await identities_of(platform, existing.user_id)) == 1
    user = await user_by_email(platform, "ada@example.com")
    assert user is not None and user.email_verified and user.password_hash is not None


async def test_the_password_still_works_after_linking(
    client: Any, make_client: Any, settings: Settings, platform: Platform, oauth_provider: Any
) -> None:
    existing = await make_user(platform, email="ada@example.com")
    await flow.log_in(client, "oidc")

    async with make_client(settings) as other_browser:
        await login(other_browser, existing.email, existing.password)


async def test_the_address_is_matched_whatever_its_case(
    client: Any, platform: Platform, oauth_provider: FakeOAuthProvider
) -> None:
    existing = await make_user(platform, email="ada@example.com")
    oauth_provider.user = FakeUser(email="Ada@Example.COM")

    await flow.log_in(client, "oidc")

    assert (await client.get("/api/profile")).json()["id"] == str(existing.user_id)


async def test_an_unverified_address_neither_links_nor_creates_an_account(
    client: Any, platform: Platform, oauth_provider: FakeOAuthProvider
) -> None:
    existing = await make_user(platform, email="ada@example.com")
    oauth_provider.user = FakeUser(email_verified=False)

    response = await flow.log_in(client, "oidc")

    assert response.status_code == 403
    assert "has no verified e-mail address" in response.json()["message"]
    assert await identities_of(platform, existing.user_id) == []
    assert "agenta_access" not in client.cookies


@pytest.mark.parametrize(
    "emails",
    [
        [{"email": "ada@example.com", "primary": True, "verified": False}],
        [
            {"email": "ada@example.com", "primary": True, "verified": False},
            {"email": "ada@work.example.com", "primary": False, "verified": True},
        ],
        [],
    ],
    ids=["unverified-primary", "verified-secondary-only", "no-address"],
)
async def test_github_is_only_trusted_for_a_verified_primary_address(
    client: Any, platform: Platform, oauth_provider: FakeOAuthProvider, emails: list[Any]
) -> None:
    oauth_provider.user = FakeUser(github_emails=emails)

    response = await flow.log_in(client, "github")

    assert response.status_code == 403
    assert "GitHub account has no verified e-mail address" in response.json()["message"]
    assert await user_count(platform) == 0


async def test_the_address_is_read_from_userinfo_when_the_id_token_has_none(
    client: Any, platform: Platform, oauth_provider: FakeOAuthProvider
) -> None:
    oauth_provider.id_token_claims = {"email": None, "email_verified": None}

    response = await flow.log_in(client, "oidc")

    assert response.status_code == 303
    assert await user_by_email(platform, "ada@example.com") is not None


async def test_with_sign_up_off_a_new_user_is_refused(
    make_client: Any, closed_settings: Settings, platform: Platform, oauth_provider: Any
) -> None:
    async with make_client(closed_settings) as client:
        response = await flow.log_in(client, "oidc")

    assert response.status_code == 403
    assert "Sign-up is disabled" in response.json()["message"]
    assert await user_count(platform) == 0


async def test_with_sign_up_off_existing_and_linked_users_still_get_in(
    make_client: Any, closed_settings: Settings, platform: Platform, oauth_provider: Any
) -> None:
    await make_user(platform, email="ada@example.com")
    async with make_client(closed_settings) as client:
        by_address = await flow.log_in(client, "oidc")
        oauth_provider.user = FakeUser(email="ada@elsewhere.example.com")
        by_identity = await flow.log_in(client, "oidc")

    assert (by_address.status_code, by_identity.status_code) == (303, 303)
    assert await user_count(platform) == 1


async def test_with_sign_up_off_an_invitation_for_the_address_lets_a_new_user_in(
    make_client: Any, closed_settings: Settings, platform: Platform, oauth_provider: Any
) -> None:
    inviter = await make_user(platform)
    async with platform.db.session() as session:
        issued = await create_invitation(
            session,
            closed_settings,
            organization_id=inviter.organization_id,
            email="ada@example.com",
            role="editor",
            invited_by_id=inviter.user_id,
        )
    invitation_path = f"/invitations/{issued.token}"
    async with make_client(closed_settings) as client:
        response = await flow.log_in(client, "oidc", next_path=invitation_path)

    assert response.status_code == 303
    assert response.headers["location"] == invitation_path
    assert await user_by_email(platform, "ada@example.com") is not None


async def test_a_disabled_user_is_refused_whether_linked_or_matched_by_address(
    client: Any, platform: Platform, oauth_provider: FakeOAuthProvider
) -> None:
    await flow.log_in(client, "oidc")
    await disable(platform, "ada@example.com")
    client.cookies.clear()

    linked = await flow.log_in(client, "oidc")
    by_address = await flow.log_in(client, "github")

    assert (linked.status_code, by_address.status_code) == (403, 403)
    assert linked.json()["message"] == "This account is disabled; ask an admin"
    assert "agenta_access" not in client.cookies
