"""Tenant isolation over the whole route table: new routes are covered automatically.

Every route must be public (``opt={"public": True}``) or carry an access guard; the first test
fails on any other. Every guarded route is then called by a user of another organization, with
the owner's objects in its path (samples come from ``tests/core/<feature>/isolation.py``) and
with the owner's project named explicitly, and must refuse without leaking anything.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

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
from tests.support.accounts import Persona, login_as

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


def test_every_route_taking_an_object_has_an_isolation_sample() -> None:
    factories = sample_factories()
    missing = sorted(
        {
            f"{endpoint.path} {{{parameter}}}"
            for endpoint in GUARDED
            for parameter in endpoint.parameters
            if factory_for(factories, endpoint, parameter) is None
        }
    )
    assert not missing, (
        "these routes take an object but no isolation sample provides one; add a factory to "
        f"SAMPLES in tests/core/<feature>/isolation.py: {missing}"
    )


async def _samples(
    platform: Platform, owner: Persona, endpoint: Endpoint, cache: dict[str, str]
) -> dict[str, str] | None:
    """Values for the route's parameters, or None when one has no sample (see the test above)."""
    factories = sample_factories()
    values = {}
    for parameter in endpoint.parameters:
        factory = factory_for(factories, endpoint, parameter)
        if factory is None:
            return None
        key = f"{id(factory)}"
        if key not in cache:
            cache[key] = await factory(platform, owner)
        values[parameter] = cache[key]
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


async def test_another_tenant_never_reaches_the_owners_data(
    make_settings: Any,
    database_url: str,
    make_client: Any,
    platform: Platform,
    owner: Persona,
    outsider: Persona,
) -> None:
    # Hundreds of deliberately bad keys from one address: keep the rate limit out of the way.
    settings = make_settings(database_url, extra={"key_max_failures": 1_000_000})
    problems: list[str] = []
    cache: dict[str, str] = {}
    checked = 0
    async with make_client(settings) as client, make_client(settings) as browser:
        await login_as(browser, outsider)
        for endpoint in GUARDED:
            values = await _samples(platform, owner, endpoint, cache)
            if values is None:
                continue
            client.cookies.clear()
            found = await isolation_problems(
                client, browser, endpoint, owner, outsider, values, _markers(owner, values)
            )
            problems += [f"{endpoint.label}: {problem}" for problem in found]
            checked += 1
    assert checked, "no guarded route was checked"
    assert not problems, "\n".join(problems)


@get("/api/test-only/users/{user_id:uuid}", guards=[requires()])
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
    async with AsyncTestClient(app=app) as client, AsyncTestClient(app=app) as browser:
        await login_as(browser, outsider)
        problems = await isolation_problems(
            client, browser, endpoint, owner, outsider, values, _markers(owner, values)
        )
    assert any("another tenant's key on the owner's objects: status 200" in p for p in problems)
    assert any("contains the owner's" in p and owner.email in p for p in problems)
