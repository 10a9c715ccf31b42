"""Is a difference between two runs real? The paired bootstrap, in pure Python.

Two runs on the same test set give, for each row they share, a value from each (the row's mean
over repeats). The paired bootstrap resamples the rows' differences with replacement many times
and takes the spread of the resampled mean differences as the confidence interval of the mean
difference. When the whole interval is above zero the candidate is better, below zero worse,
and when it contains zero there is no significant difference (for metrics where lower is better,
such as cost and latency, better and worse swap).

The resampling uses a ``random.Random`` seeded by the caller, so a page shows the same interval
every time it is rendered; numpy is not needed for a few thousand rows.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

BETTER = "better"
WORSE = "worse"
NO_DIFFERENCE = "no significant difference"
TOO_FEW = "not enough data"

DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 20240601


@dataclass(frozen=True)
class BootstrapResult:
    """The mean difference (candidate minus baseline), its interval and what it means."""

    rows: int
    mean_difference: float | None
    low: float | None
    high: float | None
    confidence: float
    verdict: str


def paired_rows(
    baseline: Mapping[Hashable, float], candidate: Mapping[Hashable, float]
) -> tuple[list[float], list[float]]:
    """The values of the rows both sides have, in the same order."""
    shared = [key for key in baseline if key in candidate]
    return [baseline[key] for key in shared], [candidate[key] for key in shared]


def paired_bootstrap(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    higher_is_better: bool = True,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
    seed: int = DEFAULT_SEED,
) -> BootstrapResult:
    """The percentile bootstrap interval of ``mean(candidate - baseline)`` over paired rows."""
    if len(baseline) != len(candidate):
        raise ValueError(
            f"paired samples must have the same length, got {len(baseline)} and {len(candidate)}"
        )
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    differences = [c - b for b, c in zip(baseline, candidate, strict=True)]
    count = len(differences)
    if count < 2:
        observed = differences[0] if differences else None
        return BootstrapResult(count, observed, None, None, confidence, TOO_FEW)
    observed = sum(differences) / count
    means = _resampled_means(differences, resamples, random.Random(seed))
    tail = (1 - confidence) / 2
    low = _quantile(means, tail)
    high = _quantile(means, 1 - tail)
    return BootstrapResult(
        count, observed, low, high, confidence, _verdict(low, high, higher_is_better)
    )


def _resampled_means(differences: list[float], resamples: int, rng: random.Random) -> list[float]:
    count = len(differences)
    choices = rng.choices
    return sorted(sum(choices(differences, k=count)) / count for _ in range(resamples))


def _quantile(ordered: list[float], fraction: float) -> float:
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _verdict(low: float, high: float, higher_is_better: bool) -> str:
    if low > 0:
        return BETTER if higher_is_better else WORSE
    if high < 0:
        return WORSE if higher_is_better else BETTER
    return NO_DIFFERENCE
