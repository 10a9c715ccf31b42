"""Committing edits, and the editor's drafts of uncommitted edits.

``commit_changes`` turns ``Changes`` to a base revision into the next revision. Edits must be
made against the latest revision: committing on an older one would silently undo what was
committed since, so it is refused with a 409 naming both versions. Unless columns are renamed or
deleted, only the edited rows are read: the new revision reuses every other row's id, so editing
one cell of a 100,000-row test set reads one row and stores one new test case.

A draft is one user's pending ``Changes`` to one test set, stored as JSON next to the revision
it started from, so edits survive page loads and a commit applies them all at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.testsets.changes import Changes, Shape
from agenta.core.testsets.models import Testset, TestsetDraft, TestsetRevision
from agenta.core.testsets.revisions import (
    RevisionContent,
    commit_revision,
    content_from_rows,
    get_revision,
)
from agenta.core.testsets.storable import check_rows
from agenta.core.testsets.storage import all_rows, revision_testcase_ids, rows_at
from agenta.errors import AppError, Conflict


def shape_of(revision: TestsetRevision | None) -> Shape:
    """What edits to ``revision`` are checked against (an empty shape for no revision)."""
    if revision is None:
        return Shape([], 0, "correct_answer")
    return Shape(list(revision.columns), revision.row_count, revision.answer_column)


async def base_revision(session: AsyncSession, testset: Testset) -> TestsetRevision | None:
    """The latest revision, which edits apply to (``None`` for a test set without rows yet)."""
    return await get_revision(session, testset) if testset.head_version else None


async def commit_changes(
    session: AsyncSession,
    testset: Testset,
    changes: Changes,
    *,
    base_version: int,
    message: str,
    actor: UUID | None,
    max_rows: int,
) -> TestsetRevision:
    """Commit ``changes`` made to version ``base_version``, which must be the latest."""
    if base_version != testset.head_version:
        raise Conflict(
            f"These edits were made to version {base_version}, but version "
            f"{testset.head_version} is the latest now; reload it and edit that instead"
        )
    if not changes.count:
        raise AppError("There are no changes to commit")
    base = await base_revision(session, testset)
    content = await changed_content(session, testset, base, changes)
    return await commit_revision(
        session, testset, content, message=message, actor=actor, max_rows=max_rows
    )


async def changed_content(
    session: AsyncSession, testset: Testset, base: TestsetRevision | None, changes: Changes
) -> RevisionContent:
    """The content of ``base`` with ``changes`` applied."""
    shape = shape_of(base)
    columns = changes.columns(shape)
    edited: dict[int, dict[str, object]] = {}
    ids: list[UUID | int] = []
    if base is not None and changes.touches_every_row:
        for row in await all_rows(session, base.id):
            _keep(changes, row.position, row.data, ids, edited)
    elif base is not None:
        stored = await rows_at(session, base.id, changes.cells)
        for position, case_id in enumerate(await revision_testcase_ids(session, base.id)):
            if position in stored:
                _keep(changes, position, stored[position].data, ids, edited)
            elif position not in changes.deleted_rows:
                ids.append(case_id)
    new_rows = [*edited.values(), *changes.added_rows]
    check_rows(new_rows, max_rows=len(new_rows))
    fresh = content_from_rows(testset.id, new_rows, columns=columns)
    fresh_ids = iter(fresh.ids)
    ordered = [next(fresh_ids) if isinstance(item, int) else item for item in ids]
    ordered.extend(fresh_ids)
    return RevisionContent(ordered, fresh.columns, fresh.new_testcases, changes.answer(shape))


def _keep(
    changes: Changes,
    position: int,
    data: dict[str, object],
    ids: list[UUID | int],
    edited: dict[int, dict[str, object]],
) -> None:
    """Queue base row ``position`` changed by ``changes`` (an int marks a row to be re-hashed)."""
    row = changes.apply_row(position, data)
    if row is not None:
        edited[position] = row
        ids.append(position)


@dataclass(frozen=True, slots=True)
class Draft:
    """A user's pending changes and the revision they apply to (``None``: no rows yet)."""

    base: TestsetRevision | None
    changes: Changes
    head_version: int = 0

    @property
    def is_stale(self) -> bool:
        """True when this draft was started on a revision that is no longer the latest."""
        return self.base is not None and self.head_version != self.base.version


async def load_draft(session: AsyncSession, testset: Testset, user_id: UUID) -> Draft:
    """The user's draft for the test set, or an empty one on the latest revision."""
    row = await _draft_row(session, testset.id, user_id)
    if row is None:
        return Draft(await base_revision(session, testset), Changes(), testset.head_version)
    base = await session.get(TestsetRevision, row.base_revision_id)
    return Draft(base, Changes.from_json(row.changes), testset.head_version)


async def save_draft(session: AsyncSession, testset: Testset, user_id: UUID, draft: Draft) -> None:
    """Store the user's draft (an empty one is simply removed)."""
    if not draft.changes.count:
        await discard_draft(session, testset, user_id)
        return
    if draft.base is None:
        raise AppError("Add a first revision (upload a file or add rows) before editing")
    row = await _draft_row(session, testset.id, user_id)
    if row is None:
        row = TestsetDraft(testset_id=testset.id, user_id=user_id, base_revision_id=draft.base.id)
        session.add(row)
    row.base_revision_id = draft.base.id
    row.changes = draft.changes.to_json()
    await session.flush()


async def discard_draft(session: AsyncSession, testset: Testset, user_id: UUID) -> None:
    """Forget the user's pending changes to the test set."""
    await session.execute(
        delete(TestsetDraft).where(
            TestsetDraft.testset_id == testset.id, TestsetDraft.user_id == user_id
        )
    )


async def commit_draft(
    session: AsyncSession, testset: Testset, user_id: UUID, *, message: str, max_rows: int
) -> TestsetRevision:
    """Commit the user's draft as the next revision and clear it."""
    draft = await load_draft(session, testset, user_id)
    base_version = draft.base.version if draft.base else 0
    revision = await commit_changes(
        session,
        testset,
        draft.changes,
        base_version=base_version,
        message=message,
        actor=user_id,
        max_rows=max_rows,
    )
    await discard_draft(session, testset, user_id)
    return revision


async def _draft_row(session: AsyncSession, testset_id: UUID, user_id: UUID) -> TestsetDraft | None:
    return await session.scalar(
        select(TestsetDraft).where(
            TestsetDraft.testset_id == testset_id, TestsetDraft.user_id == user_id
        )
    )
