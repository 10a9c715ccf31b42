"""Committing edits and keeping drafts: stale bases refused, column changes rewrite rows."""

from __future__ import annotations

from typing import Any

import pytest

from agenta.core.testsets import editing, storage, testsets
from agenta.core.testsets.changes import Changes, RowRef
from agenta.core.testsets.codecs import TestsetImportError
from agenta.errors import AppError, Conflict

ROWS = [
    {"question": "France?", "correct_answer": "Paris"},
    {"question": "Japan?", "correct_answer": "Tokyo"},
    {"question": "Peru?", "correct_answer": "Lima"},
]


async def commit(
    open_session: Any, owner: Any, testset_id: Any, changes: Changes, **kw: Any
) -> Any:
    async with open_session() as session:
        testset = await testsets.get_testset(session, owner.project_id, testset_id)
        revision = await editing.commit_changes(
            session,
            testset,
            changes,
            base_version=kw.get("base_version", testset.head_version),
            message=kw.get("message", "edit"),
            actor=owner.user_id,
            max_rows=kw.get("max_rows", 100),
        )
        return revision, [row.data for row in await storage.all_rows(session, revision.id)]


async def test_renaming_and_deleting_columns_rewrites_every_row(
    make_testset: Any, open_session: Any, owner: Any
) -> None:
    made = await make_testset(ROWS)
    changes = Changes(renamed_columns={"correct_answer": "expected"}, deleted_columns=["question"])
    revision, rows = await commit(open_session, owner, made.testset.id, changes)
    assert revision.columns == ["expected"]
    assert rows == [{"expected": "Paris"}, {"expected": "Tokyo"}, {"expected": "Lima"}]


async def test_deleted_rows_go_away_and_added_rows_come_last(
    make_testset: Any, open_session: Any, owner: Any
) -> None:
    made = await make_testset(ROWS)
    changes = Changes(deleted_rows={0}, added_rows=[{"question": "Chad?"}], added_columns=["tag"])
    revision, rows = await commit(open_session, owner, made.testset.id, changes)
    assert rows == [ROWS[1], ROWS[2], {"question": "Chad?"}]
    assert revision.columns == ["question", "correct_answer", "tag"]
    assert revision.row_count == 3


async def test_the_answer_column_is_kept_unless_changed(
    make_testset: Any, open_session: Any, owner: Any
) -> None:
    made = await make_testset(ROWS)
    kept, _ = await commit(open_session, owner, made.testset.id, Changes(deleted_rows={1}))
    moved, _ = await commit(open_session, owner, made.testset.id, Changes(answer_column="question"))
    assert (kept.answer_column, moved.answer_column) == ("correct_answer", "question")


async def test_edits_to_an_older_version_are_refused(
    make_testset: Any, open_session: Any, owner: Any, table_counts: Any
) -> None:
    made = await make_testset(ROWS)
    await commit(open_session, owner, made.testset.id, Changes(deleted_rows={0}))
    before = await table_counts()
    with pytest.raises(Conflict, match="version 2 is the latest"):
        await commit(
            open_session, owner, made.testset.id, Changes(deleted_rows={1}), base_version=1
        )
    assert await table_counts() == before


async def test_an_empty_commit_is_refused(make_testset: Any, open_session: Any, owner: Any) -> None:
    made = await make_testset(ROWS)
    with pytest.raises(AppError, match="no changes"):
        await commit(open_session, owner, made.testset.id, Changes())


async def test_an_edit_that_cannot_be_stored_is_refused(
    make_testset: Any, open_session: Any, owner: Any
) -> None:
    made = await make_testset(ROWS)
    changes = Changes(cells={2: {"question": "bad\x00byte"}})
    with pytest.raises(TestsetImportError, match="NUL character"):
        await commit(open_session, owner, made.testset.id, changes)


async def test_a_draft_is_kept_per_user_until_committed(
    make_testset: Any, open_session: Any, owner: Any
) -> None:
    made = await make_testset(ROWS)
    async with open_session() as session:
        testset = await testsets.get_testset(session, owner.project_id, made.testset.id)
        draft = await editing.load_draft(session, testset, owner.user_id)
        draft.changes.set_cell(RowRef(False, 0), "correct_answer", "Paris, France", _shape(draft))
        await editing.save_draft(session, testset, owner.user_id, draft)
    async with open_session() as session:
        testset = await testsets.get_testset(session, owner.project_id, made.testset.id)
        reloaded = await editing.load_draft(session, testset, owner.user_id)
        revision = await editing.commit_draft(
            session, testset, owner.user_id, message="clarify", max_rows=100
        )
        after = await editing.load_draft(session, testset, owner.user_id)
        first = (await storage.rows_between(session, revision.id, 0, 1))[0]
    assert reloaded.changes.count == 1
    assert (revision.version, revision.message) == (2, "clarify")
    assert first.data["correct_answer"] == "Paris, France"
    assert after.changes.count == 0 and after.base is not None and after.base.version == 2


async def test_a_draft_started_on_an_older_version_is_stale(
    make_testset: Any, open_session: Any, owner: Any
) -> None:
    made = await make_testset(ROWS)
    async with open_session() as session:
        testset = await testsets.get_testset(session, owner.project_id, made.testset.id)
        draft = await editing.load_draft(session, testset, owner.user_id)
        draft.changes.delete_row(RowRef(False, 2), _shape(draft))
        await editing.save_draft(session, testset, owner.user_id, draft)
    await commit(open_session, owner, made.testset.id, Changes(deleted_rows={0}))
    async with open_session() as session:
        testset = await testsets.get_testset(session, owner.project_id, made.testset.id)
        stale = await editing.load_draft(session, testset, owner.user_id)
        with pytest.raises(Conflict):
            await editing.commit_draft(session, testset, owner.user_id, message="", max_rows=100)
    assert stale.is_stale


def _shape(draft: editing.Draft) -> Any:
    return editing.shape_of(draft.base)
