"""A small chart of an application's online scores, for the application's overview page.

``app_score_chart(session, project_id, application)`` finds the active or paused rules whose
filter names the application (by slug or id) and draws each rule evaluator's mean score per hour
over the last day, one line per ``rule · evaluator``. It answers None when no rule watches the
application or no score was given in the day, so a page can leave the panel out. The partial
``online/_app_chart.html`` renders it (``{% include "online/_app_chart.html" %}`` with
``online_chart`` in the context).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta

from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.online.metrics import score_series
from agenta.core.online.rules import list_rules
from agenta.core.tracing.charts import Chart, Series, line_chart
from agenta.db import utcnow

DAY = timedelta(hours=24)


async def app_score_chart(
    session: AsyncSession, project_id: uuid.UUID, application: Iterable[str]
) -> Markup | None:
    """The chart of the rules watching the application (slug, id or both), or None."""
    names = {str(name) for name in application if name}
    rules = [
        r for r in await list_rules(session, project_id) if r.filters.get("application") in names
    ]
    now = utcnow()
    series: list[Series] = []
    labels: list[str] = []
    for rule in rules:
        found = await score_series(session, rule.id, now - DAY, now)
        labels = [start.strftime("%H:%M") for start in found.starts]
        for slug, buckets in found.by_evaluator.items():
            if any(bucket.count for bucket in buckets):
                series.append(Series(f"{rule.name} · {slug}", [b.mean for b in buckets]))
    if not series:
        return None
    chart = Chart(
        key="online-scores",
        title="Online evaluation: mean score per hour, last 24 hours",
        labels=labels,
        series=series,
        format_value=lambda value: f"{value:.2f}",
    )
    return line_chart(chart)
