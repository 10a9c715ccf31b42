"""Claiming a trace for a rule, and storing what the rule's evaluators said about it.

``claim`` inserts the (rule, trace) row with ``INSERT ... ON CONFLICT DO NOTHING RETURNING id``
in a transaction of its own, committed before any evaluator runs: the unique key lets exactly
one claimant through, whichever worker, tick or backfill asks, so a rule never evaluates a
trace twice. A claim whose worker died before storing its results stays ``claimed`` and is not
retried: a lost score is preferred over a score counted twice.

``store_results`` writes, per evaluator, an ``online_scores`` row and (when it did not fail) an
annotation on the trace: an automatic annotation of the evaluation kind, referencing the
evaluator by id and slug and linked to the trace's root span, whose outputs are the score, the
verdict and the evaluator's details. The claim then becomes ``done`` or ``failed``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.evaluators.builtins import EvaluatorResult
from agenta.core.evaluators.configs import EvaluatorConfig
from agenta.core.online.models import DONE, FAILED, OnlineEvaluation, OnlineRule, OnlineScore
from agenta.core.tracing.annotations import create_annotation
from agenta.core.tracing.span import Span
from agenta.db import utcnow, uuid7

_TABLE = OnlineEvaluation.__table__


@dataclass(frozen=True)
class Verdict:
    """One evaluator's result on one trace."""

    config: EvaluatorConfig
    result: EvaluatorResult

    @property
    def value(self) -> float | None:
        """The score, else the verdict as 1 or 0, else None (and None on errors)."""
        if self.result.error:
            return None
        if self.result.score is not None:
            return float(self.result.score)
        if self.result.success is not None:
            return 1.0 if self.result.success else 0.0
        return None


async def claim(session: AsyncSession, rule: OnlineRule, root: Span) -> uuid.UUID | None:
    """Claim the trace for the rule; its id, or None when it was claimed already."""
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(_TABLE)
        .values(
            id=uuid7(),
            project_id=rule.project_id,
            rule_id=rule.id,
            trace_id=root.trace_id,
            trace_time=root.start_time,
            status="claimed",
            claimed_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["rule_id", "trace_id"])
        .returning(_TABLE.c.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def store_results(
    session: AsyncSession,
    rule: OnlineRule,
    evaluation_id: uuid.UUID,
    root: Span,
    verdicts: list[Verdict],
) -> None:
    """Scores, annotations and the claim's outcome (see the module docstring)."""
    for verdict in verdicts:
        annotation = None
        if not verdict.result.error:
            annotation = await _annotate(session, rule, root, verdict)
        session.add(_score(rule, evaluation_id, root, verdict, annotation))
    errors = [f"{v.config.slug}: {v.result.error}" for v in verdicts if v.result.error]
    await session.execute(
        update(OnlineEvaluation)
        .where(OnlineEvaluation.id == evaluation_id)
        .values(
            status=FAILED if errors else DONE,
            error="; ".join(errors)[:2000] or None,
            finished_at=utcnow(),
        )
    )
    await session.flush()


def _score(
    rule: OnlineRule,
    evaluation_id: uuid.UUID,
    root: Span,
    verdict: Verdict,
    annotation: str | None,
) -> OnlineScore:
    return OnlineScore(
        project_id=rule.project_id,
        rule_id=rule.id,
        evaluation_id=evaluation_id,
        evaluator_id=verdict.config.id,
        evaluator_slug=verdict.config.slug,
        trace_id=root.trace_id,
        trace_time=root.start_time,
        value=verdict.value,
        success=verdict.result.success,
        error=verdict.result.error,
        details=verdict.result.details or {},
        annotation_trace_id=annotation,
    )


async def _annotate(session: AsyncSession, rule: OnlineRule, root: Span, verdict: Verdict) -> str:
    outputs: dict[str, Any] = {**(verdict.result.details or {})}
    if verdict.result.score is not None:
        outputs["score"] = verdict.result.score
    if verdict.result.success is not None:
        outputs["success"] = verdict.result.success
    record = await create_annotation(
        session,
        rule.project_id,
        {
            "data": {"outputs": outputs or {"evaluated": True}},
            "origin": "auto",
            "kind": "eval",
            "channel": "api",
            "references": {
                "evaluator": {"id": str(verdict.config.id), "slug": verdict.config.slug},
            },
            "links": {"invocation": {"trace_id": root.trace_id, "span_id": root.span_id}},
            "meta": {"online_rule_id": str(rule.id), "online_rule": rule.name},
        },
    )
    return str(record["trace_id"])
