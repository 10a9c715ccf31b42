"""Online scores over time, and the alerts' ``mean_score`` metric.

``score_series`` buckets a rule's scores by the start time of the traces they score: for each
evaluator and bucket, the mean value, how many traces were scored and how many of those gave no
value (the evaluation failed, or the evaluator gave neither a score nor a verdict). The bucket
width follows the range (a minute over an hour, an hour over a day, six hours over a week, a day
beyond). Buckets are filled in Python from the rows in the range, which keeps
the SQL the same on SQLite and Postgres; a rule's page asks for at most a few thousand rows.

``MeanScoreProvider`` answers the alerts' ``mean_score``: the mean value of the scores in the
window whose evaluator slug is the alert's ``evaluator``, or, when a rule has that name (or id),
of that rule's scores. Register it with ``MetricsRegistry({Metric.MEAN_SCORE: provider})``.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.alerts.metrics import MetricQuery
from agenta.core.online.models import OnlineRule, OnlineScore

RANGES = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
MAX_ROWS = 50_000


@dataclass(frozen=True)
class Bucket:
    """One evaluator's scores in one time bucket (``errors``: scores without a value)."""

    start: datetime
    count: int = 0
    errors: int = 0
    mean: float | None = None


@dataclass(frozen=True)
class ScoreSeries:
    """Buckets per evaluator slug over a range, all with the same starts."""

    starts: list[datetime]
    width: timedelta
    by_evaluator: dict[str, list[Bucket]] = field(default_factory=dict)


def bucket_width(span: timedelta) -> timedelta:
    """The bucket width for a range (see the module docstring)."""
    if span <= timedelta(hours=1):
        return timedelta(minutes=1)
    if span <= timedelta(days=1):
        return timedelta(hours=1)
    if span <= timedelta(days=7):
        return timedelta(hours=6)
    return timedelta(days=1)


async def score_series(
    session: AsyncSession, rule_id: uuid.UUID, since: datetime, until: datetime
) -> ScoreSeries:
    """The rule's scores between ``since`` and ``until``, bucketed per evaluator."""
    width = bucket_width(until - since)
    first = _floor(since, width)
    count = max(1, math.ceil((until - first) / width))
    starts = [first + width * index for index in range(count)]
    rows = (
        await session.execute(
            select(OnlineScore.evaluator_slug, OnlineScore.trace_time, OnlineScore.value)
            .where(
                OnlineScore.rule_id == rule_id,
                OnlineScore.trace_time >= first,
                OnlineScore.trace_time < until,
            )
            .limit(MAX_ROWS)
        )
    ).all()
    grouped: dict[str, list[list[float | None]]] = defaultdict(lambda: [[] for _ in starts])
    for slug, moment, value in rows:
        index = min(int((moment - first) / width), count - 1)
        grouped[slug][index].append(value)
    series = {slug: _buckets(starts, values) for slug, values in sorted(grouped.items())}
    return ScoreSeries(starts=starts, width=width, by_evaluator=series)


class MeanScoreProvider:
    """The alerts' ``mean_score`` from online evaluation scores."""

    async def measure(self, session: AsyncSession, query: MetricQuery) -> float | None:
        """The mean score in the window, or None without scores (or without an evaluator)."""
        if not query.evaluator:
            return None
        rules = select(OnlineRule.id).where(
            OnlineRule.project_id == query.project_id,
            or_(OnlineRule.name == query.evaluator, _id_matches(query.evaluator)),
        )
        value = await session.scalar(
            select(func.avg(OnlineScore.value)).where(
                OnlineScore.project_id == query.project_id,
                OnlineScore.trace_time >= query.start,
                OnlineScore.trace_time < query.end,
                OnlineScore.value.is_not(None),
                or_(
                    OnlineScore.evaluator_slug == query.evaluator,
                    OnlineScore.rule_id.in_(rules),
                ),
            )
        )
        return None if value is None else float(value)


def _id_matches(text: str) -> object:
    try:
        return OnlineRule.id == uuid.UUID(text)
    except ValueError:
        return OnlineRule.id.is_(None)


def _buckets(starts: Sequence[datetime], values: list[list[float | None]]) -> list[Bucket]:
    buckets = []
    for start, found in zip(starts, values, strict=True):
        present = [value for value in found if value is not None]
        mean = sum(present) / len(present) if present else None
        buckets.append(Bucket(start, len(found), len(found) - len(present), mean))
    return buckets


def _floor(moment: datetime, width: timedelta) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=moment.tzinfo)
    return epoch + ((moment - epoch) // width) * width
