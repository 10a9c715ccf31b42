"""What a queue's reviews add up to: per-question summaries with agreement, A/B tallies, and how an
automatic judge agrees with the humans.

- ``question_results``: for each question of each human evaluator, the number of answers, the
  mean (numeric questions), the count of each answer (categorical ones) and the agreement
  between reviewers (``agreement.summarise``: nominal for yes/no and choices, interval for
  scales and numbers; free text and labels have no agreement statistic).
- ``ab_results``: the tally of votes with its Wilson interval, overall and per reviewer, and the
  agreement between reviewers on the votes.
- ``judge_results``: for a queue over a run's rows, each automatic evaluator of the run against
  each numeric question: the judge's value per row against the mean human answer, binarised at
  0.5 for the judge and at the middle of the question's range for humans.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.annotations.ab import ABTally, tally
from agenta.core.annotations.agreement import (
    INTERVAL,
    NOMINAL,
    AgreementReport,
    JudgeAgreement,
    judge_agreement,
    summarise,
)
from agenta.core.annotations.feedback import (
    CATEGORICAL_KINDS,
    NUMERIC_KINDS,
    FeedbackField,
    FeedbackKind,
    HumanEvaluator,
    category_of,
    numeric_value,
)
from agenta.core.annotations.models import AnnotationQueue, QueueItem, QueueReview
from agenta.core.annotations.queues import human_evaluators
from agenta.core.annotations.run_scores import HUMAN_KEY
from agenta.core.evaluations.cells import run_cells
from agenta.core.evaluations.metrics import cell_value
from agenta.core.evaluations.plan import RunPlan
from agenta.core.evaluations.runs import get_run


@dataclass(frozen=True)
class QuestionResult:
    """One question's answers across the queue."""

    evaluator: HumanEvaluator
    question: FeedbackField
    answers: int
    mean: float | None
    counts: dict[str, int] = field(default_factory=dict)
    agreement: AgreementReport | None = None


@dataclass(frozen=True)
class ABResults:
    """A/B votes overall and per reviewer, and the reviewers' agreement."""

    overall: ABTally
    by_reviewer: dict[uuid.UUID, ABTally]
    agreement: AgreementReport


@dataclass(frozen=True)
class JudgeResult:
    """One automatic evaluator of the run against one human question."""

    judge: str
    question: str
    agreement: JudgeAgreement


def question_results(
    queue: AnnotationQueue, reviews: Sequence[QueueReview]
) -> list[QuestionResult]:
    """A summary of every question (see the module docstring)."""
    return [
        _question(evaluator, question, reviews)
        for evaluator in human_evaluators(queue)
        for question in evaluator.fields
    ]


def ab_results(reviews: Sequence[QueueReview]) -> ABResults:
    """The votes' tally overall and per reviewer, and their agreement."""
    votes = [review for review in reviews if review.vote]
    per_person: dict[uuid.UUID, list[str]] = defaultdict(list)
    per_item: dict[uuid.UUID, dict[uuid.UUID, str]] = defaultdict(dict)
    for review in votes:
        assert review.vote is not None
        per_person[review.user_id].append(review.vote)
        per_item[review.item_id][review.user_id] = review.vote
    return ABResults(
        overall=tally(review.vote for review in votes if review.vote),
        by_reviewer={person: tally(found) for person, found in per_person.items()},
        agreement=summarise(per_item, NOMINAL),
    )


async def judge_results(
    session: AsyncSession,
    queue: AnnotationQueue,
    items: Sequence[QueueItem],
    reviews: Sequence[QueueReview],
) -> list[JudgeResult]:
    """Each automatic evaluator of the queue's run against each numeric question."""
    if queue.source.get("type") != "run":
        return []
    run = await get_run(session, queue.project_id, uuid.UUID(queue.source["run_id"]))
    plan = RunPlan.from_config(run.config)
    revision_id = uuid.UUID(queue.source["revision_id"])
    judges = [step for step in plan.evaluators if step.key != HUMAN_KEY]
    cells = [c for c in await run_cells(session, [run.id]) if c.revision_id == revision_id]
    rows = {item.id: item.row_index for item in items}
    results = []
    for evaluator in human_evaluators(queue):
        for question in evaluator.fields:
            if question.kind not in NUMERIC_KINDS:
                continue
            human = _human_means(reviews, evaluator, question, rows)
            for judge in judges:
                judged = _judge_means(cells, judge.revision_id)
                shared = sorted(set(human) & set(judged))
                found = judge_agreement(
                    [judged[row] for row in shared],
                    [human[row] for row in shared],
                    human_threshold=_middle(question),
                )
                results.append(
                    JudgeResult(judge.label, f"{evaluator.name}: {question.title}", found)
                )
    return results


def _question(
    evaluator: HumanEvaluator, question: FeedbackField, reviews: Sequence[QueueReview]
) -> QuestionResult:
    answers = {
        (review.item_id, review.user_id): value
        for review in reviews
        if (value := (review.answers.get(evaluator.slug) or {}).get(question.name)) is not None
    }
    numbers = [n for v in answers.values() if (n := numeric_value(question, v)) is not None]
    return QuestionResult(
        evaluator=evaluator,
        question=question,
        answers=len(answers),
        mean=sum(numbers) / len(numbers) if numbers else None,
        counts=_counts(question, list(answers.values())),
        agreement=_agreement(question, answers),
    )


def _counts(question: FeedbackField, values: list[Any]) -> dict[str, int]:
    if question.kind is FeedbackKind.LABELS:
        found = Counter(label for value in values for label in value)
        return {label: found[label] for label in question.choices}
    if question.kind not in CATEGORICAL_KINDS:
        return {}
    found = Counter(category_of(question, value) for value in values)
    options = ["yes", "no"] if question.kind is FeedbackKind.BOOLEAN else list(question.options)
    return {option: found[option] for option in options}


def _agreement(
    question: FeedbackField, answers: dict[tuple[uuid.UUID, uuid.UUID], Any]
) -> AgreementReport | None:
    interval = question.kind in (FeedbackKind.SCALE, FeedbackKind.NUMBER)
    if not interval and question.kind not in CATEGORICAL_KINDS:
        return None
    ratings: dict[uuid.UUID, dict[uuid.UUID, Any]] = defaultdict(dict)
    for (item_id, user_id), value in answers.items():
        ratings[item_id][user_id] = (
            numeric_value(question, value) if interval else category_of(question, value)
        )
    return summarise(ratings, INTERVAL if interval else NOMINAL)


def _human_means(
    reviews: Sequence[QueueReview],
    evaluator: HumanEvaluator,
    question: FeedbackField,
    rows: dict[uuid.UUID, int | None],
) -> dict[int, float]:
    values: dict[int, list[float]] = defaultdict(list)
    for review in reviews:
        row = rows.get(review.item_id)
        answer = (review.answers.get(evaluator.slug) or {}).get(question.name)
        number = numeric_value(question, answer)
        if row is not None and number is not None:
            values[row].append(number)
    return {row: sum(found) / len(found) for row, found in values.items()}


def _judge_means(cells: Sequence[Any], evaluator_id: uuid.UUID) -> dict[int, float]:
    values: dict[int, list[float]] = defaultdict(list)
    for cell in cells:
        if cell.evaluator_id == evaluator_id and (value := cell_value(cell)) is not None:
            values[cell.row_index].append(value)
    return {row: sum(found) / len(found) for row, found in values.items()}


def _middle(question: FeedbackField) -> float:
    if question.minimum is not None and question.maximum is not None:
        return (question.minimum + question.maximum) / 2
    return 0.5
