"""Inter-rater agreement: how far annotators (and an automatic judge) agree beyond chance.

- ``cohen_kappa``: two raters over the same items, categorical answers. Pairs where either
  rater gave nothing are left out.
- ``fleiss_kappa`` / ``fleiss_kappa_from_counts``: any number of raters, categorical answers,
  the same number of ratings on every item (Fleiss 1971).
- ``krippendorff_alpha``: any number of raters, missing answers allowed, ``nominal`` or
  ``interval`` distances, computed through the coincidence matrix (Krippendorff, "Computing
  Krippendorff's Alpha-Reliability", 2011). Units with fewer than two answers carry no
  information about agreement and are skipped.
- ``pearson`` / ``spearman``: correlation of numbers (Spearman on average ranks, ties shared).
- ``judge_agreement``: an automatic evaluator against humans on the same rows: Cohen's kappa and
  accuracy on both sides binarised at a threshold, and both correlations on the raw numbers.
- ``summarise``: the report a queue page shows for one question, from ``{item: {rater: value}}``.

Every statistic is None when it is undefined (too few pairs, or no variation, which makes the
chance agreement 1 and the ratio 0/0); pages show that as a dash rather than a made-up number.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NOMINAL = "nominal"
INTERVAL = "interval"
LEVELS = (NOMINAL, INTERVAL)


def cohen_kappa(
    first: Sequence[Hashable | None], second: Sequence[Hashable | None]
) -> float | None:
    """Cohen's kappa of two raters' categorical answers, item by item."""
    if len(first) != len(second):
        raise ValueError(
            f"both raters must rate the same items, got {len(first)} and {len(second)} answers"
        )
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if a is not None and b is not None]
    if not pairs:
        return None
    count = len(pairs)
    observed = sum(1 for a, b in pairs if a == b) / count
    left = Counter(a for a, _ in pairs)
    right = Counter(b for _, b in pairs)
    expected = sum(left[c] * right[c] for c in left) / (count * count)
    if math.isclose(expected, 1.0):
        return None
    return (observed - expected) / (1 - expected)


def fleiss_kappa(items: Sequence[Sequence[Hashable]]) -> float | None:
    """Fleiss' kappa: ``items[i]`` lists the categories item i received, n answers each."""
    categories = sorted({answer for answers in items for answer in answers}, key=repr)
    counts = [[Counter(answers)[c] for c in categories] for answers in items]
    return fleiss_kappa_from_counts(counts)


def fleiss_kappa_from_counts(counts: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from ``counts[item][category]``, the number of raters who chose it."""
    if not counts:
        return None
    raters = sum(counts[0])
    for index, row in enumerate(counts):
        if sum(row) != raters:
            raise ValueError(
                f"Fleiss' kappa needs the same number of ratings per item: item {index} has "
                f"{sum(row)}, item 0 has {raters}"
            )
    if raters < 2:
        return None
    total = len(counts) * raters
    shares = [sum(row[j] for row in counts) / total for j in range(len(counts[0]))]
    per_item = [(sum(n * n for n in row) - raters) / (raters * (raters - 1)) for row in counts]
    observed = sum(per_item) / len(per_item)
    expected = sum(share * share for share in shares)
    if math.isclose(expected, 1.0):
        return None
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(data: Sequence[Sequence[Any | None]], level: str = NOMINAL) -> float | None:
    """Krippendorff's alpha of ``data[rater][unit]`` (None where a rater gave nothing)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    widths = {len(row) for row in data}
    if len(widths) > 1:
        raise ValueError("every rater's row must cover the same units (use None for gaps)")
    units = [
        [row[u] for row in data if row[u] is not None] for u in range(widths.pop() if widths else 0)
    ]
    return alpha_of_units(units, level)


def alpha_of_units(units: Sequence[Sequence[Any]], level: str = NOMINAL) -> float | None:
    """Krippendorff's alpha from the answers each unit received (any number per unit)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    distance = _interval if level == INTERVAL else _nominal
    coincidences: Counter[tuple[Any, Any]] = Counter()
    for answers in units:
        if len(answers) < 2:
            continue
        if level == INTERVAL:
            _check_numbers(answers)
        tally = Counter(answers)
        for c, count_c in tally.items():
            for k, count_k in tally.items():
                pairs = count_c * (count_k - 1 if c == k else count_k)
                coincidences[(c, k)] += pairs / (len(answers) - 1)
    margins: Counter[Any] = Counter()
    for (c, _), weight in coincidences.items():
        margins[c] += weight
    total = sum(margins.values())
    if total <= 1:
        return None
    observed = sum(w * distance(c, k) for (c, k), w in coincidences.items())
    expected = sum(margins[c] * margins[k] * distance(c, k) for c in margins for k in margins)
    if expected == 0:
        return None
    return 1 - (total - 1) * observed / expected


def pearson(x: Sequence[float | None], y: Sequence[float | None]) -> float | None:
    """Pearson's correlation over the pairs where both values are present."""
    xs, ys = _present_pairs(x, y)
    if len(xs) < 2:
        return None
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((a - mean_x) * (b - mean_y) for a, b in zip(xs, ys, strict=True))
    var_x = sum((a - mean_x) ** 2 for a in xs)
    var_y = sum((b - mean_y) ** 2 for b in ys)
    if var_x == 0 or var_y == 0:
        return None
    return cov / math.sqrt(var_x * var_y)


def spearman(x: Sequence[float | None], y: Sequence[float | None]) -> float | None:
    """Spearman's rank correlation (Pearson's on average ranks) over the present pairs."""
    xs, ys = _present_pairs(x, y)
    return pearson(ranks(xs), ranks(ys))


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, tied values sharing the average of their ranks."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        stop = start
        while stop + 1 < len(order) and values[order[stop + 1]] == values[order[start]]:
            stop += 1
        shared = (start + stop) / 2 + 1
        for position in range(start, stop + 1):
            result[order[position]] = shared
        start = stop + 1
    return result


@dataclass(frozen=True)
class JudgeAgreement:
    """An automatic evaluator against human answers on the rows both scored."""

    pairs: int
    accuracy: float | None
    kappa: float | None
    pearson: float | None
    spearman: float | None


def judge_agreement(
    judge: Sequence[float | None],
    human: Sequence[float | None],
    *,
    threshold: float = 0.5,
    human_threshold: float | None = None,
) -> JudgeAgreement:
    """How the judge's values agree with humans' (see the module docstring)."""
    js, hs = _present_pairs(judge, human)
    cut = threshold if human_threshold is None else human_threshold
    judged = [value >= threshold for value in js]
    humans = [value >= cut for value in hs]
    agree = sum(1 for a, b in zip(judged, humans, strict=True) if a == b)
    return JudgeAgreement(
        pairs=len(js),
        accuracy=agree / len(js) if js else None,
        kappa=cohen_kappa(judged, humans),
        pearson=pearson(js, hs),
        spearman=spearman(js, hs),
    )


@dataclass(frozen=True)
class AgreementReport:
    """Agreement on one question across a queue's items."""

    level: str
    items: int
    raters: int
    percent: float | None
    alpha: float | None
    cohen: float | None
    fleiss: float | None


def summarise(ratings: Mapping[Hashable, Mapping[Hashable, Any]], level: str) -> AgreementReport:
    """The report for ``ratings[item][rater]`` (only items rated at least twice count)."""
    shared = {item: answers for item, answers in ratings.items() if len(answers) >= 2}
    raters = sorted({r for answers in shared.values() for r in answers}, key=repr)
    units = [list(answers.values()) for answers in shared.values()]
    return AgreementReport(
        level=level,
        items=len(shared),
        raters=len(raters),
        percent=_percent(units),
        alpha=alpha_of_units(units, level),
        cohen=_two_rater_kappa(shared, raters) if len(raters) == 2 else None,
        fleiss=_fleiss_when_balanced(units) if level == NOMINAL else None,
    )


def _percent(units: Sequence[Sequence[Any]]) -> float | None:
    """Mean share of agreeing pairs of answers per item."""
    shares = []
    for answers in units:
        pairs = len(answers) * (len(answers) - 1)
        agreeing = sum(n * (n - 1) for n in Counter(answers).values())
        shares.append(agreeing / pairs)
    return sum(shares) / len(shares) if shares else None


def _two_rater_kappa(
    shared: Mapping[Hashable, Mapping[Hashable, Any]], raters: list[Hashable]
) -> float | None:
    first, second = raters
    return cohen_kappa(
        [answers.get(first) for answers in shared.values()],
        [answers.get(second) for answers in shared.values()],
    )


def _fleiss_when_balanced(units: Sequence[Sequence[Any]]) -> float | None:
    if not units or len({len(answers) for answers in units}) != 1:
        return None
    return fleiss_kappa(units)


def _present_pairs(
    x: Sequence[float | None], y: Sequence[float | None]
) -> tuple[list[float], list[float]]:
    if len(x) != len(y):
        raise ValueError(f"paired values must have the same length, got {len(x)} and {len(y)}")
    pairs = [(a, b) for a, b in zip(x, y, strict=True) if a is not None and b is not None]
    return [float(a) for a, _ in pairs], [float(b) for _, b in pairs]


def _check_numbers(answers: Sequence[Any]) -> None:
    for answer in answers:
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            raise ValueError(f"interval agreement needs numbers, got {answer!r}")


def _nominal(c: Any, k: Any) -> float:
    return 0.0 if c == k else 1.0


def _interval(c: Any, k: Any) -> float:
    return float(c - k) ** 2
