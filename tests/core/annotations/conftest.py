"""Fixtures of the annotation tests: stored traces, finished runs, and API helpers.

Runs come from the evaluation tests' factories (apps, test sets, evaluators, the run driver),
executed in this process against the fake LLM server, whose answer is the rendered prompt: an
app prompted with ``{{country}}`` answers the country's name, one prompted with
``{{correct_answer}}`` answers right.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from agenta.core.evaluations.models import FINISHED_STATUSES, EvaluationRun
from agenta.platform import Platform
from tests.core.evaluations import conftest as evaluation_fixtures
from tests.core.evaluations.conftest import echo_prompt, run_jobs
from tests.support.accounts import Persona

provider_env = evaluation_fixtures.provider_env
make_app = evaluation_fixtures.make_app
make_testset = evaluation_fixtures.make_testset
make_evaluator = evaluation_fixtures.make_evaluator
start_run = evaluation_fixtures.start_run

Factory = Callable[..., Awaitable[Any]]
RATING = {
    "slug": "review",
    "name": "Review",
    "fields": [
        {"name": "correct", "kind": "boolean"},
        {"name": "rating", "kind": "scale", "minimum": 1, "maximum": 5},
        {"name": "note", "kind": "text", "required": False},
    ],
}


@pytest.fixture
def finished_run(
    platform: Platform,
    provider_env: Any,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
    start_run: Factory,
) -> Factory:
    """A finished run of ``apps`` (prompt templates) on the capitals, judged by exact match."""

    async def make(*templates: str) -> tuple[uuid.UUID, list[uuid.UUID]]:
        testset = await make_testset()
        exact = await make_evaluator("exact")
        revisions = [
            await make_app(f"app-{index}", echo_prompt(template))
            for index, template in enumerate(templates or ("{{country}}",))
        ]
        run_id = await start_run(
            testset_revision_id=testset,
            application_revision_ids=revisions,
            evaluator_ids=[exact],
        )
        await run_jobs(platform)
        await wait_until_finished(platform, run_id)
        return run_id, revisions

    return make


async def wait_until_finished(platform: Platform, run_id: uuid.UUID) -> None:
    """Wait for the run's last slice, which the app's own job runner may be running."""
    async with asyncio.timeout(60):
        while True:
            async with platform.db.session() as session:
                run = await session.get_one(EvaluationRun, run_id)
            if run.status in FINISHED_STATUSES:
                return
            await asyncio.sleep(0.05)


async def create_queue(
    client: AsyncTestClient[Any], persona: Persona, **body: Any
) -> dict[str, Any]:
    """POST a queue as ``persona``; asserts it was created."""
    response = await client.post("/api/annotations/queues", json=body, headers=persona.headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def next_item(
    client: AsyncTestClient[Any], persona: Persona, queue_id: str
) -> dict[str, Any] | None:
    response = await client.get(f"/api/annotations/queues/{queue_id}/next", headers=persona.headers)
    assert response.status_code == 200, response.text
    return response.json()["item"]  # type: ignore[no-any-return]


async def review(
    client: AsyncTestClient[Any], persona: Persona, queue_id: str, item_id: str, **body: Any
) -> Any:
    return await client.post(
        f"/api/annotations/queues/{queue_id}/items/{item_id}/review",
        json=body,
        headers=persona.headers,
    )


async def results(client: AsyncTestClient[Any], persona: Persona, queue_id: str) -> dict[str, Any]:
    response = await client.get(
        f"/api/annotations/queues/{queue_id}/results", headers=persona.headers
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]
