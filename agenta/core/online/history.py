"""A rule's recent evaluations: the traces it scored last, with each evaluator's result."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.online.models import OnlineEvaluation, OnlineScore

DEFAULT_LIMIT = 50


async def recent_evaluations(
    session: AsyncSession, rule_id: uuid.UUID, limit: int = DEFAULT_LIMIT
) -> list[tuple[OnlineEvaluation, list[OnlineScore]]]:
    """The rule's latest claims (newest trace first) with their scores."""
    evaluations = list(
        await session.scalars(
            select(OnlineEvaluation)
            .where(OnlineEvaluation.rule_id == rule_id)
            .order_by(OnlineEvaluation.trace_time.desc(), OnlineEvaluation.id.desc())
            .limit(max(1, min(limit, 500)))
        )
    )
    scores: dict[uuid.UUID, list[OnlineScore]] = defaultdict(list)
    if evaluations:
        found = await session.scalars(
            select(OnlineScore)
            .where(OnlineScore.evaluation_id.in_([e.id for e in evaluations]))
            .order_by(OnlineScore.evaluator_slug)
        )
        for score in found:
            scores[score.evaluation_id].append(score)
    return [(evaluation, scores[evaluation.id]) for evaluation in evaluations]
