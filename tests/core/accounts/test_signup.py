"""Signing up: the user, their personal organization, default workspace and project."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.accounts import hooks
from agenta.core.accounts.models import OrganizationMember, Project, User, Workspace
from agenta.core.accounts.users import check_credentials, sign_up
from agenta.errors import AppError, Conflict
from agenta.platform import Platform
from tests.support.accounts import csrf_token


async def test_signing_up_creates_a_personal_organization_with_a_default_project(
    platform: Platform,
) -> None:
    async with platform.db.session() as session:
        user, tenancy = await sign_up(
            session, email="  Ada@Example.COM ", password="analytical engine", name="Ada"
        )
    assert user.email == "ada@example.com"
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert tenancy.organization.is_personal
    assert tenancy.organization.name == "Ada's organization"
    assert (tenancy.workspace.is_default, tenancy.project.is_default) == (True, True)
    assert tenancy.project.slug == "default"
    async with platform.db.session() as session:
        role = await session.scalar(
            select(OrganizationMember.role).where(OrganizationMember.user_id == user.id)
        )
        workspaces = (await session.scalars(select(Workspace))).all()
    assert role == "owner"
    assert [w.organization_id for w in workspaces] == [tenancy.organization.id]


async def test_an_address_can_sign_up_only_once_whatever_its_case(platform: Platform) -> None:
    async with platform.db.session() as session:
        await sign_up(session, email="grace@example.com", password="cobol compiler")
    with pytest.raises(Conflict, match=r"grace@example\.com already exists"):
        async with platform.db.session() as session:
            await sign_up(session, email="GRACE@example.com", password="cobol compiler")


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-address", "long enough password", "is not a valid e-mail address"),
        ("short@example.com", "short", "at least 8 characters"),
    ],
)
async def test_bad_sign_up_input_is_refused_with_the_reason(
    platform: Platform, email: str, password: str, message: str
) -> None:
    with pytest.raises(AppError, match=message):
        async with platform.db.session() as session:
            await sign_up(session, email=email, password=password)


async def test_credentials_are_checked_against_the_argon2_hash(platform: Platform) -> None:
    async with platform.db.session() as session:
        await sign_up(session, email="linus@example.com", password="penguins rule")
    async with platform.db.session() as session:
        assert await check_credentials(session, "LINUS@example.com", "penguins rule") is not None
        assert await check_credentials(session, "linus@example.com", "penguins drool") is None
        assert await check_credentials(session, "nobody@example.com", "penguins rule") is None


async def test_a_disabled_user_cannot_log_in(platform: Platform) -> None:
    async with platform.db.session() as session:
        user, _ = await sign_up(session, email="gone@example.com", password="was here once")
        user.disabled = True
    async with platform.db.session() as session:
        assert await check_credentials(session, "gone@example.com", "was here once") is None


seeded: list[UUID] = []


async def record_project(session: AsyncSession, project_id: UUID, actor_id: UUID | None) -> None:
    """A project-created hook for the test below."""
    assert await session.get(Project, project_id) is not None, "runs inside the transaction"
    seeded.append(project_id)


async def test_project_created_hooks_run_for_every_new_project(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hooks, "PROJECT_CREATED", (f"{__name__}.record_project",))
    seeded.clear()
    async with platform.db.session() as session:
        _, tenancy = await sign_up(session, email="hooked@example.com", password="hooks galore")
    assert seeded == [tenancy.project.id]


async def test_the_signup_page_creates_the_account_and_logs_in(
    client: AsyncTestClient[Any], platform: Platform
) -> None:
    form = {
        "name": "Margaret",
        "email": "margaret@example.com",
        "password": "apollo guidance",
        "next": "/settings",
        "_csrf_token": await csrf_token(client),
    }
    response = await client.post("/signup", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/settings"
    profile = (await client.get("/api/profile")).json()
    assert profile["email"] == "margaret@example.com"
    async with platform.db.session() as session:
        assert await session.scalar(select(User.name).where(User.id == UUID(profile["id"]))) == (
            "Margaret"
        )


async def test_the_signup_page_explains_a_taken_address(
    client: AsyncTestClient[Any], platform: Platform
) -> None:
    async with platform.db.session() as session:
        await sign_up(session, email="taken@example.com", password="first come first")
    form = {"email": "taken@example.com", "password": "second served", "_csrf_token": ""}
    form["_csrf_token"] = await csrf_token(client)
    response = await client.post("/signup", data=form)
    assert response.status_code == 409
    assert "already exists" in response.text


async def test_signup_can_be_switched_off(
    make_settings: Any, database_url: str, make_client: Any
) -> None:
    async with make_client(make_settings(database_url, signup_enabled=False)) as client:
        page = await client.get("/signup")
        assert "Sign-up is disabled" in page.text
        form = {
            "email": "late@example.com",
            "password": "just too late",
            "_csrf_token": await csrf_token(client),
        }
        response = await client.post("/signup", data=form)
    assert response.status_code == 403


async def test_next_never_leads_off_site(client: AsyncTestClient[Any]) -> None:
    form = {
        "email": "safe@example.com",
        "password": "stay at home",
        "next": "//evil.example.com/",
        "_csrf_token": await csrf_token(client),
    }
    response = await client.post("/signup", data=form, follow_redirects=False)
    assert response.headers["location"] == "/"
