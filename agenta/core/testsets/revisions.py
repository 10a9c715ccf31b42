"""Committing and finding revisions of a test set.

``commit_revision`` is the one way a revision comes to exist, whatever the path (upload, API,
editor, traces, playground). It stores the test cases the test set does not have yet, bumps
``testsets.head_version`` with a single ``UPDATE … RETURNING`` (which takes the row lock on
Postgres and the write lock on SQLite, so concurrent commits to one test set queue up and get
consecutive versions), then writes the revision and its ordered rows. It never commits the
transaction: the caller's unit of work does, so a failure leaves nothing behind.

Lookups are scoped to a project; a revision of another project's test set is "not found".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from agenta.core.testsets.bulk_writes import insert_revision_rows, insert_testcases
from agenta.core.testsets.codecs import TestcaseAttributes, columns_of, testcase_id
from agenta.core.testsets.models import DEFAULT_ANSWER_COLUMN, Testset, TestsetRevision
from agenta.core.testsets.storable import check_row_count
from agenta.core.testsets.storage import NewTestcase
from agenta.db import utcnow
from agenta.errors import AppError, NotFound

MESSAGE_MAX_LENGTH = 2_000


@dataclass(frozen=True, slots=True)
class RevisionContent:
    """What a new revision holds: ordered test case ids, columns, and rows that may be new."""

    ids: list[UUID]
    columns: list[str]
    new_testcases: list[NewTestcase] = field(default_factory=list)
    answer_column: str | None = None


def content_from_rows(
    testset_id: UUID,
    rows: Sequence[Mapping[str, Any]],
    *,
    columns: Sequence[str] | None = None,
    attributes: Sequence[TestcaseAttributes | None] | None = None,
    answer_column: str | None = None,
) -> RevisionContent:
    """The content of a revision made of ``rows`` (columns default to the union of their keys)."""
    cases = []
    for index, row in enumerate(rows):
        extra = attributes[index] if attributes else None
        cases.append(
            NewTestcase(
                testcase_id(testset_id, row),
                row,
                extra.flags if extra else None,
                extra.tags if extra else None,
                extra.meta if extra else None,
            )
        )
    known = list(columns) if columns is not None else []
    all_columns = known + [column for column in columns_of(rows) if column not in set(known)]
    return RevisionContent([case.id for case in cases], all_columns, cases, answer_column)


async def commit_revision(
    session: AsyncSession,
    testset: Testset,
    content: RevisionContent,
    *,
    message: str,
    actor: UUID | None,
    max_rows: int,
) -> TestsetRevision:
    """Store ``content`` as the test set's next revision and return it."""
    check_row_count(len(content.ids), max_rows)
    answer_column = content.answer_column or await _current_answer_column(session, testset)
    await insert_testcases(session, testset.id, content.new_testcases)
    version = await _next_version(session, testset, actor)
    revision = TestsetRevision(
        project_id=testset.project_id,
        testset_id=testset.id,
        version=version,
        message=(message or "").strip()[:MESSAGE_MAX_LENGTH],
        columns=list(content.columns),
        answer_column=answer_column,
        row_count=len(content.ids),
        created_by_id=actor,
    )
    session.add(revision)
    await session.flush()
    await insert_revision_rows(session, revision.id, content.ids)
    return revision


async def _next_version(session: AsyncSession, testset: Testset, actor: UUID | None) -> int:
    now = utcnow()
    version = await session.scalar(
        update(Testset)
        .where(Testset.id == testset.id)
        .values(head_version=Testset.head_version + 1, updated_at=now, updated_by_id=actor)
        .returning(Testset.head_version)
        .execution_options(synchronize_session=False)
    )
    if version is None:
        raise NotFound(f"Test set {testset.id} does not exist")
    for name, value in (("head_version", version), ("updated_at", now), ("updated_by_id", actor)):
        set_committed_value(testset, name, value)
    return int(version)


async def _current_answer_column(session: AsyncSession, testset: Testset) -> str:
    if testset.head_version == 0:
        return DEFAULT_ANSWER_COLUMN
    head = await session.scalar(
        select(TestsetRevision.answer_column).where(
            TestsetRevision.testset_id == testset.id,
            TestsetRevision.version == testset.head_version,
        )
    )
    return head or DEFAULT_ANSWER_COLUMN


async def get_revision(
    session: AsyncSession, testset: Testset, version: int | None = None
) -> TestsetRevision:
    """Revision ``version`` of the test set (its latest when ``None``), or ``NotFound``."""
    wanted = testset.head_version if version is None else version
    revision = await session.scalar(
        select(TestsetRevision).where(
            TestsetRevision.testset_id == testset.id, TestsetRevision.version == wanted
        )
    )
    if revision is None:
        if version is None:
            raise NotFound(f"Test set {testset.name!r} has no revision yet")
        raise NotFound(f"Test set {testset.name!r} has no version {version}")
    return revision


async def get_revision_by_id(
    session: AsyncSession, project_id: UUID, revision_id: UUID
) -> TestsetRevision:
    """The project's revision ``revision_id``, or ``NotFound``."""
    revision = await session.scalar(
        select(TestsetRevision).where(
            TestsetRevision.id == revision_id, TestsetRevision.project_id == project_id
        )
    )
    if revision is None:
        raise NotFound(f"No test set revision {revision_id} in this project")
    return revision


async def list_revisions(session: AsyncSession, testset: Testset) -> list[TestsetRevision]:
    """The test set's revisions, newest first."""
    result = await session.scalars(
        select(TestsetRevision)
        .where(TestsetRevision.testset_id == testset.id)
        .order_by(TestsetRevision.version.desc())
    )
    return list(result)


def parse_version(value: str | int | None) -> int | None:
    """A version from a path or query (``"latest"``, empty or ``None`` mean the newest)."""
    if value is None or value in ("", "latest"):
        return None
    try:
        version = int(value)
    except (TypeError, ValueError):
        raise AppError(f"{value!r} is not a version: use a number such as 3, or 'latest'") from None
    if version < 1:
        raise AppError(f"Versions start at 1, not {version}")
    return version
