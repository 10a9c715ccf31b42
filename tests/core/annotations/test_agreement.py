"""Agreement statistics checked against worked examples from the literature."""

from __future__ import annotations

import pytest

from agenta.core.annotations.agreement import (
    INTERVAL,
    NOMINAL,
    cohen_kappa,
    fleiss_kappa,
    fleiss_kappa_from_counts,
    judge_agreement,
    krippendorff_alpha,
    pearson,
    ranks,
    spearman,
    summarise,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers,
# twelve units, gaps where an observer gave no value.
_ = None
KRIPPENDORFF_DATA = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]

# Fleiss (1971) as worked on Wikipedia's "Fleiss' kappa" page: 10 subjects, 14 raters each,
# 5 categories; P-bar = 0.378, P-bar-e = 0.213, kappa = 0.210.
FLEISS_COUNTS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_cohens_kappa_of_the_textbook_two_by_two_table() -> None:
    # 50 proposals: both yes 20, A yes B no 5, A no B yes 10, both no 15 -> po 0.7, pe 0.5.
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(first, second) == pytest.approx(0.4)


def test_cohens_kappa_skips_missing_answers_and_is_undefined_without_variation() -> None:
    assert cohen_kappa(["a", "b", None, "a"], ["a", "b", "b", None]) == pytest.approx(1.0)
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None
    assert cohen_kappa([None], ["a"]) is None
    with pytest.raises(ValueError, match="same items"):
        cohen_kappa(["a"], ["a", "b"])


def test_fleiss_kappa_of_the_worked_example() -> None:
    assert fleiss_kappa_from_counts(FLEISS_COUNTS) == pytest.approx(0.2099, abs=5e-4)


def test_fleiss_kappa_from_raw_answers_matches_the_counts() -> None:
    items = [
        [category for category, n in enumerate(row) for _ in range(n)] for row in FLEISS_COUNTS
    ]
    assert fleiss_kappa(items) == pytest.approx(fleiss_kappa_from_counts(FLEISS_COUNTS))


def test_fleiss_kappa_refuses_unequal_numbers_of_ratings() -> None:
    with pytest.raises(ValueError, match="item 1 has 2, item 0 has 3"):
        fleiss_kappa([["a", "a", "b"], ["a", "b"]])


def test_krippendorffs_alpha_nominal_of_the_reference_example() -> None:
    assert krippendorff_alpha(KRIPPENDORFF_DATA, NOMINAL) == pytest.approx(0.743, abs=5e-4)


def test_krippendorffs_alpha_interval_of_the_reference_example() -> None:
    assert krippendorff_alpha(KRIPPENDORFF_DATA, INTERVAL) == pytest.approx(0.849, abs=5e-4)


def test_krippendorffs_alpha_is_one_for_perfect_agreement_and_none_without_variation() -> None:
    assert krippendorff_alpha([[1, 2, 3], [1, 2, 3]]) == pytest.approx(1.0)
    assert krippendorff_alpha([[1, 1], [1, 1]]) is None
    with pytest.raises(ValueError, match="interval agreement needs numbers"):
        krippendorff_alpha([["a", "b"], ["a", "c"]], INTERVAL)
    with pytest.raises(ValueError, match="level must be one of"):
        krippendorff_alpha([[1]], "ordinal")


def test_pearson_of_a_small_sample() -> None:
    assert pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]) == pytest.approx(0.7746, abs=1e-4)
    assert pearson([1, 1, 1], [1, 2, 3]) is None


def test_spearman_of_the_iq_and_television_example() -> None:
    # Wikipedia's "Spearman's rank correlation coefficient" example: rho = -29/165.
    iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110]
    tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17]
    assert spearman(iq, tv) == pytest.approx(-29 / 165)


def test_ties_share_their_average_rank() -> None:
    assert ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]


def test_a_judge_against_humans_on_binarised_and_raw_scores() -> None:
    judge = [0.9, 0.8, 0.2, 0.1, 0.7, None]
    human = [1.0, 0.0, 0.0, 0.0, 1.0, 1.0]
    found = judge_agreement(judge, human)
    assert found.pairs == 5
    assert found.accuracy == pytest.approx(0.8)
    # Binarised: judge 1,1,0,0,1 vs human 1,0,0,0,1 -> po 0.8, pe 0.48.
    assert found.kappa == pytest.approx((0.8 - 0.48) / 0.52)
    assert found.pearson == pytest.approx(0.6508, abs=1e-4)
    # Ranks: judge 5,4,2,1,3; human 4.5,2,2,2,4.5 (ties shared) -> 1 / sqrt(3).
    assert found.spearman == pytest.approx(3**-0.5)


def test_a_judge_on_a_scale_can_be_cut_at_its_own_threshold() -> None:
    found = judge_agreement([0.9, 0.2, 0.8], [5, 1, 4], threshold=0.5, human_threshold=3)
    assert (found.accuracy, found.kappa) == (1.0, 1.0)


def test_a_queue_report_uses_only_items_rated_twice() -> None:
    ratings = {
        "item-1": {"ada": "yes", "bob": "yes"},
        "item-2": {"ada": "no", "bob": "yes"},
        "item-3": {"ada": "no", "bob": "no"},
        "item-4": {"ada": "yes"},
    }
    report = summarise(ratings, NOMINAL)
    assert (report.items, report.raters) == (3, 2)
    assert report.percent == pytest.approx(2 / 3)
    assert report.cohen == pytest.approx(cohen_kappa(["yes", "no", "no"], ["yes", "yes", "no"]))
    assert report.fleiss is not None and report.alpha is not None


def test_a_queue_report_with_three_raters_has_no_cohen_kappa() -> None:
    ratings = {
        "a": {"x": 1.0, "y": 2.0, "z": 1.0},
        "b": {"x": 5.0, "y": 5.0},
    }
    report = summarise(ratings, INTERVAL)
    assert report.raters == 3 and report.cohen is None and report.fleiss is None
    assert report.alpha is not None and report.alpha > 0.5
