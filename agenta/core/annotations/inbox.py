"""An annotator's inbox and everyone's progress.

``inbox`` lists the items a person works through, in queue order, each marked reviewed or not:
in an assigned queue the items assigned to them; in an open queue every item they reviewed plus
every item that still needs reviews. ``Inbox.next_item`` is the first one they have not
reviewed; ``around`` gives the previous and next entries of one item, for moving back and
forth (the j/k keys).

``progress`` counts, per person, the reviews owed (assigned queues) and done, and for the queue
the items that have all their reviews.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.accounts.models import User
from agenta.core.annotations.models import (
    OPEN,
    AnnotationQueue,
    QueueAssignment,
    QueueItem,
    QueueReview,
)


@dataclass(frozen=True)
class InboxEntry:
    """One item of an inbox: its id, position and whether the person reviewed it."""

    item_id: uuid.UUID
    position: int
    reviewed: bool


@dataclass(frozen=True)
class Inbox:
    """The items one person works through, in queue order."""

    entries: tuple[InboxEntry, ...]

    @property
    def done(self) -> int:
        return sum(1 for entry in self.entries if entry.reviewed)

    @property
    def total(self) -> int:
        return len(self.entries)

    def next_item(self) -> uuid.UUID | None:
        """The first item not yet reviewed, or None when everything is done."""
        return next((e.item_id for e in self.entries if not e.reviewed), None)

    def index_of(self, item_id: uuid.UUID) -> int | None:
        return next((i for i, e in enumerate(self.entries) if e.item_id == item_id), None)

    def around(self, item_id: uuid.UUID) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        """The entries before and after ``item_id`` (None at the ends or when absent)."""
        index = self.index_of(item_id)
        if index is None:
            return None, None
        before = self.entries[index - 1].item_id if index > 0 else None
        after = self.entries[index + 1].item_id if index + 1 < len(self.entries) else None
        return before, after


@dataclass(frozen=True)
class AnnotatorProgress:
    """One person's work in a queue (``assigned`` is None in an open queue)."""

    user_id: uuid.UUID
    email: str
    name: str
    assigned: int | None
    done: int


@dataclass(frozen=True)
class QueueProgress:
    """How far a queue got: items with all their reviews, reviews done, per person."""

    items: int
    complete: int
    reviews_done: int
    reviews_wanted: int
    annotators: tuple[AnnotatorProgress, ...]


async def inbox(session: AsyncSession, queue: AnnotationQueue, user_id: uuid.UUID) -> Inbox:
    """``user_id``'s inbox in ``queue`` (see the module docstring)."""
    mine = set(
        await session.scalars(
            select(QueueReview.item_id).where(
                QueueReview.queue_id == queue.id, QueueReview.user_id == user_id
            )
        )
    )
    statement = select(QueueItem.id, QueueItem.position, QueueItem.review_count).where(
        QueueItem.queue_id == queue.id
    )
    if queue.assignment != OPEN:
        assigned = select(QueueAssignment.item_id).where(
            QueueAssignment.queue_id == queue.id, QueueAssignment.user_id == user_id
        )
        statement = statement.where(QueueItem.id.in_(assigned))
    rows = (await session.execute(statement.order_by(QueueItem.position))).all()
    entries = [
        InboxEntry(item_id, position, item_id in mine)
        for item_id, position, reviews in rows
        if item_id in mine or queue.assignment != OPEN or reviews < queue.reviews_per_item
    ]
    return Inbox(tuple(entries))


async def progress(session: AsyncSession, queue: AnnotationQueue) -> QueueProgress:
    """Per-person and overall progress of ``queue``."""
    done = dict(
        (
            await session.execute(
                select(QueueReview.user_id, func.count(QueueReview.id))
                .where(QueueReview.queue_id == queue.id)
                .group_by(QueueReview.user_id)
            )
        ).all()
    )
    owed = dict(
        (
            await session.execute(
                select(QueueAssignment.user_id, func.count(QueueAssignment.id))
                .where(QueueAssignment.queue_id == queue.id)
                .group_by(QueueAssignment.user_id)
            )
        ).all()
    )
    people = await _people(session, {*done, *owed})
    complete = await session.scalar(
        select(func.count(QueueItem.id)).where(
            QueueItem.queue_id == queue.id, QueueItem.review_count >= queue.reviews_per_item
        )
    )
    annotators = tuple(
        AnnotatorProgress(
            user_id=user_id,
            email=people.get(user_id, ("", ""))[0],
            name=people.get(user_id, ("", ""))[1],
            assigned=None if queue.assignment == OPEN else int(owed.get(user_id, 0)),
            done=int(done.get(user_id, 0)),
        )
        for user_id in sorted({*done, *owed}, key=lambda u: people.get(u, (str(u), ""))[0])
    )
    return QueueProgress(
        items=queue.item_count,
        complete=int(complete or 0),
        reviews_done=sum(int(count) for count in done.values()),
        reviews_wanted=queue.item_count * queue.reviews_per_item,
        annotators=annotators,
    )


async def _people(
    session: AsyncSession, user_ids: set[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str]]:
    if not user_ids:
        return {}
    rows = await session.execute(
        select(User.id, User.email, User.name).where(User.id.in_(list(user_ids)))
    )
    return {user_id: (email, name) for user_id, email, name in rows}
