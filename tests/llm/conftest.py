"""Factories for the LLM layer's tests: prompts, call plans against the fake server, a client.

``fake_llm`` comes from ``tests.fakes.fixtures``; it is imported here so these tests run before
the root conftest registers that plugin (a plugin fixture and its import are the same fixture).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from agenta.llm import (
    CallPlan,
    ConnectionRecord,
    LLMClient,
    PromptTemplate,
    parse_prompt_template,
    plan_call,
    render_prompt,
)
from tests.fakes.fixtures import fake_llm, fake_llm_server  # noqa: F401
from tests.fakes.llm_state import FakeLLM

MakePrompt = Callable[..., PromptTemplate]
MakePlan = Callable[..., CallPlan]


@pytest.fixture
def make_prompt() -> MakePrompt:
    """``make_prompt(user="Hi {{name}}", model="gpt-4o-mini", **prompt_fields)``."""

    def make(user: str = "Hello", *, system: str | None = None, **fields: Any) -> PromptTemplate:
        llm_config = {"model": fields.pop("model", "gpt-4o-mini"), **fields.pop("llm_config", {})}
        messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": user})
        data = {"messages": fields.pop("messages", messages), "llm_config": llm_config, **fields}
        return parse_prompt_template(data)

    return make


@pytest.fixture
def make_plan(fake_llm: FakeLLM, make_prompt: MakePrompt) -> MakePlan:  # noqa: F811
    """A call plan for a prompt, with the fake server's URLs as the environment's keys."""

    def make(
        prompt: PromptTemplate | None = None,
        *,
        inputs: dict[str, Any] | None = None,
        connections: tuple[ConnectionRecord, ...] = (),
        timeout: float = 10.0,
        **prompt_fields: Any,
    ) -> CallPlan:
        prompt = prompt or make_prompt(**prompt_fields)
        rendered = render_prompt(prompt, inputs or {})
        return plan_call(rendered, connections=connections, env=fake_llm.env(), timeout=timeout)

    return make


@pytest.fixture
def azure_connection(fake_llm: FakeLLM) -> ConnectionRecord:  # noqa: F811
    """An Azure connection ``azure-eu`` (key ``az-secret``) pointing at the fake server."""
    return ConnectionRecord(
        slug="azure-eu",
        kind="azure",
        api_key="az-secret",
        base_url=fake_llm.url,
        extra={"api_version": "2024-10-21"},
        custom=True,
    )


@pytest.fixture
def sleeps() -> list[float]:
    """Backoff delays the client asked to wait, in order."""
    return []


@pytest.fixture
async def llm_client(sleeps: list[float]) -> AsyncIterator[LLMClient]:
    """A client whose backoff waits are recorded instead of slept, with no jitter."""

    async def record_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = LLMClient(sleep=record_sleep, jitter=lambda: 1.0)
    yield client
    await client.aclose()
