"""Fixtures for registry tests: personas, a service-level scope, and API call helpers.

``scope_of(persona)`` opens a transaction on the test's database and yields the registry
``Scope`` that persona's requests get (committed on exit). ``api(persona)`` wraps the test client
with the persona's API key, so tests read like the SDK's calls: ``await api(owner).post(...)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from agenta.core.access.permissions import permissions_of
from agenta.core.registry.scope import Scope
from agenta.platform import Platform
from tests.support.account_fixtures import make_persona, outsider, owner  # noqa: F401
from tests.support.accounts import Persona

ScopeOf = Callable[[Persona], AbstractAsyncContextManager[Scope]]


@pytest.fixture
def scope_of(platform: Platform) -> ScopeOf:
    @asynccontextmanager
    async def open_scope(persona: Persona) -> AsyncIterator[Scope]:
        async with platform.db.session() as session:
            yield Scope(
                session=session,
                project_id=persona.project_id,
                actor_id=persona.user_id,
                permissions=permissions_of(persona.role),
            )

    return open_scope


class PersonaClient:
    """The test client, sending one persona's API key with every request."""

    def __init__(self, client: AsyncTestClient[Any], persona: Persona) -> None:
        self.client = client
        self.persona = persona

    async def get(self, path: str, **options: Any) -> Any:
        return await self.client.get(path, headers=self._headers(options), **options)

    async def post(self, path: str, json: Any = None, **options: Any) -> Any:
        body = {} if json is None else json
        return await self.client.post(path, json=body, headers=self._headers(options), **options)

    async def put(self, path: str, json: Any, **options: Any) -> Any:
        return await self.client.put(path, json=json, headers=self._headers(options), **options)

    def _headers(self, options: dict[str, Any]) -> dict[str, str]:
        return {**self.persona.headers, **options.pop("headers", {})}


@pytest.fixture
def api(client: AsyncTestClient[Any]) -> Callable[[Persona], PersonaClient]:
    return lambda persona: PersonaClient(client, persona)
