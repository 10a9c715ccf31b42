"""Pending edits to a revision, kept normalised so they can be applied in any order.

The editor (and the commit API) describe an edit as a sequence of operations: set a cell, add,
delete or restore a row, add, rename or delete a column, choose the expected-answer column.
``Changes`` absorbs each operation as it comes and keeps one normal form:

* ``renamed_columns`` and ``deleted_columns`` speak of the base revision's column names;
* ``cells``, ``added_rows``, ``added_columns`` and ``answer_column`` speak of current names
  (renaming a column renames it in all of them; deleting one drops its pending cells);
  ``answer_column`` is set only when the user chose another column, so renaming the expected
  answer column is one change, not two;
* existing rows are named by their position in the base revision, which never changes, and
  rows added since by their index in ``added_rows``: a ``RowRef`` reads ``"b12"`` or ``"n0"``.

Applying is then per row: drop deleted columns, rename, overlay the row's edited cells; deleted
rows go away, added rows come last. Only column renames and deletions touch every row, so only
they need the whole base revision loaded (``touches_every_row``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agenta.errors import AppError

NAME_MAX_LENGTH = 300


@dataclass(frozen=True, slots=True)
class Shape:
    """What the operations are checked against: the base revision's columns, size and answer."""

    columns: list[str]
    row_count: int
    answer_column: str


@dataclass(frozen=True, slots=True)
class RowRef:
    """A row of the draft: ``new`` False for base position ``index``, True for added row."""

    new: bool
    index: int

    @classmethod
    def parse(cls, value: Any) -> RowRef:
        """``12`` or ``"b12"`` (base position), ``"n0"`` (added row); else a 400."""
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return cls(False, value)
        text = str(value)
        if len(text) > 1 and text[0] in "bn" and text[1:].isdigit():
            return cls(text[0] == "n", int(text[1:]))
        raise AppError(f"{value!r} is not a row: use a position such as 12, or 'b12' or 'n0'")

    def __str__(self) -> str:
        return f"{'n' if self.new else 'b'}{self.index}"


@dataclass(slots=True)
class Changes:
    """Normalised pending changes to one base revision (see the module docstring)."""

    cells: dict[int, dict[str, Any]] = field(default_factory=dict)
    deleted_rows: set[int] = field(default_factory=set)
    added_rows: list[dict[str, Any]] = field(default_factory=list)
    renamed_columns: dict[str, str] = field(default_factory=dict)
    deleted_columns: list[str] = field(default_factory=list)
    added_columns: list[str] = field(default_factory=list)
    answer_column: str | None = None

    # Reading -----------------------------------------------------------------------------

    def columns(self, shape: Shape) -> list[str]:
        """The columns after the changes, in order."""
        kept = [c for c in shape.columns if c not in self.deleted_columns]
        return [self.renamed_columns.get(c, c) for c in kept] + self.added_columns

    def answer(self, shape: Shape) -> str:
        """The expected-answer column: chosen in the draft, else the base one (renamed)."""
        if self.answer_column:
            return self.answer_column
        return self.renamed_columns.get(shape.answer_column, shape.answer_column)

    @property
    def count(self) -> int:
        """How many things are pending, as the editor counts them."""
        cells = sum(len(edits) for edits in self.cells.values())
        columns = len(self.renamed_columns) + len(self.deleted_columns) + len(self.added_columns)
        answer = 1 if self.answer_column else 0
        return cells + len(self.deleted_rows) + len(self.added_rows) + columns + answer

    @property
    def touches_every_row(self) -> bool:
        return bool(self.renamed_columns or self.deleted_columns)

    def apply_row(self, position: int, data: Mapping[str, Any]) -> dict[str, Any] | None:
        """Base row ``position`` after the changes, or ``None`` if it is deleted."""
        if position in self.deleted_rows:
            return None
        row = {
            self.renamed_columns.get(key, key): value
            for key, value in data.items()
            if key not in self.deleted_columns
        }
        row.update(self.cells.get(position, {}))
        return row

    # Operations --------------------------------------------------------------------------

    def apply(self, operation: Mapping[str, Any], shape: Shape) -> None:
        """Absorb one operation given as ``{"op": ..., ...}`` (the commit API's form)."""
        op = operation.get("op")
        handler = _OPERATIONS.get(op) if isinstance(op, str) else None
        if handler is None:
            raise AppError(f"Unknown operation {op!r}; expected one of {', '.join(_OPERATIONS)}")
        handler(self, operation, shape)

    def set_cell(self, ref: RowRef, column: str, value: Any, shape: Shape) -> None:
        self._require_column(column, shape)
        if ref.new:
            self._added(ref)[column] = value
            return
        self._require_position(ref.index, shape)
        if ref.index in self.deleted_rows:
            raise AppError(f"Row {ref.index} is deleted; restore it before editing it")
        self.cells.setdefault(ref.index, {})[column] = value

    def add_row(self, data: Mapping[str, Any], shape: Shape) -> RowRef:
        """Append a row; keys that are not columns yet become new columns."""
        for column in data:
            if column not in self.columns(shape):
                self.add_column(column, shape)
        self.added_rows.append({_column_name(key): value for key, value in data.items()})
        return RowRef(True, len(self.added_rows) - 1)

    def delete_row(self, ref: RowRef, shape: Shape) -> None:
        if ref.new:
            self._added(ref)
            del self.added_rows[ref.index]
            return
        self._require_position(ref.index, shape)
        self.deleted_rows.add(ref.index)
        self.cells.pop(ref.index, None)

    def restore_row(self, ref: RowRef, shape: Shape) -> None:
        if ref.new:
            raise AppError(f"Row {ref} was added in this draft; there is nothing to restore")
        self._require_position(ref.index, shape)
        self.deleted_rows.discard(ref.index)

    def add_column(self, name: str, shape: Shape) -> None:
        name = _column_name(name)
        if name in self.columns(shape):
            raise AppError(f'There is already a column "{name}"')
        self.added_columns.append(name)

    def rename_column(self, column: str, to: str, shape: Shape) -> None:
        self._require_column(column, shape)
        to = _column_name(to)
        if to == column:
            return
        if to in self.columns(shape):
            raise AppError(f'There is already a column "{to}"')
        if column in self.added_columns:
            self.added_columns[self.added_columns.index(column)] = to
        else:
            base = self._base_name(column, shape)
            self.renamed_columns[base] = to
            if base == to:
                del self.renamed_columns[base]
        self._rename_pending(column, to)
        if self.answer_column == column:
            self.answer_column = to

    def delete_column(self, column: str, shape: Shape) -> None:
        self._require_column(column, shape)
        if column in self.added_columns:
            self.added_columns.remove(column)
        else:
            base = self._base_name(column, shape)
            self.renamed_columns.pop(base, None)
            self.deleted_columns.append(base)
        for edits in [*self.cells.values(), *self.added_rows]:
            edits.pop(column, None)
        self.cells = {position: edits for position, edits in self.cells.items() if edits}
        if self.answer_column == column:
            self.answer_column = None

    def set_answer_column(self, column: str, shape: Shape) -> None:
        self._require_column(column, shape)
        base_answer = self.renamed_columns.get(shape.answer_column, shape.answer_column)
        self.answer_column = None if column == base_answer else column

    # Helpers -----------------------------------------------------------------------------

    def _require_column(self, column: str, shape: Shape) -> None:
        if column not in self.columns(shape):
            raise AppError(f'There is no column "{column}"')

    def _require_position(self, position: int, shape: Shape) -> None:
        if not 0 <= position < shape.row_count:
            raise AppError(f"There is no row {position} (the revision has {shape.row_count})")

    def _added(self, ref: RowRef) -> dict[str, Any]:
        if not 0 <= ref.index < len(self.added_rows):
            raise AppError(f"There is no added row {ref}")
        return self.added_rows[ref.index]

    def _base_name(self, current: str, shape: Shape) -> str:
        for base, renamed in self.renamed_columns.items():
            if renamed == current:
                return base
        return current

    def _rename_pending(self, column: str, to: str) -> None:
        for edits in [*self.cells.values(), *self.added_rows]:
            if column in edits:
                edits[to] = edits.pop(column)

    # Storage -----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """A JSON document for the drafts table."""
        return {
            "cells": {str(position): edits for position, edits in self.cells.items()},
            "deleted_rows": sorted(self.deleted_rows),
            "added_rows": self.added_rows,
            "renamed_columns": self.renamed_columns,
            "deleted_columns": self.deleted_columns,
            "added_columns": self.added_columns,
            "answer_column": self.answer_column,
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Changes:
        """The changes ``to_json`` wrote."""
        return cls(
            cells={int(p): dict(edits) for p, edits in document.get("cells", {}).items()},
            deleted_rows=set(document.get("deleted_rows", [])),
            added_rows=[dict(row) for row in document.get("added_rows", [])],
            renamed_columns=dict(document.get("renamed_columns", {})),
            deleted_columns=list(document.get("deleted_columns", [])),
            added_columns=list(document.get("added_columns", [])),
            answer_column=document.get("answer_column"),
        )

    @classmethod
    def from_operations(cls, operations: Iterable[Mapping[str, Any]], shape: Shape) -> Changes:
        """The changes a sequence of operations makes, each checked as it is absorbed."""
        changes = cls()
        for number, operation in enumerate(operations, start=1):
            try:
                changes.apply(operation, shape)
            except AppError as exc:
                raise AppError(f"Operation {number}: {exc.detail}") from None
        return changes


def _column_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise AppError("A column needs a name")
    if len(name) > NAME_MAX_LENGTH:
        raise AppError(f"A column name is at most {NAME_MAX_LENGTH} characters")
    return name.strip()


def _field(operation: Mapping[str, Any], name: str) -> Any:
    if name not in operation:
        raise AppError(f"Operation {operation.get('op')!r} needs {name!r}")
    return operation[name]


def _text_field(operation: Mapping[str, Any], name: str) -> str:
    value = _field(operation, name)
    if not isinstance(value, str):
        raise AppError(f"{name!r} of operation {operation.get('op')!r} must be a string")
    return value


def _row_data(operation: Mapping[str, Any]) -> Mapping[str, Any]:
    data = operation.get("data", {})
    if not isinstance(data, Mapping):
        raise AppError("'data' of operation 'add_row' must be an object of column values")
    return data


_OPERATIONS: dict[str, Any] = {
    "set_cell": lambda c, o, s: c.set_cell(
        RowRef.parse(_field(o, "row")), _text_field(o, "column"), _field(o, "value"), s
    ),
    "add_row": lambda c, o, s: c.add_row(_row_data(o), s),
    "delete_row": lambda c, o, s: c.delete_row(RowRef.parse(_field(o, "row")), s),
    "restore_row": lambda c, o, s: c.restore_row(RowRef.parse(_field(o, "row")), s),
    "add_column": lambda c, o, s: c.add_column(_text_field(o, "column"), s),
    "rename_column": lambda c, o, s: c.rename_column(
        _text_field(o, "column"), _text_field(o, "to"), s
    ),
    "delete_column": lambda c, o, s: c.delete_column(_text_field(o, "column"), s),
    "set_answer_column": lambda c, o, s: c.set_answer_column(_text_field(o, "column"), s),
}
