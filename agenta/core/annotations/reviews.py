"""Submitting a review: checking who may review, what they answered, and what follows from it.

``submit_review`` admits a reviewer who is assigned the item (or, in an open queue, anyone while
the item still needs reviews, and anyone who reviewed it before, to change their review). A
review queue's answers are checked per human evaluator (``answers.check_answers``); an A/B
queue's vote is the position chosen on the page (``first``, ``second`` or ``tie``), mapped back
to A or B with the order that reviewer was shown (``ab.b_shown_first``). A second submission by
the same person replaces the first.

What follows, in the same transaction:
- on a trace or span item, each evaluator's answers are written as a human annotation on it
  (edited in place when the review is changed), so they show on the trace page;
- on a run row, the row's human cells are rewritten (``run_scores``), so the run's metrics
  include the reviews.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.annotations.ab import b_shown_first, vote_of
from agenta.core.annotations.answers import check_answers
from agenta.core.annotations.feedback import FeedbackError, HumanEvaluator
from agenta.core.annotations.models import (
    AB,
    OPEN,
    RUN_ROW,
    SPAN,
    TRACE,
    AnnotationQueue,
    QueueAssignment,
    QueueItem,
    QueueReview,
)
from agenta.core.annotations.queues import human_evaluators
from agenta.core.annotations.run_scores import refresh_row
from agenta.core.tracing.annotations import AnnotationError, create_annotation, edit_annotation
from agenta.db import utcnow
from agenta.errors import AppError, Forbidden

MAX_NOTE = 10_000


@dataclass(frozen=True)
class ReviewInput:
    """What a reviewer submits: answers by evaluator slug, or a vote, and a note."""

    answers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    vote: str | None = None
    note: str | None = None
    channel: str = "api"


async def may_review(
    session: AsyncSession, queue: AnnotationQueue, item: QueueItem, user_id: uuid.UUID
) -> bool:
    """Whether ``user_id`` may (still) review ``item`` (see the module docstring)."""
    if await _review_of(session, item.id, user_id) is not None:
        return True
    if queue.assignment == OPEN:
        return item.review_count < queue.reviews_per_item
    assigned = await session.scalar(
        select(QueueAssignment.id).where(
            QueueAssignment.item_id == item.id, QueueAssignment.user_id == user_id
        )
    )
    return assigned is not None


async def submit_review(
    session: AsyncSession,
    queue: AnnotationQueue,
    item: QueueItem,
    user_id: uuid.UUID,
    data: ReviewInput,
) -> QueueReview:
    """Store (or replace) ``user_id``'s review of ``item`` and apply what follows from it."""
    if not await may_review(session, queue, item, user_id):
        raise Forbidden(f"item {item.position + 1} of {queue.name!r} is not yours to review")
    note = (data.note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise AppError(f"note: at most {MAX_NOTE} characters", status_code=422)
    review = await _review_of(session, item.id, user_id) or QueueReview(
        project_id=queue.project_id, queue_id=queue.id, item_id=item.id, user_id=user_id
    )
    if queue.kind == AB:
        _apply_vote(review, queue, item, user_id, data.vote)
    else:
        review.answers = _checked_answers(human_evaluators(queue), data.answers)
    review.note, review.updated_at = note, utcnow()
    session.add(review)
    await session.flush()
    item.review_count = await _count(session, item.id)
    if item.kind in (TRACE, SPAN) and queue.kind != AB:
        await _annotate(session, queue, item, review, user_id, data.channel)
    if item.kind == RUN_ROW:
        await refresh_row(session, queue, item)
    await session.flush()
    return review


async def reviews_of(session: AsyncSession, queue: AnnotationQueue) -> list[QueueReview]:
    """Every review of the queue, oldest first."""
    result = await session.scalars(
        select(QueueReview).where(QueueReview.queue_id == queue.id).order_by(QueueReview.id)
    )
    return list(result)


async def review_of(
    session: AsyncSession, item: QueueItem, user_id: uuid.UUID
) -> QueueReview | None:
    """``user_id``'s review of ``item``, if any."""
    return await _review_of(session, item.id, user_id)


def _checked_answers(
    evaluators: list[HumanEvaluator], answers: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    known = {evaluator.slug for evaluator in evaluators}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise AppError(
            f"answers: unknown evaluator {unknown[0]!r}; this queue asks {', '.join(known)}",
            status_code=422,
        )
    checked = {}
    for evaluator in evaluators:
        given = answers.get(evaluator.slug) or {}
        if not isinstance(given, Mapping):
            raise AppError(f"answers.{evaluator.slug} must be an object", status_code=422)
        try:
            checked[evaluator.slug] = check_answers(evaluator.fields, given)
        except FeedbackError as error:
            raise AppError(f"answers.{evaluator.slug}.{error}", status_code=422) from None
    return checked


def _apply_vote(
    review: QueueReview,
    queue: AnnotationQueue,
    item: QueueItem,
    user_id: uuid.UUID,
    shown_choice: str | None,
) -> None:
    swapped = b_shown_first(queue.id, item.id, user_id)
    try:
        review.vote = vote_of(str(shown_choice or ""), swapped)
    except ValueError as error:
        raise AppError(str(error), status_code=422) from None
    review.b_first = swapped


async def _annotate(
    session: AsyncSession,
    queue: AnnotationQueue,
    item: QueueItem,
    review: QueueReview,
    user_id: uuid.UUID,
    channel: str,
) -> None:
    """Write (or edit) one human annotation per evaluator on the reviewed trace or span."""
    written = {entry["evaluator"]: entry["trace_id"] for entry in review.annotation_trace_ids}
    for slug, answers in review.answers.items():
        outputs = {**answers, **({"comment": review.note} if review.note else {})}
        if not outputs:
            continue
        data = {"outputs": outputs}
        try:
            if slug in written:
                await edit_annotation(session, queue.project_id, written[slug], {"data": data})
                continue
            record = await create_annotation(
                session,
                queue.project_id,
                _annotation_fields(queue, item, slug, data, channel),
                actor_id=user_id,
            )
        except AnnotationError as error:
            raise AppError(f"could not annotate the trace: {error}") from None
        written[slug] = record["trace_id"]
    review.annotation_trace_ids = [{"evaluator": k, "trace_id": v} for k, v in written.items()]


def _annotation_fields(
    queue: AnnotationQueue, item: QueueItem, slug: str, data: dict[str, Any], channel: str
) -> dict[str, Any]:
    return {
        "data": data,
        "origin": "human",
        "kind": "eval",
        "channel": channel,
        "references": {"evaluator": {"slug": slug}},
        "links": {"invocation": {"trace_id": item.trace_id, "span_id": item.span_id}},
        "meta": {"queue_id": str(queue.id), "queue": queue.name, "item": item.position + 1},
    }


async def _review_of(
    session: AsyncSession, item_id: uuid.UUID, user_id: uuid.UUID
) -> QueueReview | None:
    return await session.scalar(
        select(QueueReview).where(QueueReview.item_id == item_id, QueueReview.user_id == user_id)
    )


async def _count(session: AsyncSession, item_id: uuid.UUID) -> int:
    found = await session.scalar(
        select(func.count(QueueReview.id)).where(QueueReview.item_id == item_id)
    )
    return int(found or 0)
