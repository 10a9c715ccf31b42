"""What the editor page shows: a page of rows with the user's pending changes laid over it.

Rows of the base revision keep their place while edited: a deleted row is shown struck through
(with a way back) until the commit, so pagination never shifts under the user; rows added in
the draft are listed above the first page. Each cell knows whether it was edited, and how to
show its value: strings as text, anything else (numbers, lists, chat messages) as JSON.

``cell_value`` turns what was typed into a cell back into a value: text stays text, except in a
cell that held JSON (a number, a list...) or in the ``messages`` column, where valid JSON is
read as JSON so editing a number keeps it a number.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agenta.core.testsets.changes import Changes, RowRef
from agenta.core.testsets.codecs import MESSAGES_COLUMN
from agenta.core.testsets.storage import StoredRow
from agenta.errors import AppError

SHOWN_CHARACTERS = 400


@dataclass(frozen=True, slots=True)
class CellView:
    column: str
    present: bool
    text: str
    is_json: bool
    edited: bool

    @property
    def shown(self) -> str:
        """The text cut to a readable length (the editor shows all of it)."""
        if len(self.text) <= SHOWN_CHARACTERS:
            return self.text
        return self.text[:SHOWN_CHARACTERS] + "…"


@dataclass(frozen=True, slots=True)
class RowView:
    ref: RowRef
    cells: list[CellView]
    deleted: bool = False

    @property
    def label(self) -> str:
        return "new" if self.ref.new else str(self.ref.index + 1)


def as_text(value: Any) -> tuple[str, bool]:
    """How a value is shown and edited, and whether that text is JSON."""
    if isinstance(value, str):
        return value, False
    return json.dumps(value, ensure_ascii=False, indent=None), True


def cell_view(data: Mapping[str, Any], column: str, edited: bool) -> CellView:
    if column not in data:
        return CellView(column, False, "", False, edited)
    text, is_json = as_text(data[column])
    return CellView(column, True, text, is_json, edited)


def base_row_view(row: StoredRow, columns: Sequence[str], changes: Changes | None) -> RowView:
    """A base row as the draft sees it (as stored when there are no changes)."""
    ref = RowRef(False, row.position)
    if changes is None:
        return RowView(ref, [cell_view(row.data, column, False) for column in columns])
    deleted = row.position in changes.deleted_rows
    shown = row.data if deleted else changes.apply_row(row.position, row.data) or {}
    if deleted:
        shown = {changes.renamed_columns.get(key, key): value for key, value in shown.items()}
    edits = changes.cells.get(row.position, {})
    return RowView(ref, [cell_view(shown, c, c in edits) for c in columns], deleted)


def added_row_views(changes: Changes | None, columns: Sequence[str]) -> list[RowView]:
    """The rows added in the draft."""
    if changes is None:
        return []
    return [
        RowView(
            RowRef(True, index), [cell_view(data, column, column in data) for column in columns]
        )
        for index, data in enumerate(changes.added_rows)
    ]


def cell_value(text: str, previous: Any, column: str) -> Any:
    """The value typed into a cell (see the module docstring)."""
    text = text.replace("\r\n", "\n")
    if column == MESSAGES_COLUMN:
        try:
            return json.loads(text)
        except ValueError as exc:
            raise AppError(
                f'The "{MESSAGES_COLUMN}" cell must hold a JSON array of messages: {exc}'
            ) from None
    if previous is None or isinstance(previous, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text
