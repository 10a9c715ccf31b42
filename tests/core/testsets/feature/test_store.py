"""Storing revisions: versions, content-addressed rows, paging and search, project scoping."""

from __future__ import annotations

from typing import Any

import pytest

from agenta.core.testsets import identity, revisions, storage, testsets
from agenta.core.testsets.changes import Changes
from agenta.core.testsets.codecs import TestsetImportError
from agenta.core.testsets.editing import commit_changes
from agenta.errors import NotFound

ROWS = [
    {"country": "France", "correct_answer": "Paris"},
    {"country": "Japan", "correct_answer": "Tokyo"},
    {"country": "Peru", "correct_answer": "Lima"},
]


async def test_a_new_test_set_starts_at_version_one_with_its_rows_in_order(
    make_testset: Any, open_session: Any
) -> None:
    made = await make_testset(ROWS)
    async with open_session() as session:
        stored = await storage.all_rows(session, made.revision.id)
    assert made.revision.version == 1
    assert made.revision.columns == ["country", "correct_answer"]
    assert made.revision.answer_column == "correct_answer"
    assert [row.data for row in stored] == ROWS
    assert [row.id for row in stored] == identity.testcase_ids(made.testset.id, ROWS)


async def test_identical_rows_take_two_positions_but_are_stored_once(
    make_testset: Any, table_counts: Any
) -> None:
    made = await make_testset([ROWS[0], ROWS[0], ROWS[1]])
    counts = await table_counts()
    assert made.revision.row_count == 3
    assert counts["testset_revision_rows"] == 3
    assert counts["testcases"] == 2


async def test_editing_one_cell_stores_one_new_testcase_and_keeps_the_other_ids(
    make_testset: Any, open_session: Any, owner: Any, table_counts: Any
) -> None:
    made = await make_testset(ROWS)
    before = await table_counts()
    changes = Changes(cells={1: {"correct_answer": "Tōkyō"}})
    async with open_session() as session:
        testset = await testsets.get_testset(session, owner.project_id, made.testset.id)
        second = await commit_changes(
            session, testset, changes, base_version=1, message="fix", actor=None, max_rows=10
        )
        old_ids = await storage.revision_testcase_ids(session, made.revision.id)
        new_ids = await storage.revision_testcase_ids(session, second.id)
    after = await table_counts()
    assert second.version == 2
    assert after["testcases"] - before["testcases"] == 1
    assert [old == new for old, new in zip(old_ids, new_ids, strict=True)] == [True, False, True]


async def test_commits_get_consecutive_versions_and_the_test_set_tracks_its_head(
    make_testset: Any, open_session: Any, owner: Any
) -> None:
    made = await make_testset(ROWS)
    async with open_session() as session:
        testset = await testsets.get_testset(session, owner.project_id, made.testset.id)
        for number in range(2, 5):
            content = revisions.content_from_rows(testset.id, ROWS[: number - 1])
            await revisions.commit_revision(
                session, testset, content, message=f"v{number}", actor=None, max_rows=10
            )
        history = await revisions.list_revisions(session, testset)
        head = await revisions.get_revision(session, testset)
    assert [revision.version for revision in history] == [4, 3, 2, 1]
    assert (testset.head_version, head.version, head.message) == (4, 4, "v4")


async def test_a_page_is_read_by_position(make_testset: Any, open_session: Any) -> None:
    rows = [{"n": str(number)} for number in range(50)]
    made = await make_testset(rows)
    async with open_session() as session:
        page = await storage.rows_between(session, made.revision.id, 20, 25)
    assert [(row.position, row.data["n"]) for row in page] == [(p, str(p)) for p in range(20, 25)]


async def test_search_matches_values_case_insensitively_but_not_column_names(
    make_testset: Any, open_session: Any
) -> None:
    made = await make_testset(ROWS)
    async with open_session() as session:
        by_value = await storage.search_rows(session, made.revision.id, "TOKYO", 0, 10)
        by_column = await storage.search_rows(session, made.revision.id, "country", 0, 10)
    assert [row.position for row in by_value] == [1]
    assert by_column == []


async def test_search_treats_percent_and_underscore_as_plain_characters(
    make_testset: Any, open_session: Any
) -> None:
    made = await make_testset([{"q": "50% off"}, {"q": "500 off"}, {"q": "a_b"}, {"q": "axb"}])
    async with open_session() as session:
        percent = await storage.search_rows(session, made.revision.id, "0%", 0, 10)
        underscore = await storage.search_rows(session, made.revision.id, "a_b", 0, 10)
    assert [row.data["q"] for row in percent] == ["50% off"]
    assert [row.data["q"] for row in underscore] == ["a_b"]


async def test_another_projects_test_set_and_revision_are_not_found(
    make_testset: Any, open_session: Any, outsider: Any
) -> None:
    made = await make_testset(ROWS)
    async with open_session() as session:
        with pytest.raises(NotFound):
            await testsets.get_testset(session, outsider.project_id, made.testset.id)
        with pytest.raises(NotFound):
            await revisions.get_revision_by_id(session, outsider.project_id, made.revision.id)


async def test_a_revision_over_the_row_limit_is_refused_and_nothing_is_stored(
    make_testset: Any, open_session: Any, owner: Any, table_counts: Any
) -> None:
    made = await make_testset(ROWS)
    before = await table_counts()
    with pytest.raises(TestsetImportError, match="limit is 2"):
        async with open_session() as session:
            testset = await testsets.get_testset(session, owner.project_id, made.testset.id)
            content = revisions.content_from_rows(testset.id, [*ROWS, {"country": "Chad"}])
            await revisions.commit_revision(
                session, testset, content, message="", actor=None, max_rows=2
            )
    assert await table_counts() == before


async def test_values_keep_their_json_types_and_unicode(
    make_testset: Any, open_session: Any
) -> None:
    row = {"q": "naïve 🌍 مصر", "n": 12345678901234567890, "x": 1.5, "ok": True, "l": [1, None]}
    made = await make_testset([row])
    async with open_session() as session:
        stored = await storage.all_rows(session, made.revision.id)
    assert stored[0].data == row
    assert stored[0].id == identity.testcase_id(made.testset.id, row)
