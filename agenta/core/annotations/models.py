"""Tables of annotation queues: queues, their items, who is assigned what, and the reviews.

- ``annotation_queues``: a work list. ``kind`` is ``review`` (score each item with the queue's
  human evaluators, kept as JSON feedback schemas in ``evaluators``) or ``ab`` (choose the better
  of two outputs). ``reviews_per_item`` is how many different people review each item;
  ``assignment`` is ``open`` (anyone allowed takes the next item), ``round_robin`` (items are
  dealt to ``annotators`` in turn) or ``explicit`` (``annotators`` lists, per review round, who
  reviews in that round). ``source`` records where the items came from (a trace filter, a run,
  two runs for A/B), so pages can link back.
- ``annotation_queue_items``: what is reviewed, numbered from 0: a trace or span (by id), a row
  of an evaluation run, a test case, or a pair of outputs. ``content`` is a snapshot of what the
  annotator is shown (inputs, output(s), reference), taken when the item is added, so a queue
  reads the same after the trace is deleted by retention or the test set is edited.
- ``annotation_assignments``: (item, user) pairs; one row per review owed.
- ``annotation_reviews``: one person's review of one item (unique per item and user, so a second
  submission edits the first): ``answers`` by evaluator slug then field, or an A/B ``vote``
  (``a``, ``b`` or ``tie``, already mapped back from the shown order), a ``note``, and the ids of
  the annotation traces written for it on the reviewed trace.

Ids of other features' rows (traces, runs, test cases) carry no foreign key: those tables live on
other migration branches, and a queue keeps its history when they go.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agenta.db import Actors, Base, IdMixin, ProjectScoped, Timestamps, utcnow

REVIEW = "review"
AB = "ab"
QUEUE_KINDS = (REVIEW, AB)

OPEN = "open"
ROUND_ROBIN = "round_robin"
EXPLICIT = "explicit"
ASSIGNMENTS = (OPEN, ROUND_ROBIN, EXPLICIT)

TRACE = "trace"
SPAN = "span"
RUN_ROW = "run_row"
TESTCASE = "testcase"
AB_PAIR = "ab_pair"
ITEM_KINDS = (TRACE, SPAN, RUN_ROW, TESTCASE, AB_PAIR)


class AnnotationQueue(IdMixin, ProjectScoped, Timestamps, Actors, Base):
    """A work list of items for people to review."""

    __tablename__ = "annotation_queues"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    kind: Mapped[str] = mapped_column(String(20), default=REVIEW)
    evaluators: Mapped[list[Any]] = mapped_column(default=list)
    reviews_per_item: Mapped[int] = mapped_column(Integer, default=1)
    assignment: Mapped[str] = mapped_column(String(20), default=OPEN)
    annotators: Mapped[list[Any]] = mapped_column(default=list)
    source: Mapped[dict[str, Any]] = mapped_column(default=dict)
    item_count: Mapped[int] = mapped_column(Integer, default=0)


class QueueItem(IdMixin, ProjectScoped, Base):
    """Item ``position`` of a queue and the snapshot shown to annotators."""

    __tablename__ = "annotation_queue_items"
    __table_args__ = (UniqueConstraint("queue_id", "position"),)

    queue_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("annotation_queues.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    trace_id: Mapped[str | None] = mapped_column(String(32), default=None)
    span_id: Mapped[str | None] = mapped_column(String(16), default=None)
    run_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    row_index: Mapped[int | None] = mapped_column(Integer, default=None)
    testcase_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QueueAssignment(IdMixin, Base):
    """One review owed: ``user_id`` is to review ``item_id``."""

    __tablename__ = "annotation_assignments"
    __table_args__ = (
        UniqueConstraint("item_id", "user_id"),
        Index("ix_annotation_assignments_queue_user", "queue_id", "user_id"),
    )

    queue_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("annotation_queues.id", ondelete="CASCADE")
    )
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("annotation_queue_items.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QueueReview(IdMixin, ProjectScoped, Base):
    """One person's review of one item (a later submission replaces it)."""

    __tablename__ = "annotation_reviews"
    __table_args__ = (
        UniqueConstraint("item_id", "user_id"),
        Index("ix_annotation_reviews_queue_user", "queue_id", "user_id"),
    )

    queue_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("annotation_queues.id", ondelete="CASCADE")
    )
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("annotation_queue_items.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    vote: Mapped[str | None] = mapped_column(String(10), default=None)
    b_first: Mapped[bool | None] = mapped_column(default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    annotation_trace_ids: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
