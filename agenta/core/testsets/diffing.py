"""What changed between two revisions of a test set: ``diff_revisions``.

Rows are given as ``(id, data)`` pairs in revision order. Matching happens in three steps:

1. Rows with the same id are the same row (changed if their data differ, which happens when an
   edit kept the id). An id listed twice (two identical rows) is matched occurrence by occurrence.
2. Content-addressed ids change whenever a cell changes, so the remaining rows are paired by
   position: rows that sit between the same two matched rows (or at the same end) are paired in
   order, as a spreadsheet user would see them. Leftovers are added or removed rows.
3. A removed column and an added column are a rename when, across all paired rows, the old
   column's values equal the new column's (with at least one non-empty value) and no other
   column pair fits as well. Renamed values are compared under their new name, so a row whose
   only difference is the rename is not reported as changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from agenta.core.testsets.table import columns_of

Row = tuple[UUID, Mapping[str, Any]]
Key = tuple[UUID, int]
_MISSING = object()


@dataclass(frozen=True, slots=True)
class ChangedRow:
    """A row present in both revisions with different data; ``columns`` use the new names."""

    old_id: UUID
    new_id: UUID
    columns: list[str]
    old: Mapping[str, Any]
    new: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RevisionDiff:
    """Row and column changes from an old revision to a new one."""

    added_rows: list[UUID] = field(default_factory=list)
    removed_rows: list[UUID] = field(default_factory=list)
    changed_rows: list[ChangedRow] = field(default_factory=list)
    unchanged_rows: int = 0
    added_columns: list[str] = field(default_factory=list)
    removed_columns: list[str] = field(default_factory=list)
    renamed_columns: dict[str, str] = field(default_factory=dict)
    reordered: bool = False

    @property
    def is_empty(self) -> bool:
        """True when the revisions hold the same rows, columns and order."""
        changes = (self.added_rows, self.removed_rows, self.changed_rows, self.added_columns)
        return not any(changes) and not self.removed_columns and not self.reordered


def diff_revisions(old_rows: Iterable[Row], new_rows: Iterable[Row]) -> RevisionDiff:
    """Compare two revisions given as ``(id, data)`` pairs in order."""
    old, new = list(old_rows), list(new_rows)
    old_keys, new_keys = _occurrence_keys(old), _occurrence_keys(new)
    common = set(old_keys) & set(new_keys)
    old_position = {key: position for position, key in enumerate(old_keys) if key in common}
    by_id = [
        (old_position[key], position) for position, key in enumerate(new_keys) if key in common
    ]
    by_position, removed, added = _pair_by_position(old_keys, new_keys, common)
    pairs = [(old[a], new[b]) for a, b in sorted(by_id + by_position, key=lambda pair: pair[1])]
    old_columns = columns_of(data for _, data in old)
    new_columns = columns_of(data for _, data in new)
    renames = _renames(pairs, old_columns, new_columns)
    changed = [change for change in (_change(a, b, renames) for a, b in pairs) if change]
    return RevisionDiff(
        added_rows=[new[position][0] for position in added],
        removed_rows=[old[position][0] for position in removed],
        changed_rows=changed,
        unchanged_rows=len(pairs) - len(changed),
        added_columns=[
            c for c in new_columns if c not in old_columns and c not in renames.values()
        ],
        removed_columns=[c for c in old_columns if c not in new_columns and c not in renames],
        renamed_columns=renames,
        reordered=[pair[0] for pair in by_id] != sorted(pair[0] for pair in by_id),
    )


def _occurrence_keys(rows: list[Row]) -> list[tuple[UUID, int]]:
    """Each row's (id, occurrence number), so repeated ids stay distinguishable."""
    seen: dict[UUID, int] = {}
    keys = []
    for row_id, _ in rows:
        occurrence = seen.get(row_id, 0)
        seen[row_id] = occurrence + 1
        keys.append((row_id, occurrence))
    return keys


def _pair_by_position(
    old_keys: list[Key], new_keys: list[Key], common: set[Key]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair unmatched positions that sit after the same matched row; return pairs and leftovers."""
    old_groups = _unmatched_by_anchor(old_keys, common)
    new_groups = _unmatched_by_anchor(new_keys, common)
    pairs: list[tuple[int, int]] = []
    removed: list[int] = []
    added: list[int] = []
    for anchor in dict.fromkeys([*old_groups, *new_groups]):
        before, after = old_groups.get(anchor, []), new_groups.get(anchor, [])
        pairs += zip(before, after, strict=False)
        removed += before[len(after) :]
        added += after[len(before) :]
    return pairs, sorted(removed), sorted(added)


def _unmatched_by_anchor(keys: list[Key], common: set[Key]) -> dict[Key | None, list[int]]:
    """Group unmatched positions under the last matched row before them (``None`` at the start)."""
    groups: dict[Key | None, list[int]] = {}
    anchor: Key | None = None
    for position, key in enumerate(keys):
        if key in common:
            anchor = key
        else:
            groups.setdefault(anchor, []).append(position)
    return groups


def _renames(
    pairs: list[tuple[Row, Row]], old_columns: list[str], new_columns: list[str]
) -> dict[str, str]:
    gone = [column for column in old_columns if column not in new_columns]
    came = [column for column in new_columns if column not in old_columns]
    fits = [(a, b) for a in gone for b in came if _same_values(pairs, a, b)]
    # Only unambiguous pairs: a column that fits two others is left as removed/added.
    return {a: b for a, b in fits if sum(1 for x, y in fits if x == a or y == b) == 1}


def _same_values(pairs: list[tuple[Row, Row]], old_column: str, new_column: str) -> bool:
    filled = False
    for (_, old), (_, new) in pairs:
        value = old.get(old_column, _MISSING)
        if value != new.get(new_column, _MISSING):
            return False
        filled = filled or not (value is _MISSING or value is None or value == "")
    return filled


def _change(old_row: Row, new_row: Row, renames: dict[str, str]) -> ChangedRow | None:
    (old_id, old), (new_id, new) = old_row, new_row
    renamed = {renames.get(key, key): value for key, value in old.items()}
    columns = [
        key
        for key in dict.fromkeys([*new, *renamed])
        if renamed.get(key, _MISSING) != new.get(key, _MISSING)
    ]
    if not columns:
        return None
    return ChangedRow(old_id, new_id, columns, old, new)
