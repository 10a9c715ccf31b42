"""The paired bootstrap: intervals, verdicts, reproducibility and refusals."""

from __future__ import annotations

import random

import pytest

from agenta.core.evaluations.stats import (
    BETTER,
    NO_DIFFERENCE,
    TOO_FEW,
    WORSE,
    paired_bootstrap,
    paired_rows,
)


def noisy(values: list[float], shift: float, spread: float, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    return [value + shift + rng.uniform(-spread, spread) for value in values]


BASE = [random.Random(0).random() for _ in range(200)]


def test_a_clear_improvement_is_better_with_an_interval_above_zero() -> None:
    result = paired_bootstrap(BASE, noisy(BASE, 0.1, 0.05))
    assert result.verdict == BETTER
    assert result.low is not None and result.high is not None
    assert 0 < result.low < 0.1 < result.high
    assert result.mean_difference == pytest.approx(0.1, abs=0.01)


def test_a_clear_regression_is_worse() -> None:
    assert paired_bootstrap(BASE, noisy(BASE, -0.1, 0.05)).verdict == WORSE


def test_noise_around_zero_is_no_significant_difference() -> None:
    result = paired_bootstrap(BASE, noisy(BASE, 0.0, 0.3))
    assert result.verdict == NO_DIFFERENCE
    assert result.low is not None and result.high is not None
    assert result.low < 0 < result.high


def test_for_costs_lower_is_better() -> None:
    cheaper = noisy(BASE, -0.1, 0.05)
    assert paired_bootstrap(BASE, cheaper, higher_is_better=False).verdict == BETTER


def test_the_same_seed_gives_the_same_interval() -> None:
    candidate = noisy(BASE, 0.02, 0.3)
    first, second = paired_bootstrap(BASE, candidate), paired_bootstrap(BASE, candidate)
    other_seed = paired_bootstrap(BASE, candidate, seed=7)
    assert (first.low, first.high) == (second.low, second.high)
    assert (first.low, first.high) != (other_seed.low, other_seed.high)


def test_identical_runs_have_a_zero_width_interval_and_no_difference() -> None:
    result = paired_bootstrap(BASE, BASE)
    assert (result.low, result.high, result.verdict) == (0.0, 0.0, NO_DIFFERENCE)


def test_one_shared_row_is_not_enough_data() -> None:
    result = paired_bootstrap([0.2], [0.9])
    assert (result.verdict, result.mean_difference, result.low) == (TOO_FEW, 0.7, None)


def test_samples_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="same length, got 2 and 1"):
        paired_bootstrap([0.1, 0.2], [0.3])


def test_only_rows_both_sides_have_are_paired() -> None:
    before, after = paired_rows({"a": 1.0, "b": 0.0, "c": 0.5}, {"c": 1.0, "a": 0.0, "d": 1.0})
    assert (before, after) == ([1.0, 0.5], [0.0, 1.0])
