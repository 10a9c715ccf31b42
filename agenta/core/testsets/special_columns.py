"""Special columns: per-row information that travels in a file but is not test case data.

Like the original product, a file may carry, next to the data columns:

* ``__id__``: the id of an existing test case to keep (a UUID; empty means "new row");
* ``__flags__``, ``__tags__``, ``__meta__``: JSON objects attached to the test case (in CSV the
  cell holds JSON text; an empty cell means none);
* ``__dedup_id__``: stored in the data as ``testcase_dedup_id``, as the original does.

They are removed from the rows and columns and returned separately, so the data columns are
exactly what templates and evaluators see.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from agenta.core.testsets.problems import ProblemLog
from agenta.core.testsets.table import Table, kind_of

ID_COLUMN = "__id__"
DEDUP_COLUMN = "__dedup_id__"
DEDUP_KEY = "testcase_dedup_id"
ATTRIBUTE_COLUMNS = {"__flags__": "flags", "__tags__": "tags", "__meta__": "meta"}
SPECIAL_COLUMNS = frozenset({ID_COLUMN, DEDUP_COLUMN, *ATTRIBUTE_COLUMNS})

Reporter = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TestcaseAttributes:
    """Flags, tags and meta given for one row by the ``__flags__``/``__tags__``/``__meta__``."""

    __test__ = False

    flags: dict[str, Any] | None = None
    tags: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SpecialValues:
    """Per-row values taken out of the special columns, parallel to the table's rows."""

    ids: list[UUID | None]
    attributes: list[TestcaseAttributes | None]


def split_special_columns(table: Table, log: ProblemLog) -> SpecialValues:
    """Remove the special columns from ``table`` (in place) and return their values."""
    count = len(table.rows)
    present = SPECIAL_COLUMNS.intersection(table.columns)
    values = SpecialValues([None] * count, [None] * count)
    if not present:
        return values
    first_use: dict[UUID, int] = {}
    for index, row in enumerate(table.rows):
        if log.full:
            break
        _split_row(table, index, row, values, first_use, log)
    kept = [column for column in table.columns if column not in SPECIAL_COLUMNS - {DEDUP_COLUMN}]
    table.columns = [_renamed(column) for column in kept]
    return values


def _renamed(column: str) -> str:
    return DEDUP_KEY if column == DEDUP_COLUMN else column


def _split_row(
    table: Table,
    index: int,
    row: dict[str, Any],
    values: SpecialValues,
    first_use: dict[UUID, int],
    log: ProblemLog,
) -> None:
    def report(message: str) -> None:
        log.add(table.locate(index), f"{table.label(index)}: {message}")

    if ID_COLUMN in row:
        values.ids[index] = _row_id(row.pop(ID_COLUMN), index, first_use, table, report)
    if DEDUP_COLUMN in row:
        row[DEDUP_KEY] = row.pop(DEDUP_COLUMN)
    found = {
        name: _attribute(row.pop(column), column, table.text_cells, report)
        for column, name in ATTRIBUTE_COLUMNS.items()
        if column in row
    }
    if any(value is not None for value in found.values()):
        values.attributes[index] = TestcaseAttributes(**found)
    if not row:
        report("has no data besides its special columns")


def _row_id(
    value: Any, index: int, first_use: dict[UUID, int], table: Table, report: Reporter
) -> UUID | None:
    if value is None or value == "":
        return None
    try:
        row_id = UUID(value) if isinstance(value, str) else None
    except ValueError:
        row_id = None
    if row_id is None:
        report(f"{ID_COLUMN} must be a test case id (a UUID), not {_shown(value)}")
        return None
    if row_id in first_use:
        report(f"{ID_COLUMN} {row_id} is also used by {table.label(first_use[row_id])}")
        return None
    first_use[row_id] = index
    return row_id


def _attribute(
    value: Any, column: str, text_cells: bool, report: Reporter
) -> dict[str, Any] | None:
    if text_cells:
        if not value.strip():
            return None
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            report(f"{column} must hold a JSON object, not {_shown(value)}")
            return None
    if value is None or isinstance(value, dict):
        return value
    report(f"{column} must hold a JSON object, not {kind_of(value)}")
    return None


def _shown(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
