"""Comparing two revisions for the diff view."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from agenta.core.testsets import identity
from agenta.core.testsets.codecs import diff_revisions

SET_ID = UUID("33333333-3333-4333-8333-333333333333")


def revision(*rows: dict[str, Any]) -> list[tuple[UUID, dict[str, Any]]]:
    """Rows with content-addressed ids, as a revision stores them."""
    return [(identity.testcase_id(SET_ID, row), row) for row in rows]


def row(n: int, **changes: Any) -> dict[str, Any]:
    """A typical test case, numbered ``n``."""
    return {"question": f"q{n}", "correct_answer": f"a{n}", **changes}


def test_identical_revisions_have_an_empty_diff():
    rows = revision(row(1), row(2))

    diff = diff_revisions(rows, list(rows))

    assert diff.is_empty
    assert diff.unchanged_rows == 2


def test_rows_appended_and_deleted_at_the_ends_are_added_and_removed():
    old = revision(row(1), row(2), row(3))
    new = revision(row(2), row(3), row(4))

    diff = diff_revisions(old, new)

    assert diff.removed_rows == [old[0][0]]
    assert diff.added_rows == [new[2][0]]
    assert diff.changed_rows == []
    assert diff.unchanged_rows == 2


def test_an_edited_cell_is_a_changed_row_even_though_its_content_id_changed():
    old = revision(row(1), row(2), row(3))
    new = revision(row(1), row(2, correct_answer="fixed"), row(3))

    diff = diff_revisions(old, new)

    assert diff.added_rows == [] and diff.removed_rows == []
    [change] = diff.changed_rows
    assert (change.old_id, change.new_id) == (old[1][0], new[1][0])
    assert change.columns == ["correct_answer"]
    assert change.old["correct_answer"] == "a2" and change.new["correct_answer"] == "fixed"


def test_a_row_that_kept_its_id_is_changed_when_its_data_differ():
    kept = UUID("44444444-4444-4444-8444-444444444444")

    diff = diff_revisions([(kept, row(1))], [(kept, row(1, question="new"))])

    assert [(c.old_id, c.new_id, c.columns) for c in diff.changed_rows] == [
        (kept, kept, ["question"])
    ]


def test_an_inserted_row_between_edited_rows_is_added_not_paired():
    old = revision(row(1), row(2))
    new = revision(row(1), row(2, question="edited"), row(9))

    diff = diff_revisions(old, new)

    assert [c.columns for c in diff.changed_rows] == [["question"]]
    assert diff.added_rows == [new[2][0]]


def test_added_and_removed_columns_are_listed_in_order():
    old = revision(row(1, context="c"))
    new = revision({"question": "q1", "correct_answer": "a1", "score": 1, "tag": "x"})

    diff = diff_revisions(old, new)

    assert diff.added_columns == ["score", "tag"]
    assert diff.removed_columns == ["context"]
    assert diff.renamed_columns == {}


def test_a_renamed_column_is_detected_and_its_rows_are_not_reported_as_changed():
    old = revision(row(1), row(2))
    new = revision(
        *({"question": r["question"], "expected": r["correct_answer"]} for r in (row(1), row(2)))
    )

    diff = diff_revisions(old, new)

    assert diff.renamed_columns == {"correct_answer": "expected"}
    assert diff.added_columns == [] and diff.removed_columns == []
    assert diff.changed_rows == [] and diff.unchanged_rows == 2
    assert not diff.is_empty


def test_a_rename_is_not_guessed_when_two_new_columns_could_be_the_old_one():
    old = revision({"q": "1", "a": "x"})
    new = revision({"q": "1", "b": "x", "c": "x"})

    diff = diff_revisions(old, new)

    assert diff.renamed_columns == {}
    assert diff.added_columns == ["b", "c"] and diff.removed_columns == ["a"]


def test_moving_rows_around_is_reported_as_a_reorder_only():
    old = revision(row(1), row(2), row(3))

    diff = diff_revisions(old, [old[2], old[0], old[1]])

    assert diff.reordered
    assert not (diff.added_rows or diff.removed_rows or diff.changed_rows)


def test_duplicate_rows_are_matched_one_occurrence_at_a_time():
    old = revision(row(1), row(1))
    new = revision(row(1), row(1), row(1))

    diff = diff_revisions(old, new)

    assert diff.added_rows == [old[0][0]]
    assert diff.unchanged_rows == 2


def test_a_rename_an_edit_and_a_deletion_in_one_commit_are_each_recognised():
    old_rows = [row(n, context="shared") for n in range(1, 8)]
    new_rows = [
        {"question": r["question"], "expected": r["correct_answer"], "context": "shared"}
        for r in old_rows
        if r["question"] != "q3"
    ]
    new_rows[4]["expected"] = "edited"  # the row that was q6
    old, new = revision(*old_rows), revision(*new_rows)

    diff = diff_revisions(old, new)

    assert diff.renamed_columns == {"correct_answer": "expected"}
    assert diff.removed_rows == [old[2][0]]
    assert [(c.old_id, c.columns) for c in diff.changed_rows] == [(old[5][0], ["expected"])]
    assert diff.unchanged_rows == 5 and diff.added_rows == []


def test_a_row_matched_by_id_is_not_matched_again_by_its_values():
    old = revision(row(1), row(1, dropped="only in the old revision"))
    new = revision(row(1))

    diff = diff_revisions(old, new)

    assert diff.unchanged_rows == 1
    assert diff.removed_rows == [old[1][0]]
