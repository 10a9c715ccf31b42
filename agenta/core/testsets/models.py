"""Tables of test sets: the set itself, its revisions, its stored rows and editing drafts.

Storage is content-addressed so that a 100,000-row test set stays cheap to version:

* ``testcases`` holds each distinct row of a test set once, under its content id
  (``identity.testcase_id``). A commit that changes one cell adds one ``testcases`` row.
* ``testset_revisions`` describes a revision: version number (from 1, per test set), message,
  author, ordered column list, expected-answer column and row count. Revisions never change.
* ``testset_revision_rows`` is the ordered list of test case ids of a revision, keyed by
  ``(revision_id, position)``, so a page of a large revision is an indexed range query and an
  export walks it in position order. Identical rows share one id and take two positions.
* ``testset_drafts`` keeps a user's uncommitted editor changes against a base revision.

Only ``testsets`` and ``testset_revisions`` carry ``project_id``; test cases and revision rows
belong to them through cascading foreign keys, which keeps the two big tables narrow.
``testset_revision_rows.testcase_id`` has no foreign key on purpose: Postgres would need a
second index on that column to check it on every delete, and the service writes both tables in
one transaction. ``testsets.head_version`` is the latest version number; bumping it is how a
commit takes the lock that serialises concurrent commits to one test set.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agenta.db import Actors, Base, IdMixin, ProjectScoped, Timestamps, utcnow

DEFAULT_ANSWER_COLUMN = "correct_answer"
SLUG_MAX_LENGTH = 200
NAME_MAX_LENGTH = 300


class Testset(IdMixin, ProjectScoped, Timestamps, Actors, Base):
    """A test set; ``deleted_at`` marks it archived (it still resolves by id)."""

    __tablename__ = "testsets"
    __table_args__ = (UniqueConstraint("project_id", "slug"),)
    __test__ = False

    slug: Mapped[str] = mapped_column(String(SLUG_MAX_LENGTH))
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    flags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    head_version: Mapped[int] = mapped_column(Integer, default=0)


class TestsetRevision(IdMixin, ProjectScoped, Base):
    """One immutable version of a test set's rows and columns."""

    __tablename__ = "testset_revisions"
    __table_args__ = (UniqueConstraint("testset_id", "version"),)
    __test__ = False

    # Indexed by the unique constraint, whose first column it is.
    testset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("testsets.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    columns: Mapped[list[Any]] = mapped_column(default=list)
    answer_column: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class Testcase(Base):
    """A distinct row of a test set, stored once under its content id."""

    __tablename__ = "testcases"
    __test__ = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    testset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("testsets.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[dict[str, Any]] = mapped_column()
    flags: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    tags: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    meta: Mapped[dict[str, Any] | None] = mapped_column(default=None)


class TestsetRevisionRow(Base):
    """Position ``position`` (from 0) of revision ``revision_id`` holds ``testcase_id``."""

    __tablename__ = "testset_revision_rows"
    __test__ = False

    revision_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("testset_revisions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    testcase_id: Mapped[uuid.UUID] = mapped_column()


class TestsetDraft(IdMixin, Base):
    """A user's pending editor changes to a test set, relative to ``base_revision_id``."""

    __tablename__ = "testset_drafts"
    __table_args__ = (UniqueConstraint("testset_id", "user_id"),)
    __test__ = False

    testset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("testsets.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    base_revision_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("testset_revisions.id", ondelete="CASCADE")
    )
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
