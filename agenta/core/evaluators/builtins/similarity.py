"""Similarity evaluators: text similarity (sequence ratio or Jaccard), Levenshtein, semantic.

Each compares the output text with the ground-truth column, gives a score in [0, 1] (cosine may
go below 0) and succeeds when the score reaches the threshold. The original's similarity match was
documented as Jaccard but computed ``difflib``'s sequence ratio; we keep the ratio as the default
and offer ``method: jaccard`` (shared words over all words).

Long texts are compared in a worker thread so that one big comparison does not stall the event
loop. Semantic similarity asks the injected ``embed`` function for two vectors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .base import BuiltinEvaluator, EvaluationCall, EvaluatorResult
from .errors import LLMUnavailable, SemanticSimilarityError
from .settings import (
    Choice,
    Setting,
    SettingsSchema,
    Text,
    case_sensitive,
    correct_answer_key,
    threshold,
)
from .text_distance import (
    cosine_similarity,
    jaccard_similarity,
    levenshtein_distance,
    sequence_ratio,
)
from .values import expected_value, fold_case, output_text, value_text

# Above this many characters (both texts together) a comparison runs in a worker thread.
THREAD_THRESHOLD_CHARS = 20_000


def _compared_texts(call: EvaluationCall) -> tuple[str, str]:
    """Output and ground truth as text, case-folded when case does not matter."""
    sensitive = call.settings["case_sensitive"]
    output = fold_case(output_text(call.outputs), sensitive)
    expected = expected_value(call.inputs, call.settings["correct_answer_key"])
    return output, fold_case(value_text(expected), sensitive)


async def _measure(measure: Callable[[str, str], Any], first: str, second: str) -> Any:
    if len(first) + len(second) > THREAD_THRESHOLD_CHARS:
        return await asyncio.to_thread(measure, first, second)
    return measure(first, second)


_MEASURES = {"sequence": sequence_ratio, "jaccard": jaccard_similarity}


async def _similarity_match(call: EvaluationCall) -> EvaluatorResult:
    output, expected = _compared_texts(call)
    method = call.settings["method"]
    score = await _measure(_MEASURES[method], output, expected)
    return EvaluatorResult.scored(score, call.settings["threshold"], method=method)


SIMILARITY_MATCH = BuiltinEvaluator(
    key="auto_similarity_match",
    name="Similarity Match",
    description="Scores how similar the output text is to the expected answer "
    "(character sequence ratio, or shared words with the Jaccard method).",
    settings=SettingsSchema(
        (
            Setting(
                "method",
                "Method",
                Choice(("sequence", "jaccard")),
                "sequence: difflib's ratio of matching characters; "
                "jaccard: shared words over all distinct words.",
                default="sequence",
            ),
            threshold(aliases=("similarity_threshold",)),
            correct_answer_key(),
            case_sensitive(),
        )
    ),
    run=_similarity_match,
    tags=("similarity",),
)


async def _levenshtein(call: EvaluationCall) -> EvaluatorResult:
    output, expected = _compared_texts(call)
    distance = await _measure(levenshtein_distance, output, expected)
    longest = max(len(output), len(expected))
    score = 1.0 if longest == 0 else 1 - distance / longest
    return EvaluatorResult.scored(score, call.settings["threshold"], distance=distance)


LEVENSHTEIN = BuiltinEvaluator(
    key="auto_levenshtein_distance",
    name="Levenshtein Distance",
    description="Scores 1 - edit distance / length of the longer text "
    "between the output and the expected answer.",
    settings=SettingsSchema((threshold(), correct_answer_key(), case_sensitive())),
    run=_levenshtein,
    tags=("similarity",),
)


async def _semantic_similarity(call: EvaluationCall) -> EvaluatorResult:
    embed = call.context.embed
    if embed is None:
        raise LLMUnavailable("semantic similarity needs an embeddings provider, none is configured")
    output = output_text(call.outputs)
    expected = value_text(expected_value(call.inputs, call.settings["correct_answer_key"]))
    model = call.settings["embedding_model"]
    try:
        vectors = await embed(model, [output, expected])
    except Exception as exc:  # the provider's failure, whatever its type, is reported
        raise SemanticSimilarityError(f"the embeddings call to {model} failed: {exc}") from exc
    score = _cosine_of_pair(vectors, model)
    return EvaluatorResult.scored(score, call.settings["threshold"], model=model)


def _cosine_of_pair(vectors: Any, model: str) -> float:
    if not isinstance(vectors, list | tuple) or len(vectors) != 2:
        raise SemanticSimilarityError(f"{model} did not return two embeddings")
    try:
        return cosine_similarity(vectors[0], vectors[1])
    except (TypeError, ValueError) as exc:
        raise SemanticSimilarityError(f"the embeddings from {model} are unusable: {exc}") from exc


SEMANTIC_SIMILARITY = BuiltinEvaluator(
    key="auto_semantic_similarity",
    name="Semantic Similarity Match",
    description="Scores the cosine similarity of the embeddings of the output "
    "and of the expected answer.",
    settings=SettingsSchema(
        (
            Setting(
                "embedding_model",
                "Embedding model",
                Text(),
                "Embeddings model used for both texts.",
                default="text-embedding-3-small",
            ),
            threshold(),
            correct_answer_key(),
        )
    ),
    run=_semantic_similarity,
    requires_llm=True,
    tags=("similarity", "ai_llm"),
)
