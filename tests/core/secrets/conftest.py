"""Fixtures for the vault's tests: an app whose environment points at the fake LLM server.

``provider_env`` sets ``OPENAI_BASE_URL``/``ANTHROPIC_BASE_URL`` (and keys) to the fake server
before the app starts, since the app reads them once at start-up. ``api(persona)`` wraps the
test client with the persona's API key; ``new_secret(...)`` builds a create-request body.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from agenta.settings import Settings
from tests.fakes.llm_state import FakeLLM
from tests.support.accounts import Persona


@pytest.fixture
def provider_env(monkeypatch: pytest.MonkeyPatch, fake_llm: FakeLLM) -> dict[str, str]:
    """The fake server's URLs as base URLs, without any provider key in the environment."""
    env = {"OPENAI_BASE_URL": fake_llm.openai_base_url, "ANTHROPIC_BASE_URL": fake_llm.url}
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
async def client(
    settings: Settings,
    make_client: Callable[..., AsyncTestClient[Any]],
    provider_env: dict[str, str],
) -> AsyncIterator[AsyncTestClient[Any]]:
    async with make_client(settings) as test_client:
        yield test_client


class PersonaClient:
    """The test client, sending one persona's API key with every request."""

    def __init__(self, client: AsyncTestClient[Any], persona: Persona) -> None:
        self.client = client
        self.persona = persona

    async def get(self, path: str) -> Any:
        return await self.client.get(path, headers=self.persona.headers)

    async def post(self, path: str, json: Any = None) -> Any:
        return await self.client.post(path, json=json, headers=self.persona.headers)

    async def put(self, path: str, json: Any) -> Any:
        return await self.client.put(path, json=json, headers=self.persona.headers)

    async def delete(self, path: str) -> Any:
        return await self.client.delete(path, headers=self.persona.headers)


@pytest.fixture
def api(client: AsyncTestClient[Any]) -> Callable[[Persona], PersonaClient]:
    return lambda persona: PersonaClient(client, persona)


def new_secret(
    provider: str = "openai",
    key: str | None = "sk-test-0123456789abcdefWXYZ",
    *,
    kind: str = "provider_key",
    name: str | None = None,
    url: str | None = None,
    models: list[str] | None = None,
    slug: str | None = None,
    extras: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A create-request body in the original product's shape."""
    settings: dict[str, Any] = {"key": key}
    if url is not None:
        settings["url"] = url
    if extras is not None:
        settings["extras"] = extras
    data: dict[str, Any] = {"kind": provider, "provider": settings}
    if models is not None:
        data["models"] = models
    if slug is not None:
        data["provider_slug"] = slug
    return {"header": {"name": name}, "secret": {"kind": kind, "data": data}}
