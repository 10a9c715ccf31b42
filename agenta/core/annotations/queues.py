"""Annotation queues: creating them, finding them, and adding items with their assignments.

``create_queue`` checks a ``QueueInput`` as a whole: a name, the human evaluators (feedback
schemas; a review queue without any gets the "Quality rating" yes/no question), the number of
reviews per item, and the assignment plan, whose annotators must be members of the project's
organization whose role may annotate. ``add_items`` numbers new items after the existing ones
and writes the assignments of each (see ``assignment``); it is how every source (a trace
filter, a run, two runs) fills a queue.

Every function takes the caller's session and project; nothing here commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.permissions import Permission, permissions_of
from agenta.core.accounts.members import list_members
from agenta.core.annotations.assignment import AssignmentError, assignees, check_plan
from agenta.core.annotations.feedback import (
    QUALITY_RATING,
    FeedbackError,
    HumanEvaluator,
    parse_evaluator,
)
from agenta.core.annotations.models import (
    AB,
    AB_PAIR,
    EXPLICIT,
    ITEM_KINDS,
    OPEN,
    QUEUE_KINDS,
    REVIEW,
    AnnotationQueue,
    QueueAssignment,
    QueueItem,
)
from agenta.db import utcnow
from agenta.errors import AppError, NotFound

MAX_ITEMS_PER_CALL = 5000
MAX_EVALUATORS = 5


@dataclass(frozen=True)
class QueueInput:
    """What a caller asks for when creating a queue."""

    name: str
    kind: str = REVIEW
    description: str | None = None
    evaluators: Sequence[Any] = ()
    reviews_per_item: int = 1
    assignment: str = OPEN
    annotators: Sequence[Any] = ()
    source: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemInput:
    """One item to add: what it points at and the snapshot annotators see."""

    kind: str
    content: dict[str, Any]
    trace_id: str | None = None
    span_id: str | None = None
    run_id: uuid.UUID | None = None
    row_index: int | None = None
    testcase_id: uuid.UUID | None = None


async def create_queue(
    session: AsyncSession,
    project_id: uuid.UUID,
    organization_id: uuid.UUID,
    data: QueueInput,
    actor_id: uuid.UUID | None,
) -> AnnotationQueue:
    """A new, empty queue (see the module docstring for the checks)."""
    name = data.name.strip()
    if not name:
        raise AppError("Invalid queue: name: a queue needs a name", status_code=422)
    if data.kind not in QUEUE_KINDS:
        raise AppError(
            f"Invalid queue: kind must be one of {', '.join(QUEUE_KINDS)}", status_code=422
        )
    evaluators = _evaluators(data)
    annotators = _annotators(data)
    try:
        check_plan(data.assignment, annotators, data.reviews_per_item)
    except AssignmentError as error:
        raise AppError(f"Invalid queue: {error}", status_code=422) from None
    await _check_members(session, organization_id, annotators, data.assignment)
    queue = AnnotationQueue(
        project_id=project_id,
        name=name[:200],
        description=(data.description or "").strip() or None,
        kind=data.kind,
        evaluators=[evaluator.to_json() for evaluator in evaluators],
        reviews_per_item=data.reviews_per_item,
        assignment=data.assignment,
        annotators=annotators,
        source=dict(data.source),
        created_by_id=actor_id,
    )
    session.add(queue)
    await session.flush()
    return queue


def human_evaluators(queue: AnnotationQueue) -> list[HumanEvaluator]:
    """The queue's questions, as stored when it was created."""
    return [parse_evaluator(item) for item in queue.evaluators]


async def get_queue(
    session: AsyncSession, project_id: uuid.UUID, queue_id: uuid.UUID
) -> AnnotationQueue:
    """The project's queue ``queue_id``, or a 404."""
    queue = await session.scalar(
        select(AnnotationQueue).where(
            AnnotationQueue.id == queue_id,
            AnnotationQueue.project_id == project_id,
            AnnotationQueue.deleted_at.is_(None),
        )
    )
    if queue is None:
        raise NotFound(f"no annotation queue {queue_id} in this project")
    return queue


async def list_queues(session: AsyncSession, project_id: uuid.UUID) -> list[AnnotationQueue]:
    """The project's queues, newest first."""
    result = await session.scalars(
        select(AnnotationQueue)
        .where(AnnotationQueue.project_id == project_id, AnnotationQueue.deleted_at.is_(None))
        .order_by(AnnotationQueue.id.desc())
    )
    return list(result)


async def delete_queue(
    session: AsyncSession, queue: AnnotationQueue, actor_id: uuid.UUID | None
) -> None:
    """Hide a queue (its reviews and the annotations they wrote stay)."""
    queue.deleted_at, queue.deleted_by_id = utcnow(), actor_id
    await session.flush()


async def get_item(session: AsyncSession, queue: AnnotationQueue, item_id: uuid.UUID) -> QueueItem:
    """Item ``item_id`` of the queue, or a 404."""
    item = await session.scalar(
        select(QueueItem).where(QueueItem.id == item_id, QueueItem.queue_id == queue.id)
    )
    if item is None:
        raise NotFound(f"no item {item_id} in queue {queue.name!r}")
    return item


async def list_items(session: AsyncSession, queue: AnnotationQueue) -> list[QueueItem]:
    """Every item of the queue, in order."""
    result = await session.scalars(
        select(QueueItem).where(QueueItem.queue_id == queue.id).order_by(QueueItem.position)
    )
    return list(result)


async def add_items(
    session: AsyncSession, queue: AnnotationQueue, items: Sequence[ItemInput]
) -> list[QueueItem]:
    """Append ``items`` (numbered after the existing ones) with their assignments."""
    if len(items) > MAX_ITEMS_PER_CALL:
        raise AppError(f"add at most {MAX_ITEMS_PER_CALL} items at a time, got {len(items)}")
    for item in items:
        if item.kind not in ITEM_KINDS:
            raise AppError(f"item kind must be one of {', '.join(ITEM_KINDS)}, got {item.kind!r}")
        if (item.kind == AB_PAIR) != (queue.kind == AB):
            raise AppError(f"a {queue.kind} queue cannot hold {item.kind} items")
    start = await _next_position(session, queue.id)
    created = [_item(queue, start + offset, item) for offset, item in enumerate(items)]
    session.add_all(created)
    await session.flush()
    for item in created:
        for user_id in assignees(
            queue.assignment, queue.annotators, queue.reviews_per_item, item.position
        ):
            session.add(QueueAssignment(queue_id=queue.id, item_id=item.id, user_id=user_id))
    queue.item_count = start + len(created)
    await session.flush()
    return created


def _item(queue: AnnotationQueue, position: int, data: ItemInput) -> QueueItem:
    return QueueItem(
        project_id=queue.project_id,
        queue_id=queue.id,
        position=position,
        kind=data.kind,
        trace_id=data.trace_id,
        span_id=data.span_id,
        run_id=data.run_id,
        row_index=data.row_index,
        testcase_id=data.testcase_id,
        content=data.content,
    )


async def _next_position(session: AsyncSession, queue_id: uuid.UUID) -> int:
    found = await session.scalar(
        select(func.max(QueueItem.position)).where(QueueItem.queue_id == queue_id)
    )
    return 0 if found is None else int(found) + 1


def _evaluators(data: QueueInput) -> list[HumanEvaluator]:
    if data.kind == AB:
        return []
    given = list(data.evaluators) or [QUALITY_RATING.to_json()]
    if len(given) > MAX_EVALUATORS:
        raise AppError(f"Invalid queue: at most {MAX_EVALUATORS} evaluators", status_code=422)
    try:
        found = [parse_evaluator(item, f"evaluators[{i}]") for i, item in enumerate(given)]
    except FeedbackError as error:
        raise AppError(f"Invalid queue: {error}", status_code=422) from None
    if len({evaluator.slug for evaluator in found}) != len(found):
        raise AppError("Invalid queue: an evaluator slug is used twice", status_code=422)
    return found


def _annotators(data: QueueInput) -> list[Any]:
    """The annotators as JSON: user id strings, or lists of them per round."""
    if data.assignment == EXPLICIT:
        return [[str(person) for person in _listed(group)] for group in data.annotators]
    return [str(person) for person in data.annotators]


def _listed(group: Any) -> list[Any]:
    return list(group) if isinstance(group, list | tuple) else [group]


async def _check_members(
    session: AsyncSession, organization_id: uuid.UUID, annotators: list[Any], mode: str
) -> None:
    people = [p for group in annotators for p in _listed(group)] if mode == EXPLICIT else annotators
    if not people:
        return
    roles = {str(m.user_id): m.role for m in await list_members(session, organization_id)}
    for person in people:
        role = roles.get(str(person))
        if role is None:
            raise AppError(f"Invalid queue: annotator {person} is not a member", status_code=422)
        if Permission.EDIT_ANNOTATIONS not in permissions_of(role):
            raise AppError(
                f"Invalid queue: annotator {person} is a {role}, who may not annotate",
                status_code=422,
            )
