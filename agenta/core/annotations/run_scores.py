"""Human scores of a run's rows, as run metrics next to the automatic evaluators' ones.

A single-model review queue over a run adds one evaluator step to the run's plan per question
with a numeric answer (yes/no, scale, number): key ``human_feedback``, slug
``human-<evaluator>-<field>``, and a revision id derived from the queue and the question (a
UUID5, so it is the same every time and never clashes with a real evaluator revision). The run's
pages, metrics, comparisons and gates then treat it like any evaluator step.

Each time a row's reviews change, the row's cell for each human step is rewritten: its score is
the mean of the reviewers' numeric answers (a yes/no becomes the share of yes) and, for yes/no
questions, its verdict is whether most said yes. Cells are written once by the run job, so a
human cell is replaced (deleted, then inserted through the cells service) rather than updated.

Only finished runs get human steps (``run_sources`` refuses others), so the run job, which reads
the plan, never meets a step it cannot run.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.annotations.feedback import (
    NUMERIC_KINDS,
    FeedbackField,
    FeedbackKind,
    HumanEvaluator,
    numeric_value,
)
from agenta.core.annotations.models import AnnotationQueue, QueueItem, QueueReview
from agenta.core.annotations.queues import human_evaluators
from agenta.core.evaluations.cells import CellKey, cell_row, insert_cells
from agenta.core.evaluations.models import EvaluationCell, EvaluationRun
from agenta.core.evaluations.plan import EvaluatorStep, RunPlan

HUMAN_KEY = "human_feedback"


def human_steps(
    queue: AnnotationQueue,
) -> list[tuple[EvaluatorStep, HumanEvaluator, FeedbackField]]:
    """The run evaluator steps of a queue's numeric questions, with their question."""
    steps = []
    for evaluator in human_evaluators(queue):
        for item in evaluator.fields:
            if item.kind not in NUMERIC_KINDS:
                continue
            slug = f"human-{evaluator.slug}-{item.name}".replace("_", "-")
            step_id = uuid.uuid5(queue.id, f"{evaluator.slug}/{item.name}")
            step = EvaluatorStep(
                revision_id=step_id,
                evaluator_id=step_id,
                slug=slug,
                name=f"{evaluator.name}: {item.title} (human)",
                key=HUMAN_KEY,
                settings={
                    "queue_id": str(queue.id),
                    "evaluator": evaluator.slug,
                    "field": item.name,
                },
                step_key=f"human-{slug}",
            )
            steps.append((step, evaluator, item))
    return steps


async def attach_to_run(session: AsyncSession, queue: AnnotationQueue, run: EvaluationRun) -> int:
    """Add the queue's human steps to the run's plan (once); returns how many were added."""
    plan = RunPlan.from_config(run.config)
    known = {step.revision_id for step in plan.evaluators}
    added = [step for step, _, _ in human_steps(queue) if step.revision_id not in known]
    if added:
        run.config = replace(plan, evaluators=(*plan.evaluators, *added)).to_config()
        await session.flush()
    return len(added)


async def refresh_row(session: AsyncSession, queue: AnnotationQueue, item: QueueItem) -> None:
    """Rewrite the row's human cells from its current reviews."""
    if item.run_id is None or item.row_index is None:
        return
    revision_id = uuid.UUID(str(queue.source["revision_id"]))
    reviews = list(await session.scalars(select(QueueReview).where(QueueReview.item_id == item.id)))
    for step, evaluator, question in human_steps(queue):
        key = CellKey(item.row_index, revision_id, 0, step.revision_id)
        await _replace_cell(
            session, item, key, step, _values(reviews, evaluator, question), question
        )


def _values(
    reviews: Sequence[QueueReview], evaluator: HumanEvaluator, question: FeedbackField
) -> list[float]:
    values = []
    for review in reviews:
        answer = (review.answers.get(evaluator.slug) or {}).get(question.name)
        number = numeric_value(question, answer)
        if number is not None:
            values.append(number)
    return values


async def _replace_cell(
    session: AsyncSession,
    item: QueueItem,
    key: CellKey,
    step: EvaluatorStep,
    values: list[float],
    question: FeedbackField,
) -> None:
    assert item.run_id is not None
    table = EvaluationCell.__table__
    await session.execute(
        delete(table).where(
            table.c.run_id == item.run_id,
            table.c.row_index == key.row_index,
            table.c.revision_id == key.revision_id,
            table.c.repeat == key.repeat,
            table.c.evaluator_id == key.evaluator_id,
        )
    )
    if not values:
        return
    score = sum(values) / len(values)
    success = score >= 0.5 if question.kind is FeedbackKind.BOOLEAN else None
    row = cell_row(
        item.run_id,
        key,
        step_key=step.step_key,
        testcase_id=item.testcase_id,
        output={"reviews": len(values), "values": values},
        score=score,
        success=success,
        trace_id=item.trace_id,
    )
    await insert_cells(session, [row])
