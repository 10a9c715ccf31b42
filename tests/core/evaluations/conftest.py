"""Fixtures for evaluation tests: stored apps, test sets and evaluators, and a run driver.

The factories write through the services of the features that own those rows (registry, test
sets, evaluator configurations), as the owner persona. ``provider_env`` points the LLM layer at
the fake server (the run job reads the environment when a slice starts). ``run_jobs(platform)``
runs queued jobs in this process until none are left, which is how a whole run executes here.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from agenta.core.access.permissions import permissions_of
from agenta.core.access.principal import Principal
from agenta.core.evaluations.runs import RunRequest, create_run
from agenta.core.evaluators.configs import builtin_data, create_config
from agenta.core.registry.applications import create_application
from agenta.core.registry.scope import Scope
from agenta.core.testsets.revisions import commit_revision, content_from_rows
from agenta.core.testsets.testsets import create_testset
from agenta.jobs.registry import JobContext
from agenta.jobs.runner import InProcessRunner
from agenta.platform import Platform
from tests.fakes.llm_state import FakeLLM
from tests.support.accounts import Persona

CAPITALS = [
    {"country": "France", "correct_answer": "Paris"},
    {"country": "Japan", "correct_answer": "Tokyo"},
    {"country": "Peru", "correct_answer": "Lima"},
]


def principal_of(persona: Persona) -> Principal:
    return Principal(
        user_id=persona.user_id,
        project_id=persona.project_id,
        workspace_id=persona.workspace_id,
        organization_id=persona.organization_id,
        role=persona.role,
        permissions=permissions_of(persona.role),
        via="api_key",
    )


def echo_prompt(template: str = "{{country}}", model: str = "gpt-4o-mini") -> dict[str, Any]:
    """A prompt whose answer, from the fake server, is the rendered user message."""
    return {
        "messages": [{"role": "user", "content": template}],
        "template_format": "curly",
        "llm_config": {"model": model},
    }


@pytest.fixture
def provider_env(monkeypatch: pytest.MonkeyPatch, fake_llm: FakeLLM) -> FakeLLM:
    for name, value in fake_llm.env().items():
        monkeypatch.setenv(name, value)
    return fake_llm


@pytest.fixture
def make_app(platform: Platform, owner: Persona) -> Callable[..., Awaitable[uuid.UUID]]:
    """Store an application; returns the id of its first revision."""

    async def make(slug: str = "capitals", prompt: dict[str, Any] | None = None) -> uuid.UUID:
        async with platform.db.session() as session:
            scope = Scope(session=session, project_id=owner.project_id, actor_id=owner.user_id)
            head = await create_application(
                scope, slug=slug, data={"parameters": {"prompt": prompt or echo_prompt()}}
            )
            assert head.revision is not None
            return head.revision.id

    return make


@pytest.fixture
def make_testset(platform: Platform, owner: Persona) -> Callable[..., Awaitable[uuid.UUID]]:
    """Store a test set with ``rows``; returns the id of its revision."""

    async def make(rows: list[dict[str, Any]] | None = None, name: str = "capitals") -> uuid.UUID:
        async with platform.db.session() as session:
            testset = await create_testset(
                session, owner.project_id, name=name, actor=owner.user_id
            )
            content = content_from_rows(testset.id, rows if rows is not None else CAPITALS)
            revision = await commit_revision(
                session, testset, content, message="rows", actor=owner.user_id, max_rows=100_000
            )
            return revision.id

    return make


@pytest.fixture
def make_evaluator(platform: Platform, owner: Persona) -> Callable[..., Awaitable[uuid.UUID]]:
    """Store an evaluator configuration; returns its id."""

    async def make(
        slug: str = "exact", key: str = "auto_exact_match", **settings: Any
    ) -> uuid.UUID:
        async with platform.db.session() as session:
            config = await create_config(
                session,
                owner.project_id,
                owner.user_id,
                slug=slug,
                data=builtin_data(key, settings),
            )
            return config.id

    return make


@pytest.fixture
def start_run(platform: Platform, owner: Persona) -> Callable[..., Awaitable[uuid.UUID]]:
    """Create a run as the owner; returns its id (its jobs wait for ``run_jobs``)."""

    async def start(**fields: Any) -> uuid.UUID:
        async with platform.db.session() as session:
            run = await create_run(
                session, principal_of(owner), RunRequest(**fields), platform.queue
            )
            return run.id

    return start


async def run_jobs(
    platform: Platform, timeout: float = 60.0, *, stop: bool = True
) -> InProcessRunner:
    """Run every queued job (slices enqueue the next one) until none is left.

    Returns the runner, stopped (so its LLM client closed) unless ``stop`` is false.
    """
    context = JobContext(settings=platform.settings, db=platform.db, queue=platform.queue)
    runner = InProcessRunner(platform.queue, context, concurrency=4, poll_interval=0.01)
    try:
        await runner.run_until_idle(timeout)
    finally:
        if stop:
            await runner.stop()
    return runner


@pytest.fixture
async def client(
    settings: Any, make_client: Callable[..., Any], provider_env: FakeLLM
) -> AsyncIterator[Any]:
    """The app (running its jobs in-process), with the fake LLM server as the provider."""
    async with make_client(settings) as test_client:
        yield test_client


async def wait_for_run(client: Any, persona: Persona, run_id: str, timeout: float = 30) -> dict:
    """Poll a run through the API until it has a final status; returns the run record."""
    async with asyncio.timeout(timeout):
        while True:
            response = await client.get(f"/api/evaluations/runs/{run_id}", headers=persona.headers)
            run = response.json()["run"]
            if run["status"] not in ("pending", "running"):
                return run  # type: ignore[no-any-return]
            await asyncio.sleep(0.05)
