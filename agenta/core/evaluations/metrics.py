"""Run metrics, computed from the cells: per app revision, and per revision and evaluator.

- invocations: count, errors, cost (total, mean), tokens, latency (mean, p50, p90, p99);
- evaluators: count, errors, mean score, pass rate, score percentiles, and ``value``: the mean
  of each cell's value, its score when it has one, else its verdict as 1 or 0. ``value`` is
  what thresholds (gates, ``agenta eval run --fail-under``) and comparisons use.

Errored cells count as errors and are left out of means and rates. ``metric_value`` reads one
metric by the names thresholds use: ``<evaluator slug>`` (the value), ``<slug>.score``,
``<slug>.pass_rate``.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from agenta.core.evaluations.models import CELL_ERROR, INVOCATION, EvaluationCell
from agenta.core.evaluations.plan import EvaluatorStep, RunPlan

STATS = ("value", "mean", "score", "pass_rate")


def cell_value(cell: EvaluationCell) -> float | None:
    """An evaluator cell as a number: its score, else its verdict as 1.0/0.0, else None."""
    if cell.status == CELL_ERROR:
        return None
    if cell.score is not None:
        return float(cell.score)
    if cell.success is not None:
        return 1.0 if cell.success else 0.0
    return None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` percentile (0 to 1) of ``values``, interpolated; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class InvocationMetrics:
    """How one app revision did: errors, cost, tokens and latency."""

    count: int = 0
    errors: int = 0
    cost_total: float = 0.0
    cost_mean: float | None = None
    tokens_total: int = 0
    latency_mean: float | None = None
    latency_p50: float | None = None
    latency_p90: float | None = None
    latency_p99: float | None = None


@dataclass(frozen=True)
class EvaluatorMetrics:
    """How one app revision scored on one evaluator."""

    count: int = 0
    errors: int = 0
    value: float | None = None
    score_mean: float | None = None
    pass_rate: float | None = None
    score_p50: float | None = None
    score_p90: float | None = None
    cost_total: float = 0.0


@dataclass(frozen=True)
class RunMetrics:
    """Every metric of a run, by app revision (and evaluator revision)."""

    invocations: dict[uuid.UUID, InvocationMetrics] = field(default_factory=dict)
    evaluators: dict[tuple[uuid.UUID, uuid.UUID], EvaluatorMetrics] = field(default_factory=dict)

    def evaluator(self, revision_id: uuid.UUID, evaluator_id: uuid.UUID) -> EvaluatorMetrics:
        return self.evaluators.get((revision_id, evaluator_id), EvaluatorMetrics())

    def invocation(self, revision_id: uuid.UUID) -> InvocationMetrics:
        return self.invocations.get(revision_id, InvocationMetrics())


def compute_metrics(cells: Iterable[EvaluationCell]) -> RunMetrics:
    """The metrics of a run's cells."""
    invocations: dict[uuid.UUID, list[EvaluationCell]] = defaultdict(list)
    evaluations: dict[tuple[uuid.UUID, uuid.UUID], list[EvaluationCell]] = defaultdict(list)
    for cell in cells:
        if cell.evaluator_id == INVOCATION:
            invocations[cell.revision_id].append(cell)
        else:
            evaluations[(cell.revision_id, cell.evaluator_id)].append(cell)
    return RunMetrics(
        invocations={key: invocation_metrics(found) for key, found in invocations.items()},
        evaluators={key: evaluator_metrics(found) for key, found in evaluations.items()},
    )


def invocation_metrics(cells: Sequence[EvaluationCell]) -> InvocationMetrics:
    """Metrics of one app revision's invocation cells."""
    latencies = [c.latency_ms for c in cells if c.latency_ms is not None and c.status != CELL_ERROR]
    costs = [c.cost for c in cells]
    return InvocationMetrics(
        count=len(cells),
        errors=sum(1 for c in cells if c.status == CELL_ERROR),
        cost_total=sum(costs),
        cost_mean=mean(costs),
        tokens_total=sum(c.total_tokens for c in cells),
        latency_mean=mean(latencies),
        latency_p50=percentile(latencies, 0.5),
        latency_p90=percentile(latencies, 0.9),
        latency_p99=percentile(latencies, 0.99),
    )


def evaluator_metrics(cells: Sequence[EvaluationCell]) -> EvaluatorMetrics:
    """Metrics of one evaluator's cells for one app revision."""
    valid = [c for c in cells if c.status != CELL_ERROR]
    scores = [float(c.score) for c in valid if c.score is not None]
    verdicts = [c.success for c in valid if c.success is not None]
    values = [v for c in valid if (v := cell_value(c)) is not None]
    return EvaluatorMetrics(
        count=len(cells),
        errors=len(cells) - len(valid),
        value=mean(values),
        score_mean=mean(scores),
        pass_rate=(sum(1 for v in verdicts if v) / len(verdicts)) if verdicts else None,
        score_p50=percentile(scores, 0.5),
        score_p90=percentile(scores, 0.9),
        cost_total=sum(c.cost for c in cells),
    )


def split_metric_name(name: str) -> tuple[str, str]:
    """``"judge.pass_rate"`` -> ``("judge", "pass_rate")``; a bare slug reads ``value``."""
    slug, _, stat = name.rpartition(".")
    if slug and stat in STATS:
        return slug, stat
    return name, "value"


def stat_of(metrics: EvaluatorMetrics, stat: str) -> float | None:
    """One statistic of an evaluator's metrics by name."""
    if stat == "score":
        return metrics.score_mean
    if stat == "pass_rate":
        return metrics.pass_rate
    return metrics.value


def metric_value(
    plan: RunPlan, metrics: RunMetrics, revision_id: uuid.UUID, name: str
) -> float | None:
    """The metric ``name`` of one app revision (``KeyError`` when no evaluator has that slug)."""
    slug, stat = split_metric_name(name)
    step = evaluator_by_slug(plan, slug)
    return stat_of(metrics.evaluator(revision_id, step.revision_id), stat)


def evaluator_by_slug(plan: RunPlan, slug: str) -> EvaluatorStep:
    for step in plan.evaluators:
        if slug in (step.slug, step.step_key):
            return step
    known = ", ".join(step.slug for step in plan.evaluators) or "none"
    raise KeyError(f"the run has no evaluator {slug!r} (it has: {known})")
