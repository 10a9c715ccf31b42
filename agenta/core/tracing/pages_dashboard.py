"""The observability dashboard: requests, errors, latency p50/p95, tokens and cost over time.

`GET /observability/dashboard` takes the explorer's filters from the URL (a time `range`,
24 hours by default, or `since`/`until`, plus any filter such as `application`) and draws
the query service's time buckets as server-rendered SVG line charts (`charts.py`), with
the totals of the window above them. The bucket length is picked so a chart has at most
`MAX_POINTS` points, and buckets start on whole multiples of it (whole hours, days, ...).
Filtered on one application, it also shows the online evaluation scores of the rules watching
that application over the same window (the online feature's `app_scores`), or how to add one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.page_support import flash
from agenta.core.online.overview import app_scores
from agenta.core.tracing.analytics import Bucket, dashboard
from agenta.core.tracing.charts import Chart, Series, line_chart
from agenta.core.tracing.pages_filters import RANGE_LABELS, TraceFilters
from agenta.core.tracing.pages_support import ms, render, usd
from agenta.core.tracing.query_model import QueryError
from agenta.db import utcnow

VIEW = [requires(Permission.VIEW_SPANS)]
DEFAULT_RANGE = "24h"
MAX_POINTS = 60
INTERVALS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(days=1),
    timedelta(days=7),
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def bucket_interval(oldest: datetime, newest: datetime) -> timedelta:
    """The shortest interval that covers the window in at most `MAX_POINTS` buckets."""
    span = newest - oldest
    for interval in INTERVALS:
        if span / interval <= MAX_POINTS:
            return interval
    return INTERVALS[-1]


def aligned(moment: datetime, interval: timedelta) -> datetime:
    """`moment` rounded down to a whole multiple of `interval` since the Unix epoch."""
    return _EPOCH + ((moment - _EPOCH) // interval) * interval


def interval_label(interval: timedelta) -> str:
    """`interval` in words ("5 minutes", "1 hour", "7 days")."""
    seconds = int(interval.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            amount = seconds // size
            return f"{amount} {unit}{'s' if amount != 1 else ''}"
    return f"{seconds} seconds"


def axis_number(value: float) -> str:
    """A count for an axis or a tooltip: whole numbers with separators, else 3 digits."""
    return f"{round(value):,}" if float(value).is_integer() else f"{value:.3g}"


def charts(buckets: list[Bucket], interval: timedelta) -> list[Chart]:
    """The dashboard's charts for `buckets`."""
    pattern = "%Y-%m-%d" if interval >= timedelta(days=1) else "%m-%d %H:%M"
    labels = [bucket.start.strftime(pattern) for bucket in buckets]
    return [
        Chart(
            "requests",
            "Requests",
            labels,
            [Series("requests", [float(b.requests) for b in buckets])],
            axis_number,
        ),
        Chart(
            "errors",
            "Errors",
            labels,
            [Series("errors", [float(b.errors) for b in buckets])],
            axis_number,
        ),
        Chart(
            "latency",
            "Latency",
            labels,
            [
                Series("p50", [b.latency_p50_ms for b in buckets]),
                Series("p95", [b.latency_p95_ms for b in buckets]),
            ],
            ms,
        ),
        Chart(
            "tokens",
            "Tokens",
            labels,
            [Series("tokens", [float(b.tokens) for b in buckets])],
            axis_number,
        ),
        Chart("cost", "Cost", labels, [Series("cost", [b.cost for b in buckets])], usd),
    ]


def totals(buckets: list[Bucket]) -> dict[str, Any]:
    """Requests, errors, error rate, tokens and cost over the whole window."""
    requests = sum(bucket.requests for bucket in buckets)
    errors = sum(bucket.errors for bucket in buckets)
    return {
        "requests": requests,
        "errors": errors,
        "error_rate": errors / requests if requests else None,
        "tokens": sum(bucket.tokens for bucket in buckets),
        "cost": sum(bucket.cost for bucket in buckets),
    }


@get("/observability/dashboard", guards=VIEW, include_in_schema=False)
async def dashboard_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    filters = TraceFilters.from_params(request.query_params, range=DEFAULT_RANGE)
    context: dict[str, Any] = {
        "filters": filters,
        "ranges": _ranges(),
        "charts": [],
        "totals": None,
    }
    try:
        now = utcnow()
        oldest, newest = filters.window(now)
        if oldest is None:
            raise QueryError("the dashboard needs a time range: pick one, or give since")
        newest = newest or now
        interval = bucket_interval(oldest, newest)
        query = replace(filters.query(now), oldest=aligned(oldest, interval), newest=newest)
        buckets = await dashboard(db_session, principal.project_id, query, interval)
    except QueryError as error:
        failed = [flash("error", f"This filter cannot be used: {error}")]
        return render(
            request, "dashboard.html", tab="dashboard", status_code=400, flashes=failed, **context
        )
    context["charts"] = [(chart, line_chart(chart)) for chart in charts(buckets, interval)]
    if filters.application and principal.can(Permission.VIEW_EVALUATION_RUNS):
        context["online_scores"] = await app_scores(
            db_session, principal.project_id, [filters.application], window=(oldest, newest)
        )
    context["totals"] = totals(buckets)
    context["interval"] = interval_label(interval)
    context["traces_url"] = filters.url("/observability/traces", without=("next",))
    return render(request, "dashboard.html", tab="dashboard", **context)


def _ranges() -> dict[str, str]:
    return {key: label for key, label in RANGE_LABELS.items() if key != "all"}


ROUTES = [dashboard_page]
