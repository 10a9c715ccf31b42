"""Text similarity measures: Levenshtein distance, sequence ratio, word Jaccard, cosine.

Levenshtein uses the bit-parallel algorithm of Myers (1999) in Hyyrö's formulation: the column of
the edit-distance matrix is kept as bit vectors (Python integers of any width), so the cost is one
handful of integer operations per character of the longer text instead of one per matrix cell.
That keeps long LLM answers cheap to compare.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence

_WORD = re.compile(r"\w+", re.UNICODE)


def levenshtein_distance(first: str, second: str) -> int:
    """The number of single-character insertions, deletions and substitutions between texts."""
    text, pattern = (first, second) if len(first) >= len(second) else (second, first)
    width = len(pattern)
    if width == 0:
        return len(text)
    positions: dict[str, int] = {}
    for index, char in enumerate(pattern):
        positions[char] = positions.get(char, 0) | (1 << index)
    full = (1 << width) - 1
    last = 1 << (width - 1)
    plus, minus, distance = full, 0, width
    for char in text:
        equal = positions.get(char, 0)
        vertical = equal | minus
        horizontal = (((equal & plus) + plus) ^ plus) | equal
        h_plus = minus | ~(horizontal | plus)
        h_minus = plus & horizontal
        if h_plus & last:
            distance += 1
        elif h_minus & last:
            distance -= 1
        # Shifting in a 1 encodes the first row of the matrix (0, 1, 2, ...): global distance.
        h_plus = (h_plus << 1) | 1
        h_minus <<= 1
        plus = (h_minus | ~(vertical | h_plus)) & full
        minus = h_plus & vertical & full
    return distance


def sequence_ratio(first: str, second: str) -> float:
    """``difflib``'s ratio: twice the matched characters over the total length."""
    return difflib.SequenceMatcher(None, first, second).ratio()


def jaccard_similarity(first: str, second: str) -> float:
    """Shared words over all distinct words; 1.0 when both texts have no words."""
    first_words, second_words = set(_WORD.findall(first)), set(_WORD.findall(second))
    union = first_words | second_words
    return 1.0 if not union else len(first_words & second_words) / len(union)


def cosine_similarity(first: Sequence[float], second: Sequence[float]) -> float:
    """Cosine of the angle between two vectors; raises ``ValueError`` for unusable vectors."""
    if len(first) != len(second) or not first:
        raise ValueError(f"vectors of different or zero length ({len(first)} and {len(second)})")
    norms = math.sqrt(math.fsum(x * x for x in first)) * math.sqrt(math.fsum(y * y for y in second))
    if norms == 0:
        raise ValueError("a vector has zero length")
    return math.fsum(x * y for x, y in zip(first, second, strict=True)) / norms
