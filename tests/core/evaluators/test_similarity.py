"""Similarity match (sequence and Jaccard), Levenshtein and semantic similarity."""

from __future__ import annotations

import pytest

from agenta.core.evaluators.builtins import EvaluatorContext
from tests.core.evaluators.conftest import Evaluate


class FakeEmbeddings:
    """Returns canned vectors per text and records the calls."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors
        self.calls: list[tuple[str, list[str]]] = []

    async def __call__(self, model: str, texts: list[str]) -> list[list[float]]:
        self.calls.append((model, texts))
        return [self.vectors[text] for text in texts]


async def test_sequence_similarity_scores_the_matching_character_ratio(evaluate: Evaluate) -> None:
    result = await evaluate("auto_similarity_match", {}, {"correct_answer": "abcd"}, "abce")
    assert result.score == pytest.approx(0.75)
    assert result.success is True
    assert result.details == {"method": "sequence"}


async def test_sequence_similarity_fails_below_the_threshold(evaluate: Evaluate) -> None:
    settings = {"similarity_threshold": 0.9}
    result = await evaluate("auto_similarity_match", settings, {"correct_answer": "abcd"}, "abce")
    assert result.success is False


async def test_jaccard_similarity_compares_word_sets(evaluate: Evaluate) -> None:
    settings = {"method": "jaccard", "case_sensitive": False}
    inputs = {"correct_answer": "The cat sat on the mat"}
    result = await evaluate("auto_similarity_match", settings, inputs, "the mat, the CAT")
    assert result.score == pytest.approx(3 / 5)


async def test_similarity_can_ignore_case(evaluate: Evaluate) -> None:
    inputs = {"correct_answer": "HELLO"}
    sensitive = await evaluate("auto_similarity_match", {}, inputs, "hello")
    insensitive = await evaluate(
        "auto_similarity_match", {"case_sensitive": False}, inputs, "hello"
    )
    assert sensitive.score == 0.0
    assert insensitive.score == 1.0


async def test_similarity_compares_structured_outputs_as_json(evaluate: Evaluate) -> None:
    inputs = {"correct_answer": '{"a": 1}'}
    result = await evaluate("auto_similarity_match", {}, inputs, {"a": 1})
    assert result.score == 1.0


async def test_levenshtein_scores_one_minus_the_relative_distance(evaluate: Evaluate) -> None:
    inputs = {"correct_answer": "kitten"}
    result = await evaluate("auto_levenshtein_distance", {"threshold": 1}, inputs, "sitting")
    assert result.details == {"distance": 3}
    assert result.score == pytest.approx(1 - 3 / 7)
    assert result.success is False


async def test_levenshtein_of_two_empty_texts_is_a_perfect_score(evaluate: Evaluate) -> None:
    result = await evaluate("auto_levenshtein_distance", {}, {"correct_answer": ""}, "")
    assert result.score == 1.0


async def test_levenshtein_handles_long_texts(evaluate: Evaluate) -> None:
    expected = "lorem ipsum " * 2000
    result = await evaluate(
        "auto_levenshtein_distance", {}, {"correct_answer": expected}, expected + "!"
    )
    assert result.details == {"distance": 1}


async def test_levenshtein_needs_the_ground_truth_column(evaluate: Evaluate) -> None:
    result = await evaluate("auto_levenshtein_distance", {}, {"expected": "x"}, "x")
    assert result.error_type == "schemas:missing-input"


async def test_semantic_similarity_scores_the_cosine_of_the_embeddings(evaluate: Evaluate) -> None:
    embed = FakeEmbeddings({"a cat": [1.0, 0.0], "a kitten": [0.6, 0.8]})
    context = EvaluatorContext(embed=embed)
    settings = {"embedding_model": "small-embedder", "threshold": 0.5}
    inputs = {"correct_answer": "a kitten"}
    result = await evaluate("auto_semantic_similarity", settings, inputs, "a cat", context=context)
    assert result.score == pytest.approx(0.6)
    assert result.success is True
    assert embed.calls == [("small-embedder", ["a cat", "a kitten"])]


async def test_semantic_similarity_needs_an_embeddings_provider(evaluate: Evaluate) -> None:
    result = await evaluate(
        "auto_semantic_similarity", {}, {"correct_answer": "x"}, "x", context=EvaluatorContext()
    )
    assert result.error_type == "workflows:llm-unavailable"


async def test_semantic_similarity_reports_a_failing_provider(evaluate: Evaluate) -> None:
    async def broken(model: str, texts: list[str]) -> list[list[float]]:
        raise RuntimeError("quota exceeded")

    context = EvaluatorContext(embed=broken)
    result = await evaluate(
        "auto_semantic_similarity", {}, {"correct_answer": "x"}, "y", context=context
    )
    assert result.error_type == "workflows:semantic-similarity-error"
    assert result.error == "the embeddings call to text-embedding-3-small failed: quota exceeded"


@pytest.mark.parametrize(
    "vectors", [[[1.0, 0.0]], [[1.0, 0.0], [1.0]], [[0.0, 0.0], [1.0, 0.0]], "nope"]
)
async def test_semantic_similarity_refuses_unusable_embeddings(
    evaluate: Evaluate, vectors: object
) -> None:
    async def odd(model: str, texts: list[str]) -> object:
        return vectors

    context = EvaluatorContext(embed=odd)  # type: ignore[arg-type]
    result = await evaluate(
        "auto_semantic_similarity", {}, {"correct_answer": "x"}, "y", context=context
    )
    assert result.error_type == "workflows:semantic-similarity-error"
