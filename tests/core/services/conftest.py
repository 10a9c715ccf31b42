"""Fixtures for the services' tests: an app whose provider environment is the fake LLM server.

``provider_env`` puts the fake server's URLs and keys into the environment before the app
starts (the app reads them once, at start-up); ``without_env_keys`` leaves only the URLs, for
tests of vault keys. ``invoke(persona, body, service="completion")`` posts an invoke request
with the persona's API key; ``prompt_body(...)`` builds one with inline parameters;
``deploy_prompt(...)`` stores an application and deploys it, through the registry's services.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from agenta.core.access.permissions import permissions_of
from agenta.core.registry.applications import create_application
from agenta.core.registry.environments import deploy, find_environment
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference
from agenta.platform import Platform
from agenta.settings import Settings
from tests.fakes.llm_state import FakeLLM
from tests.support.accounts import Persona

Invoke = Callable[..., Awaitable[Any]]


@pytest.fixture
def env_keys() -> bool:
    """Whether the environment holds provider keys (override to test vault keys alone)."""
    return True


@pytest.fixture
def provider_env(monkeypatch: pytest.MonkeyPatch, fake_llm: FakeLLM, env_keys: bool) -> None:
    for name, value in fake_llm.env().items():
        if env_keys or not name.endswith("_API_KEY"):
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    """The settings the app runs with (override to change knobs)."""
    return settings


@pytest.fixture
async def client(
    app_settings: Settings,
    make_client: Callable[..., AsyncTestClient[Any]],
    provider_env: None,
) -> AsyncIterator[AsyncTestClient[Any]]:
    async with make_client(app_settings) as test_client:
        yield test_client


@pytest.fixture
def invoke(client: AsyncTestClient[Any]) -> Invoke:
    async def call(
        persona: Persona,
        body: Any,
        service: str = "completion",
        action: str = "invoke",
        headers: dict[str, str] | None = None,
    ) -> Any:
        return await client.post(
            f"/services/{service}/v0/{action}",
            json=body,
            headers={**persona.headers, **(headers or {})},
        )

    return call


def prompt(
    user: str = "What is the capital of {{country}}?",
    *,
    model: str = "gpt-4o-mini",
    system: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A prompt template as stored at ``parameters.prompt``."""
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": user})
    llm_config = {"model": model, **fields.pop("llm_config", {})}
    return {
        "messages": fields.pop("messages", messages),
        "template_format": fields.pop("template_format", "curly"),
        "llm_config": llm_config,
        **fields,
    }


def prompt_body(inputs: dict[str, Any] | None = None, **prompt_fields: Any) -> dict[str, Any]:
    """An invoke request with inline parameters."""
    inputs = {"country": "France"} if inputs is None else inputs
    return {"data": {"inputs": inputs, "parameters": {"prompt": prompt(**prompt_fields)}}}


@pytest.fixture
def deploy_prompt(platform: Platform) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Store an application with a prompt, optionally deploy it; returns its references."""

    async def store(
        persona: Persona,
        slug: str,
        stored_prompt: dict[str, Any],
        *,
        environment: str | None = None,
        app_type: str = "completion",
    ) -> dict[str, Any]:
        async with platform.db.session() as session:
            scope = Scope(
                session, persona.project_id, persona.user_id, permissions_of(persona.role)
            )
            head = await create_application(
                scope,
                slug=slug,
                app_type=app_type,  # type: ignore[arg-type]
                data={"parameters": {"prompt": stored_prompt}},
            )
            assert head.variant is not None and head.revision is not None
            if environment is not None:
                target = await find_environment(scope, Reference(slug=environment))
                assert target is not None
                await deploy(
                    scope, target, head.application, head.revision, variant_slug=head.variant.slug
                )
            return {
                "application": {"id": str(head.application.id), "slug": slug},
                "application_variant": {"id": str(head.variant.id), "slug": head.variant.slug},
                "application_revision": {"id": str(head.revision.id), "version": "1"},
            }

    return store
