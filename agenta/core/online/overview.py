"""A small chart of an application's online scores, for the pages that show one application.

``app_scores(session, project_id, application)`` finds the active or paused rules whose filter
names the application (by slug or id) and draws each rule evaluator's mean score per bucket
over a window (the last day unless given; the bucket width follows it as on a rule's page), one
line per ``rule · evaluator``. Its answer names the watching rules even when none scored in the
window, so a page can tell "no rule yet" (and how to add one) from "no score yet".
``app_score_chart`` is the chart alone. The partial ``online/_app_chart.html`` renders the
panel (``{% include "online/_app_chart.html" %}`` with ``online_scores`` in the context).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.online.metrics import score_series
from agenta.core.online.rules import list_rules
from agenta.core.tracing.charts import Chart, Series, line_chart
from agenta.db import utcnow

DAY = timedelta(hours=24)


@dataclass(frozen=True)
class AppScores:
    """The application (its slug or id) and the names of the rules watching it, with their chart
    (None when none of them scored a trace in the window)."""

    application: str
    rules: list[str]
    chart: Markup | None


async def app_scores(
    session: AsyncSession,
    project_id: uuid.UUID,
    application: Iterable[str],
    window: tuple[datetime, datetime] | None = None,
) -> AppScores:
    """The rules watching the application (slug, id or both) and their scores in ``window``
    (oldest, newest; the last 24 hours when absent)."""
    names = [str(name) for name in application if name]
    rules = [
        r for r in await list_rules(session, project_id) if r.filters.get("application") in names
    ]
    now = utcnow()
    since, until = window or (now - DAY, now)
    series: list[Series] = []
    labels: list[str] = []
    width = timedelta(hours=1)
    for rule in rules:
        found = await score_series(session, rule.id, since, until)
        width = found.width
        labels = [_label(start, width) for start in found.starts]
        for slug, buckets in found.by_evaluator.items():
            if any(bucket.count for bucket in buckets):
                series.append(Series(f"{rule.name} · {slug}", [b.mean for b in buckets]))
    chart = None
    if series:
        chart = line_chart(
            Chart(
                key="online-scores",
                title=f"Online evaluation: mean score per {_width_words(width)}",
                labels=labels,
                series=series,
                format_value=lambda value: f"{value:.2f}",
            )
        )
    return AppScores(names[0] if names else "", [rule.name for rule in rules], chart)


async def app_score_chart(
    session: AsyncSession, project_id: uuid.UUID, application: Iterable[str]
) -> Markup | None:
    """The last day's chart of the rules watching the application (slug, id or both), or None."""
    return (await app_scores(session, project_id, application)).chart


def _label(start: datetime, width: timedelta) -> str:
    if width >= timedelta(days=1):
        return start.strftime("%Y-%m-%d")
    return start.strftime("%H:%M" if width < timedelta(hours=6) else "%m-%d %H:%M")


def _width_words(width: timedelta) -> str:
    hours = width / timedelta(hours=1)
    if hours >= 24:
        return "day"
    if hours >= 1:
        return "hour" if hours == 1 else f"{hours:g} hours"
    return "minute"
