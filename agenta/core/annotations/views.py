"""JSON shapes of queues, items, reviews, progress and results, as the API answers them.

An A/B item is always shown from the caller's seat: its two outputs come as ``first`` and
``second`` in the order that person is shown them, never labelled A or B, so reading the API
reveals no more than the page does. Results name the sides, since they are aggregates.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from agenta.core.annotations.ab import ABTally, b_shown_first
from agenta.core.annotations.agreement import AgreementReport
from agenta.core.annotations.inbox import QueueProgress
from agenta.core.annotations.models import AB_PAIR, AnnotationQueue, QueueItem, QueueReview
from agenta.core.annotations.results import ABResults, JudgeResult, QuestionResult

_HIDDEN = ("output_a", "output_b", "trace_a", "trace_b")


def queue_record(queue: AnnotationQueue, progress: QueueProgress | None = None) -> dict[str, Any]:
    """A queue with its set-up (and its progress when given)."""
    record: dict[str, Any] = {
        "id": str(queue.id),
        "name": queue.name,
        "description": queue.description,
        "kind": queue.kind,
        "evaluators": queue.evaluators,
        "reviews_per_item": queue.reviews_per_item,
        "assignment": queue.assignment,
        "annotators": queue.annotators,
        "source": queue.source,
        "items": queue.item_count,
        "created_at": queue.created_at.isoformat(),
        "created_by_id": str(queue.created_by_id) if queue.created_by_id else None,
    }
    if progress is not None:
        record["progress"] = progress_record(progress)
    return record


def progress_record(progress: QueueProgress) -> dict[str, Any]:
    return {
        "items": progress.items,
        "complete": progress.complete,
        "reviews_done": progress.reviews_done,
        "reviews_wanted": progress.reviews_wanted,
        "annotators": [
            {
                "user_id": str(person.user_id),
                "email": person.email,
                "assigned": person.assigned,
                "done": person.done,
            }
            for person in progress.annotators
        ],
    }


def item_record(item: QueueItem, viewer_id: uuid.UUID | None) -> dict[str, Any]:
    """An item as ``viewer_id`` may see it (see the module docstring)."""
    content = dict(item.content)
    if item.kind == AB_PAIR:
        content = shown_pair(item, viewer_id)
    return {
        "id": str(item.id),
        "position": item.position,
        "kind": item.kind,
        "trace_id": item.trace_id if item.kind != AB_PAIR else None,
        "span_id": item.span_id,
        "run_id": str(item.run_id) if item.run_id else None,
        "row_index": item.row_index,
        "testcase_id": str(item.testcase_id) if item.testcase_id else None,
        "reviews": item.review_count,
        "content": content,
    }


def shown_pair(item: QueueItem, viewer_id: uuid.UUID | None) -> dict[str, Any]:
    """An A/B item's content with its outputs as ``first`` and ``second`` for ``viewer_id``."""
    content = {key: value for key, value in item.content.items() if key not in _HIDDEN}
    swapped = b_shown_first(item.queue_id, item.id, viewer_id)
    first, second = ("output_b", "output_a") if swapped else ("output_a", "output_b")
    content["first"], content["second"] = item.content.get(first), item.content.get(second)
    return content


def review_record(review: QueueReview) -> dict[str, Any]:
    return {
        "id": str(review.id),
        "item_id": str(review.item_id),
        "user_id": str(review.user_id),
        "answers": review.answers,
        "vote": review.vote,
        "note": review.note,
        "annotations": review.annotation_trace_ids,
        "updated_at": review.updated_at.isoformat(),
    }


def agreement_record(report: AgreementReport | None) -> dict[str, Any] | None:
    return asdict(report) if report is not None else None


def question_record(result: QuestionResult) -> dict[str, Any]:
    return {
        "evaluator": result.evaluator.slug,
        "question": result.question.name,
        "kind": result.question.kind.value,
        "answers": result.answers,
        "mean": result.mean,
        "counts": result.counts,
        "agreement": agreement_record(result.agreement),
    }


def tally_record(found: ABTally) -> dict[str, Any]:
    return {
        "a": found.a,
        "b": found.b,
        "ties": found.ties,
        "total": found.total,
        "win_rate_a": found.win_rate_a,
        "interval": [found.low, found.high] if found.low is not None else None,
        "confidence": found.confidence,
        "verdict": found.verdict,
    }


def ab_record(results: ABResults, source: dict[str, Any]) -> dict[str, Any]:
    return {
        "a": source.get("a"),
        "b": source.get("b"),
        "overall": tally_record(results.overall),
        "by_reviewer": {str(k): tally_record(v) for k, v in results.by_reviewer.items()},
        "agreement": agreement_record(results.agreement),
    }


def judge_record(result: JudgeResult) -> dict[str, Any]:
    return {"judge": result.judge, "question": result.question, **asdict(result.agreement)}
