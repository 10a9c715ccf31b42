"""The metrics-provider interface alert rules are evaluated against.

Alerting does not read spans or evaluation results itself: it asks a ``MetricsProvider`` for one
number, the value of a ``Metric`` over a window for a project (optionally one application,
environment or evaluator), or None when there is no data in the window. Features that store the
data implement the interface:

- ``error_rate`` (0..1, failed root spans / root spans), ``latency_p95`` (seconds, root spans)
  and ``cost_per_hour`` (USD, spent in the window scaled to one hour) come from stored
  invocation traces (annotation traces are not requests);
- ``mean_score`` (mean of the evaluator's numeric scores in the window) comes from online
  evaluation results; ``evaluator`` names the evaluator (or online rule) to average.

``MetricsRegistry`` maps each metric to a provider; a metric without one measures as no data.
``default_metrics()`` registers the real providers: ``TraceMetricsProvider``
(``trace_metrics.py``, over the tracing feature's window totals) for the three trace metrics
and the online evaluation feature's ``MeanScoreProvider``. They are imported inside the
function: the online feature imports ``MetricQuery`` from here, and this module stays free of
other features' code so anything can import the interface.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession


class Metric(StrEnum):
    """What an alert rule can watch."""

    ERROR_RATE = "error_rate"
    LATENCY_P95 = "latency_p95"
    COST_PER_HOUR = "cost_per_hour"
    MEAN_SCORE = "mean_score"


METRIC_LABELS: dict[Metric, str] = {
    Metric.ERROR_RATE: "error rate (0 to 1)",
    Metric.LATENCY_P95: "latency p95 (seconds)",
    Metric.COST_PER_HOUR: "cost per hour (USD)",
    Metric.MEAN_SCORE: "mean evaluation score",
}


@dataclass(frozen=True)
class MetricQuery:
    """One measurement: ``metric`` over ``[end - window, end)`` in a project and scope."""

    project_id: UUID
    metric: Metric
    window: timedelta
    end: datetime
    application_id: UUID | None = None
    environment: str | None = None
    evaluator: str | None = None

    @property
    def start(self) -> datetime:
        return self.end - self.window


class MetricsProvider(Protocol):
    """Measures metrics from stored data; returns None when the window holds no data."""

    async def measure(self, session: AsyncSession, query: MetricQuery) -> float | None: ...


class MetricsRegistry:
    """The provider of each metric; metrics without one measure as no data."""

    def __init__(self, providers: Mapping[Metric, MetricsProvider] | None = None) -> None:
        self.providers = dict(providers or {})

    async def measure(self, session: AsyncSession, query: MetricQuery) -> float | None:
        """The metric's value, or None when no provider or no data."""
        provider = self.providers.get(query.metric)
        if provider is None:
            return None
        return await provider.measure(session, query)


def default_metrics() -> MetricsRegistry:
    """The providers of this build: stored traces and online evaluation scores."""
    from agenta.core.alerts.trace_metrics import TRACE_METRICS, TraceMetricsProvider
    from agenta.core.online.metrics import MeanScoreProvider

    traces = TraceMetricsProvider()
    providers: dict[Metric, MetricsProvider] = {metric: traces for metric in TRACE_METRICS}
    providers[Metric.MEAN_SCORE] = MeanScoreProvider()
    return MetricsRegistry(providers)
