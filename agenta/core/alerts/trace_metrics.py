"""The trace metrics of alert rules: error rate, latency p95 and cost per hour.

Tracing owns the spans, so this provider only turns its window totals
(``agenta.core.tracing.analytics.trace_totals``) into the alert's number: failed requests over
requests (0..1), the p95 latency in seconds (traces store milliseconds), and the cost of the
window scaled to one hour (so a threshold means the same whatever the rule's window). A window
without invocation traces is no data for all three: a cost of 0 there would say "spending
stopped" when in fact nothing ran, and a rule watching for a cost floor would fire on it.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.alerts.metrics import Metric, MetricQuery
from agenta.core.tracing.analytics import TraceTotals, trace_totals

HOUR = timedelta(hours=1)
TRACE_METRICS = (Metric.ERROR_RATE, Metric.LATENCY_P95, Metric.COST_PER_HOUR)


class TraceMetricsProvider:
    """Measures the trace metrics (``TRACE_METRICS``) from stored traces."""

    async def measure(self, session: AsyncSession, query: MetricQuery) -> float | None:
        """The metric over the query's window and scope, or None without traces there."""
        if query.metric not in TRACE_METRICS:
            return None
        totals = await trace_totals(
            session,
            query.project_id,
            query.start,
            query.end,
            application=str(query.application_id) if query.application_id else None,
            environment=query.environment,
        )
        if totals.requests == 0:
            return None
        return _value(query, totals)


def _value(query: MetricQuery, totals: TraceTotals) -> float | None:
    if query.metric == Metric.ERROR_RATE:
        return totals.failed / totals.requests
    if query.metric == Metric.LATENCY_P95:
        return None if totals.latency_p95_ms is None else totals.latency_p95_ms / 1000
    return totals.cost * (HOUR / query.window)
