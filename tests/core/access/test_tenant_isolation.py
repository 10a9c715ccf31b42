"""Tenant isolation over the whole route table: new routes are covered automatically.

Every route must be public (``opt={"public": True}``) or carry an access guard; the first test
fails on any other. Every guarded route is then called by a user of another organization, with
the owner's objects in its path (samples come from ``tests/core/<feature>/isolation.py``) and
with the owner's project named explicitly, and must refuse without leaking anything.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.app import create_app
from agenta.core.access.guards import requires
from agenta.core.accounts.models import User
from agenta.platform import Platform
from agenta.settings import Settings
from tests.core.access.isolation_checks import isolation_problems
from tests.core.access.route_table import (
    Endpoint,
    application_endpoints,
    factory_for,
    routes,
    sample_factories,
)
from tests.support.accounts import Persona

ENDPOINTS = application_endpoints()
GUARDED = [e for e in ENDPOINTS if e.rule is not None and e.method not in {"ASGI", "WEBSOCKET"}]


def test_every_route_is_either_public_or_guarded() -> None:
    unclassified = [e.label for e in ENDPOINTS if not e.public and e.rule is None]
    assert not unclassified, (
        "these routes are neither public (opt={'public': True}) nor guarded "
        f"(guards=[requires(...)] or [authenticated()]): {unclassified}"
    )
    both = [e.label for e in ENDPOINTS if e.public and e.rule is not None]
    assert not both, f"these routes are marked public but also guarded: {both}"


async def _samples(platform: Platform, owner: Persona, endpoint: Endpoint) -> dict[str, str]:
    factories = sample_factories()
    values = {}
    for parameter in endpoint.parameters:
        factory = factory_for(factories, endpoint, parameter)
        if factory is None:
            pytest.fail(
                f"{endpoint.label} takes {{{parameter}}} but no isolation sample provides one: "
                "add it to SAMPLES in tests/core/<feature>/isolation.py",
                pytrace=False,
            )
        values[parameter] = await factory(platform, owner)
    return values


def _markers(owner: Persona, values: dict[str, str]) -> set[str]:
    assert owner.api_key is not None
    return {
        owner.email,
        str(owner.project_id),
        str(owner.organization_id),
        str(owner.workspace_id),
        owner.api_key[:8],
        *values.values(),
    }


@pytest.mark.parametrize("endpoint", GUARDED, ids=lambda endpoint: endpoint.label)
async def test_another_tenant_never_reaches_the_owners_data(
    endpoint: Endpoint,
    client: AsyncTestClient[Any],
    platform: Platform,
    owner: Persona,
    outsider: Persona,
) -> None:
    values = await _samples(platform, owner, endpoint)
    problems = await isolation_problems(
        client, endpoint, owner, outsider, values, _markers(owner, values)
    )
    assert not problems, f"{endpoint.label}:\n" + "\n".join(problems)


@get("/api/test-only/users/{user_id:uuid}", guards=[requires()], sync_to_thread=False)
async def leaky_user_lookup(
    user_id: FromPath[UUID], db_session: NamedDependency[AsyncSession]
) -> dict[str, str]:
    """A handler that forgets to scope its lookup to the caller's project."""
    user = await db_session.get(User, user_id)
    return {"email": user.email if user else ""}


async def test_the_checks_catch_a_handler_that_ignores_the_project(
    settings: Settings, owner: Persona, outsider: Persona
) -> None:
    app = create_app(settings)
    app.register(leaky_user_lookup)
    [endpoint] = [e for e in routes(app) if e.path.startswith("/api/test-only")]
    values = {"user_id": str(owner.user_id)}
    async with AsyncTestClient(app=app) as client:
        problems = await isolation_problems(
            client, endpoint, owner, outsider, values, _markers(owner, values)
        )
    assert any("another tenant's key on the owner's objects: status 200" in p for p in problems)
    assert any("contains the owner's" in p and owner.email in p for p in problems)
