"""Pending edits: operations in any order give one normal form, applied row by row."""

from __future__ import annotations

import pytest

from agenta.core.testsets.changes import Changes, RowRef, Shape
from agenta.errors import AppError

SHAPE = Shape(["question", "answer", "notes"], 3, "answer")
ROW = {"question": "Capital of France?", "answer": "Paris", "notes": "easy"}


def changes_of(*operations: dict[str, object]) -> Changes:
    return Changes.from_operations(operations, SHAPE)


def test_an_edited_cell_replaces_only_that_value() -> None:
    changes = changes_of({"op": "set_cell", "row": 0, "column": "answer", "value": "Lyon"})
    assert changes.apply_row(0, ROW) == {**ROW, "answer": "Lyon"}
    assert changes.apply_row(1, ROW) == ROW


def test_renaming_a_column_renames_its_pending_edits_and_the_answer_column() -> None:
    changes = changes_of(
        {"op": "set_cell", "row": 2, "column": "answer", "value": "Lima"},
        {"op": "rename_column", "column": "answer", "to": "expected"},
    )
    assert changes.columns(SHAPE) == ["question", "expected", "notes"]
    assert changes.apply_row(2, ROW) == {**_without(ROW, "answer"), "expected": "Lima"}
    assert changes.answer(SHAPE) == "expected"


def test_renaming_back_to_the_original_name_leaves_no_rename() -> None:
    changes = changes_of(
        {"op": "rename_column", "column": "notes", "to": "comment"},
        {"op": "rename_column", "column": "comment", "to": "notes"},
    )
    assert changes.renamed_columns == {}
    assert changes.count == 0


def test_a_deleted_column_can_be_replaced_by_a_renamed_one() -> None:
    changes = changes_of(
        {"op": "delete_column", "column": "answer"},
        {"op": "rename_column", "column": "notes", "to": "answer"},
    )
    assert changes.columns(SHAPE) == ["question", "answer"]
    assert changes.apply_row(0, ROW) == {"question": ROW["question"], "answer": "easy"}


def test_deleting_a_column_drops_its_pending_edits() -> None:
    changes = changes_of(
        {"op": "set_cell", "row": 0, "column": "notes", "value": "hard"},
        {"op": "delete_column", "column": "notes"},
    )
    assert changes.cells == {}
    assert changes.apply_row(0, ROW) == _without(ROW, "notes")


def test_added_rows_may_bring_new_columns() -> None:
    changes = changes_of({"op": "add_row", "data": {"question": "Q?", "source": "trace"}})
    assert changes.columns(SHAPE) == ["question", "answer", "notes", "source"]
    assert changes.added_rows == [{"question": "Q?", "source": "trace"}]


def test_an_added_row_can_be_edited_and_deleted_by_its_draft_reference() -> None:
    changes = changes_of(
        {"op": "add_row", "data": {}},
        {"op": "add_row", "data": {}},
        {"op": "set_cell", "row": "n1", "column": "question", "value": "kept"},
        {"op": "delete_row", "row": "n0"},
    )
    assert changes.added_rows == [{"question": "kept"}]


def test_a_deleted_row_disappears_and_cannot_be_edited_until_restored() -> None:
    changes = changes_of({"op": "delete_row", "row": 1})
    assert changes.apply_row(1, ROW) is None
    with pytest.raises(AppError, match="restore it"):
        changes.set_cell(RowRef(False, 1), "answer", "x", SHAPE)
    changes.restore_row(RowRef(False, 1), SHAPE)
    assert changes.apply_row(1, ROW) == ROW


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        ({"op": "set_cell", "row": 3, "column": "answer", "value": "x"}, "no row 3"),
        ({"op": "set_cell", "row": 0, "column": "nope", "value": "x"}, 'no column "nope"'),
        ({"op": "set_cell", "row": "x1", "column": "answer", "value": "x"}, "is not a row"),
        ({"op": "rename_column", "column": "notes", "to": "answer"}, "already a column"),
        ({"op": "add_column", "column": "  "}, "needs a name"),
        ({"op": "rename_column", "column": "notes"}, "needs 'to'"),
        ({"op": "explode"}, "Unknown operation 'explode'"),
    ],
)
def test_a_bad_operation_is_refused_with_its_number_and_reason(
    operation: dict[str, object], message: str
) -> None:
    with pytest.raises(AppError) as caught:
        changes_of({"op": "add_column", "column": "extra"}, operation)
    assert caught.value.detail.startswith("Operation 2: ")
    assert message in caught.value.detail


def test_changes_survive_a_round_trip_through_json() -> None:
    changes = changes_of(
        {"op": "set_cell", "row": 2, "column": "answer", "value": {"role": "assistant"}},
        {"op": "delete_row", "row": 0},
        {"op": "add_row", "data": {"question": "new"}},
        {"op": "rename_column", "column": "notes", "to": "comment"},
        {"op": "add_column", "column": "score"},
        {"op": "set_answer_column", "column": "comment"},
    )
    assert Changes.from_json(changes.to_json()) == changes
    assert changes.count == 6


def test_only_column_renames_and_deletions_touch_every_row() -> None:
    assert not changes_of(
        {"op": "set_cell", "row": 0, "column": "notes", "value": ""}
    ).touches_every_row
    assert not changes_of({"op": "add_column", "column": "x"}).touches_every_row
    assert changes_of({"op": "delete_column", "column": "notes"}).touches_every_row


def _without(row: dict[str, str], column: str) -> dict[str, str]:
    return {key: value for key, value in row.items() if key != column}
