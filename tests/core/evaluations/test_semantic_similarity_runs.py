"""Semantic similarity in a whole run: embeddings from the fake server, scores, costs and errors."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from agenta.core.evaluations.cells import run_cells
from agenta.core.evaluations.models import INVOCATION, EvaluationCell
from agenta.platform import Platform
from tests.core.evaluations.conftest import echo_prompt, run_jobs
from tests.fakes.llm_state import FakeLLM, RecordedRequest

Factory = Callable[..., Awaitable[Any]]
SEMANTIC = "auto_semantic_similarity"


@pytest.fixture
def run_semantic(
    platform: Platform,
    provider_env: FakeLLM,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
    start_run: Factory,
) -> Callable[..., Awaitable[dict[str, list[EvaluationCell]]]]:
    """Run an echoing app over the capitals with semantic similarity evaluators.

    ``evaluators`` maps slugs to settings; the answer maps each slug to its cells by row.
    """

    async def run(template: str, evaluators: dict[str, dict[str, Any]]) -> dict[str, list[Any]]:
        revision = await make_app(prompt=echo_prompt(template))
        ids = [
            await make_evaluator(slug, SEMANTIC, **settings)
            for slug, settings in evaluators.items()
        ]
        run_id = await start_run(
            testset_revision_id=await make_testset(),
            application_revision_ids=[revision],
            evaluator_ids=ids,
        )
        await run_jobs(platform)
        return await cells_by_step(platform, run_id)

    return run


async def cells_by_step(platform: Platform, run_id: uuid.UUID) -> dict[str, list[EvaluationCell]]:
    async with platform.db.session() as session:
        cells = await run_cells(session, [run_id])
    grouped: dict[str, list[EvaluationCell]] = {}
    for cell in sorted(cells, key=lambda item: item.row_index):
        if cell.evaluator_id != INVOCATION:
            grouped.setdefault(cell.step_key.removeprefix("evaluator-"), []).append(cell)
    return grouped


def embedding_requests(fake: FakeLLM) -> list[RecordedRequest]:
    return [request for request in fake.requests if request.path.endswith("/embeddings")]


def embedding_inputs(fake: FakeLLM) -> list[list[str]]:
    return [request.json()["input"] for request in embedding_requests(fake)]


async def test_answers_equal_to_the_ground_truth_score_one_and_pay_for_their_embeddings(
    run_semantic: Factory, provider_env: FakeLLM
) -> None:
    cells = await run_semantic("{{correct_answer}}", {"semantic": {"threshold": 0.9}})

    semantic = cells["semantic"]
    assert [cell.status for cell in semantic] == ["success"] * 3
    assert [cell.score for cell in semantic] == [pytest.approx(1.0)] * 3
    assert [cell.success for cell in semantic] == [True] * 3
    # One word each for the output and the ground truth: two input tokens per evaluation.
    assert [(cell.prompt_tokens, cell.completion_tokens) for cell in semantic] == [(2, 0)] * 3
    assert [cell.cost for cell in semantic] == [pytest.approx(2 * 0.02 / 1_000_000)] * 3
    assert sorted(embedding_inputs(provider_env)) == [
        ["Lima", "Lima"],
        ["Paris", "Paris"],
        ["Tokyo", "Tokyo"],
    ]


async def test_answers_sharing_no_words_with_the_ground_truth_fail_the_threshold(
    run_semantic: Factory, provider_env: FakeLLM
) -> None:
    cells = await run_semantic("{{country}}", {"semantic": {"threshold": 0.5}})

    semantic = cells["semantic"]
    assert [cell.status for cell in semantic] == ["success"] * 3
    assert [cell.score for cell in semantic] == [pytest.approx(0.0)] * 3
    assert [cell.success for cell in semantic] == [False] * 3
    assert ["France", "Paris"] in embedding_inputs(provider_env)


async def test_unusable_columns_models_and_provider_failures_become_cell_errors(
    run_semantic: Factory, provider_env: FakeLLM
) -> None:
    cells = await run_semantic(
        "{{correct_answer}}",
        {
            "no-column": {"correct_answer_key": "expected"},
            "claude": {"embedding_model": "anthropic/claude-haiku-4-5"},
            "broken": {"embedding_model": "openai/fake-error-500"},
        },
    )

    assert {slug: {cell.status for cell in row} for slug, row in cells.items()} == {
        "no-column": {"error"},
        "claude": {"error"},
        "broken": {"error"},
    }
    missing = cells["no-column"][0]
    assert missing.error_type == "schemas:missing-input"
    assert missing.error is not None and "has no column 'expected'" in missing.error
    claude = cells["claude"][0]
    assert claude.error_type == "workflows:semantic-similarity-error"
    assert claude.error is not None and "Anthropic has no embeddings API" in claude.error
    broken = cells["broken"][0]
    assert broken.error_type == "workflows:semantic-similarity-error"
    assert broken.error is not None and "(server 500)" in broken.error
    assert all(cell.score is None and cell.cost == 0 for row in cells.values() for cell in row)
    # Only the failing provider was asked: the other two are refused before any request.
    asked = [request.json()["model"] for request in embedding_requests(provider_env)]
    assert asked == ["fake-error-500"] * 3
