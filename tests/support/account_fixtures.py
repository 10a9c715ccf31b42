"""Personas as pytest fixtures: an owner, an outsider, and members with any role.

Register with ``pytest_plugins = ["tests.support.account_fixtures"]`` in the root conftest.
They write through the ``platform`` fixture, so they use the same database (SQLite or Postgres)
as the ``client`` fixture of the same test.

- ``owner``: a signed-up user who owns their project and holds an API key for it;
- ``outsider``: the same, in another organization (for isolation tests);
- ``make_persona(role="editor")``: a new member of the owner's project with that role and a key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from agenta.platform import Platform
from tests.support.accounts import Persona, make_project_member, make_user

MakePersona = Callable[..., Awaitable[Persona]]


@pytest.fixture
async def owner(platform: Platform) -> Persona:
    return await make_user(platform, with_api_key=True)


@pytest.fixture
async def outsider(platform: Platform) -> Persona:
    return await make_user(platform, with_api_key=True)


@pytest.fixture
def make_persona(platform: Platform, owner: Persona) -> MakePersona:
    async def make(role: str = "viewer", **options: object) -> Persona:
        return await make_project_member(platform, owner.project_id, role=role, **options)  # type: ignore[arg-type]

    return make
