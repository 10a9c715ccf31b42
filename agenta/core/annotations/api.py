"""REST API of annotation queues (``/api/annotations/queues``).

- ``POST /api/annotations/queues``: create a queue, with its first items when ``source`` is
  given (see ``creation`` for sources);
- ``GET /api/annotations/queues``: the project's queues;
- ``GET /api/annotations/queues/{id}``: one queue with its progress; ``DELETE`` hides it;
- ``POST /api/annotations/queues/{id}/items``: add items from a source;
- ``GET /api/annotations/queues/{id}/items``: the items (A/B outputs as the caller sees them);
- ``GET /api/annotations/queues/{id}/next``: the caller's next item (``{"item": null}`` when
  done), with their inbox counts;
- ``POST /api/annotations/queues/{id}/items/{item}/review``: submit or change a review:
  ``{"answers": {<evaluator slug>: {<field>: value}}, "note"}`` or, in an A/B queue,
  ``{"vote": "first"|"second"|"tie", "note"}`` (the position shown by ``next``);
- ``GET /api/annotations/queues/{id}/results``: per-question summaries with agreement, A/B
  tallies, judge-versus-human agreement and the reviews.

Reading needs ``view_annotations``; everything else ``edit_annotations`` (reviewing a run also
``edit_evaluation_runs``, checked where it applies).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.annotations import creation, queues, results
from agenta.core.annotations.inbox import inbox, progress
from agenta.core.annotations.models import AB
from agenta.core.annotations.queues import QueueInput
from agenta.core.annotations.reviews import ReviewInput, reviews_of, submit_review
from agenta.core.annotations.views import (
    ab_record,
    item_record,
    judge_record,
    question_record,
    queue_record,
    review_record,
)
from agenta.errors import AppError

VIEW = [requires(Permission.VIEW_ANNOTATIONS)]
EDIT = [requires(Permission.EDIT_ANNOTATIONS)]
TAGS = ["annotations"]
BASE = "/api/annotations/queues"
ONE = BASE + "/{queue_id:uuid}"


@post(BASE, guards=EDIT, tags=TAGS, status_code=201)
async def create_annotation_queue(
    data: JSONBody[dict[str, Any]],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """A new queue, filled from ``source`` when given."""
    source = creation.parse_source(data["source"]) if data.get("source") else None
    queue, _ = await creation.create_with_items(db_session, principal, queue_input(data), source)
    return queue_record(queue, await progress(db_session, queue))


@get(BASE, guards=VIEW, tags=TAGS)
async def list_annotation_queues(
    principal: NamedDependency[Principal], db_session: NamedDependency[AsyncSession]
) -> dict[str, Any]:
    """The project's queues, newest first."""
    found = await queues.list_queues(db_session, principal.project_id)
    return {"count": len(found), "queues": [queue_record(queue) for queue in found]}


@get(ONE, guards=VIEW, tags=TAGS)
async def read_annotation_queue(
    queue_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """One queue with its progress."""
    queue = await queues.get_queue(db_session, principal.project_id, queue_id)
    return queue_record(queue, await progress(db_session, queue))


@delete(ONE, guards=EDIT, tags=TAGS)
async def delete_annotation_queue(
    queue_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> None:
    """Hide a queue (reviews and the annotations they wrote stay)."""
    queue = await queues.get_queue(db_session, principal.project_id, queue_id)
    await queues.delete_queue(db_session, queue, principal.user_id)


@post(ONE + "/items", guards=EDIT, tags=TAGS, status_code=201)
async def add_annotation_queue_items(
    queue_id: FromPath[uuid.UUID],
    data: JSONBody[dict[str, Any]],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Add the items of ``source`` to the queue."""
    queue = await queues.get_queue(db_session, principal.project_id, queue_id)
    added = await creation.add_from(
        db_session, principal, queue, creation.parse_source(data.get("source"))
    )
    return {"count": len(added), "items": [item_record(i, principal.user_id) for i in added]}


@get(ONE + "/items", guards=VIEW, tags=TAGS)
async def list_annotation_queue_items(
    queue_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Every item of the queue, in order."""
    queue = await queues.get_queue(db_session, principal.project_id, queue_id)
    found = await queues.list_items(db_session, queue)
    return {"count": len(found), "items": [item_record(i, principal.user_id) for i in found]}


@get(ONE + "/next", guards=EDIT, tags=TAGS)
async def next_annotation_queue_item(
    queue_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """The caller's next item to review, and how far they are."""
    queue = await queues.get_queue(db_session, principal.project_id, queue_id)
    mine = await inbox(db_session, queue, _user(principal))
    next_id = mine.next_item()
    item = await queues.get_item(db_session, queue, next_id) if next_id else None
    return {
        "item": item_record(item, principal.user_id) if item else None,
        "done": mine.done,
        "total": mine.total,
    }


@post(ONE + "/items/{queue_item_id:uuid}/review", guards=EDIT, tags=TAGS, status_code=200)
async def review_annotation_queue_item(
    queue_id: FromPath[uuid.UUID],
    queue_item_id: FromPath[uuid.UUID],
    data: JSONBody[dict[str, Any]],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Submit (or change) the caller's review of one item."""
    queue = await queues.get_queue(db_session, principal.project_id, queue_id)
    item = await queues.get_item(db_session, queue, queue_item_id)
    review = await submit_review(db_session, queue, item, _user(principal), review_input(data))
    return review_record(review)


@get(ONE + "/results", guards=VIEW, tags=TAGS)
async def annotation_queue_results(
    queue_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """What the reviews add up to, with agreement."""
    queue = await queues.get_queue(db_session, principal.project_id, queue_id)
    found = await reviews_of(db_session, queue)
    record: dict[str, Any] = {
        "queue": queue_record(queue, await progress(db_session, queue)),
        "reviews": [review_record(review) for review in found],
    }
    if queue.kind == AB:
        record["ab"] = ab_record(results.ab_results(found), queue.source)
        return record
    items = await queues.list_items(db_session, queue)
    record["questions"] = [question_record(r) for r in results.question_results(queue, found)]
    judged = await results.judge_results(db_session, queue, items, found)
    record["judges"] = [judge_record(result) for result in judged]
    return record


def queue_input(data: dict[str, Any]) -> QueueInput:
    """The queue part of a create request; wrong types are a 422 naming the field."""
    evaluators = data.get("evaluators") or []
    annotators = data.get("annotators") or []
    if not isinstance(evaluators, list) or not isinstance(annotators, list):
        raise AppError("Invalid queue: evaluators and annotators must be lists", status_code=422)
    reviews = data.get("reviews_per_item", 1)
    if isinstance(reviews, bool) or not isinstance(reviews, int):
        raise AppError("Invalid queue: reviews_per_item must be a whole number", status_code=422)
    return QueueInput(
        name=str(data.get("name") or ""),
        kind=str(data.get("kind") or "review"),
        description=data.get("description"),
        evaluators=evaluators,
        reviews_per_item=reviews,
        assignment=str(data.get("assignment") or "open"),
        annotators=annotators,
    )


def review_input(data: dict[str, Any], channel: str = "api") -> ReviewInput:
    """A review request's parts; wrong types are a 422 naming the field."""
    answers = data.get("answers") or {}
    if not isinstance(answers, dict):
        raise AppError("answers must be an object of evaluator slug to answers", status_code=422)
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        raise AppError("note must be text", status_code=422)
    vote = data.get("vote")
    return ReviewInput(
        answers=answers, vote=str(vote) if vote else None, note=note, channel=channel
    )


def _user(principal: Principal) -> uuid.UUID:
    if principal.user_id is None:
        raise AppError(
            "reviews are made by people: use a user's session or API key", status_code=403
        )
    return principal.user_id


ROUTES = [
    create_annotation_queue,
    list_annotation_queues,
    read_annotation_queue,
    delete_annotation_queue,
    add_annotation_queue_items,
    list_annotation_queue_items,
    next_annotation_queue_item,
    review_annotation_queue_item,
    annotation_queue_results,
]
