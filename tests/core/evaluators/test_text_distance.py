"""The text measures, checked against a plain reference implementation."""

from __future__ import annotations

import random

import pytest

from agenta.core.evaluators.builtins.text_distance import (
    cosine_similarity,
    jaccard_similarity,
    levenshtein_distance,
    sequence_ratio,
)


def reference_levenshtein(first: str, second: str) -> int:
    previous = list(range(len(second) + 1))
    for row, first_char in enumerate(first, 1):
        current = [row]
        for column, second_char in enumerate(second, 1):
            substitution = previous[column - 1] + (first_char != second_char)
            current.append(min(previous[column] + 1, current[column - 1] + 1, substitution))
        previous = current
    return previous[-1]


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [("", "", 0), ("", "abc", 3), ("kitten", "sitting", 3), ("flaw", "lawn", 2), ("été", "ete", 2)],
)
def test_levenshtein_known_distances(first: str, second: str, distance: int) -> None:
    assert levenshtein_distance(first, second) == distance
    assert levenshtein_distance(second, first) == distance


def test_levenshtein_agrees_with_the_reference_on_random_texts() -> None:
    generator = random.Random(7)
    for _ in range(500):
        first = "".join(generator.choices("abc", k=generator.randint(0, 80)))
        second = "".join(generator.choices("abcd", k=generator.randint(0, 80)))
        assert levenshtein_distance(first, second) == reference_levenshtein(first, second)


def test_sequence_ratio_and_jaccard_of_identical_texts_are_one() -> None:
    assert sequence_ratio("same", "same") == 1.0
    assert jaccard_similarity("a b", "b a") == 1.0
    assert jaccard_similarity("", "") == 1.0


def test_cosine_similarity_refuses_mismatched_vectors() -> None:
    assert cosine_similarity([1, 0], [-1, 0]) == -1.0
    with pytest.raises(ValueError, match="different or zero length"):
        cosine_similarity([1, 0], [1])
