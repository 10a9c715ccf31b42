"""Who reviews which item: open queues, round-robin dealing and explicit rounds.

- ``open``: nobody is assigned; any member allowed to annotate takes the next item that still
  needs reviews and that they have not reviewed.
- ``round_robin``: the item at position p gets ``reviews`` annotators, the ones at slots
  ``p * reviews + r`` (r from 0) of the list, wrapping around. Slots follow positions, not a
  counter, so items added later continue the rotation and the load stays even; an item never
  gets the same person twice as long as ``reviews`` is at most the number of annotators.
- ``explicit``: one list of people per review round (as the original product's queue
  ``assignments``); in round r the item at position p goes to ``rounds[r][p % len(rounds[r])]``.
  A person may be in one round only, so no item is given to the same person twice.

``check_plan`` validates a queue's set-up; ``assignees`` answers who reviews one item.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from agenta.core.annotations.models import ASSIGNMENTS, EXPLICIT, OPEN, ROUND_ROBIN

MAX_REVIEWS = 10
MAX_ANNOTATORS = 200


class AssignmentError(ValueError):
    """A queue's assignment set-up cannot work; the message says why."""


def check_plan(mode: str, annotators: Sequence[object], reviews: int) -> None:
    """Refuse set-ups that could not give each item ``reviews`` different people."""
    if mode not in ASSIGNMENTS:
        raise AssignmentError(f"assignment must be one of {', '.join(ASSIGNMENTS)}, got {mode!r}")
    if not 1 <= reviews <= MAX_REVIEWS:
        raise AssignmentError(f"reviews_per_item must be from 1 to {MAX_REVIEWS}, got {reviews}")
    if mode == ROUND_ROBIN:
        _check_round_robin(annotators, reviews)
    elif mode == EXPLICIT:
        _check_rounds(annotators, reviews)


def assignees(
    mode: str, annotators: Sequence[object], reviews: int, position: int
) -> list[uuid.UUID]:
    """The people who review the item at ``position`` (none in an open queue)."""
    if mode == OPEN:
        return []
    if mode == ROUND_ROBIN:
        people = [_uuid(person) for person in annotators]
        return [people[(position * reviews + r) % len(people)] for r in range(reviews)]
    rounds = [[_uuid(person) for person in group] for group in annotators]  # type: ignore[union-attr]
    return [group[position % len(group)] for group in rounds]


def _check_round_robin(annotators: Sequence[object], reviews: int) -> None:
    people = [_uuid(person) for person in annotators]
    if not people:
        raise AssignmentError("round_robin needs at least one annotator")
    if len(people) > MAX_ANNOTATORS:
        raise AssignmentError(f"at most {MAX_ANNOTATORS} annotators")
    if len(set(people)) != len(people):
        raise AssignmentError("an annotator is listed twice")
    if reviews > len(people):
        raise AssignmentError(
            f"{reviews} reviews per item need at least {reviews} annotators, got {len(people)}"
        )


def _check_rounds(annotators: Sequence[object], reviews: int) -> None:
    if len(annotators) != reviews:
        raise AssignmentError(
            f"explicit assignment needs one list of annotators per review round: "
            f"{reviews} rounds, got {len(annotators)} lists"
        )
    seen: set[uuid.UUID] = set()
    for index, group in enumerate(annotators):
        if not isinstance(group, list | tuple) or not group:
            raise AssignmentError(f"annotators[{index}] must be a non-empty list of user ids")
        people = {_uuid(person) for person in group}
        if people & seen or len(people) != len(group):
            raise AssignmentError(
                f"annotators[{index}]: a person may be in one review round only, once"
            )
        seen |= people


def _uuid(value: object) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise AssignmentError(f"annotators must be user ids, got {value!r}") from None
