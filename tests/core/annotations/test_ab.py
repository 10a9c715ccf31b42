"""A/B review: hidden sides that stay put per annotator, and tallies with Wilson intervals."""

from __future__ import annotations

import uuid

import pytest

from agenta.core.annotations.ab import (
    A_PREFERRED,
    B_PREFERRED,
    NOT_SEPARATED,
    TOO_FEW,
    b_shown_first,
    tally,
    vote_of,
    wilson_interval,
)


def test_the_order_is_stable_for_one_annotator_and_row() -> None:
    queue, item, person = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert {b_shown_first(queue, item, person) for _ in range(5)} == {
        b_shown_first(queue, item, person)
    }


def test_the_order_varies_across_rows_and_annotators() -> None:
    queue, person = uuid.uuid4(), uuid.uuid4()
    rows = [b_shown_first(queue, uuid.uuid4(), person) for _ in range(200)]
    people = [b_shown_first(queue, "row-1", uuid.uuid4()) for _ in range(200)]
    assert 60 < sum(rows) < 140
    assert 60 < sum(people) < 140


def test_a_choice_on_the_page_maps_back_to_the_hidden_side() -> None:
    assert (vote_of("first", False), vote_of("second", False)) == ("a", "b")
    assert (vote_of("first", True), vote_of("second", True)) == ("b", "a")
    assert vote_of("tie", True) == "tie"
    with pytest.raises(ValueError, match="vote must be one of first, second, tie"):
        vote_of("left", False)


def test_the_wilson_interval_of_a_known_case() -> None:
    # 8 successes in 10 trials at 95 %: (0.4902, 0.9433), as tabulated by Newcombe (1998).
    low, high = wilson_interval(8, 10)
    assert (low, high) == (pytest.approx(0.4902, abs=1e-4), pytest.approx(0.9433, abs=1e-4))


def test_the_wilson_interval_stays_within_zero_and_one() -> None:
    assert wilson_interval(0, 5)[0] == 0.0
    assert wilson_interval(5, 5)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="successes must be between 0 and 3"):
        wilson_interval(4, 3)


def test_a_clear_preference_for_a_is_reported() -> None:
    found = tally(["a"] * 18 + ["b"] * 2 + ["tie"] * 5)
    assert (found.a, found.b, found.ties, found.total) == (18, 2, 5, 25)
    assert found.win_rate_a == pytest.approx(0.9)
    assert found.low is not None and found.low > 0.5
    assert found.verdict == A_PREFERRED
    assert found.share("tie") == pytest.approx(0.2)


def test_a_clear_preference_for_b_and_a_draw() -> None:
    assert tally(["b"] * 15 + ["a"]).verdict == B_PREFERRED
    assert tally(["a", "b", "a", "b", "tie"]).verdict == NOT_SEPARATED


def test_ties_alone_are_not_enough_and_unknown_votes_are_refused() -> None:
    only_ties = tally(["tie", "tie"])
    assert (only_ties.win_rate_a, only_ties.verdict) == (None, TOO_FEW)
    with pytest.raises(ValueError, match="a vote is one of a, b, tie, got 'c'"):
        tally(["a", "c"])
