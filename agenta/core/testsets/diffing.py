"""What changed between two revisions of a test set: ``diff_revisions``.

Rows are given as ``(id, data)`` pairs in revision order. Rows are matched in three passes, each
over the rows the previous passes left unmatched:

1. Same id: the same row (changed if the data differ, which happens when an edit kept the id).
2. Same values in every column both revisions have: the same row whose other columns were
   renamed, added or dropped. Content-addressed ids change with any of these, so pass 1 misses
   them.
3. Position: rows sitting after the same matched row are paired in order, as a spreadsheet user
   sees an edited row. Leftovers are added or removed rows.

An id or a set of values listed twice is matched occurrence by occurrence. A removed column and
an added column are a rename when the old column's value equals the new one's in more than half
of the matched rows (some of them non-empty) and no other column pair fits as well. Renamed
values are compared under their new name, so a row whose only difference is the rename is not
reported as changed.
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from agenta.core.testsets.identity import canonical_json
from agenta.core.testsets.table import columns_of

Row = tuple[UUID, Mapping[str, Any]]
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
        changes = (self.added_rows, self.removed_rows, self.changed_rows)
        columns = (self.added_columns, self.removed_columns, self.renamed_columns)
        return not any(changes) and not any(columns) and not self.reordered


def diff_revisions(old_rows: Iterable[Row], new_rows: Iterable[Row]) -> RevisionDiff:
    """Compare two revisions given as ``(id, data)`` pairs in order."""
    old, new = list(old_rows), list(new_rows)
    old_columns = columns_of(data for _, data in old)
    new_columns = columns_of(data for _, data in new)
    by_id = _match([row_id for row_id, _ in old], [row_id for row_id, _ in new])
    shared = [column for column in new_columns if column in set(old_columns)]
    skip_new = set(by_id.values())
    matched = by_id | _match(_signatures(old, by_id, shared), _signatures(new, skip_new, shared))
    by_position, removed, added = _pair_by_position(len(old), len(new), matched)
    pairs = [(old[a], new[b]) for a, b in sorted([*matched.items(), *by_position], key=_second)]
    renames = _renames(pairs, old_columns, new_columns)
    changed = [change for change in (_change(a, b, renames) for a, b in pairs) if change]
    kept_order = [a for a, _ in sorted(matched.items(), key=_second)]
    return RevisionDiff(
        added_rows=[new[position][0] for position in added],
        removed_rows=[old[position][0] for position in removed],
        changed_rows=changed,
        unchanged_rows=len(pairs) - len(changed),
        added_columns=[c for c in new_columns if c not in {*old_columns, *renames.values()}],
        removed_columns=[c for c in old_columns if c not in {*new_columns, *renames}],
        renamed_columns=renames,
        reordered=kept_order != sorted(kept_order),
    )


def _second(pair: tuple[int, int]) -> int:
    return pair[1]


def _match(old_keys: list[Hashable], new_keys: list[Hashable]) -> dict[int, int]:
    """Old position to new position for equal keys, occurrence by occurrence; None never matches."""
    old_at = {key: position for position, key in _numbered(old_keys)}
    return {old_at[key]: position for position, key in _numbered(new_keys) if key in old_at}


def _numbered(keys: list[Hashable]) -> Iterator[tuple[int, tuple[Hashable, int]]]:
    seen: dict[Hashable, int] = {}
    for position, key in enumerate(keys):
        if key is not None:
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            yield position, (key, occurrence)


def _signatures(rows: list[Row], skip: Container[int], shared: list[str]) -> list[Hashable]:
    """Each unmatched row's values in the shared columns, as canonical JSON (None if skipped)."""
    signatures: list[Hashable] = []
    for position, (_, data) in enumerate(rows):
        if position in skip:
            signatures.append(None)
        else:
            signatures.append(canonical_json({c: data[c] for c in shared if c in data}))
    return signatures


def _pair_by_position(
    old_count: int, new_count: int, matched: dict[int, int]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair unmatched positions that follow the same matched row; return pairs and leftovers."""
    old_groups = _unmatched_by_anchor(range(old_count), {a: a for a in matched})
    new_groups = _unmatched_by_anchor(range(new_count), {b: a for a, b in matched.items()})
    pairs: list[tuple[int, int]] = []
    removed: list[int] = []
    added: list[int] = []
    for anchor in dict.fromkeys([*old_groups, *new_groups]):
        before, after = old_groups.get(anchor, []), new_groups.get(anchor, [])
        pairs += zip(before, after, strict=False)
        removed += before[len(after) :]
        added += after[len(before) :]
    return pairs, sorted(removed), sorted(added)


def _unmatched_by_anchor(
    positions: range, anchor_of: dict[int, int]
) -> dict[int | None, list[int]]:
    """Group unmatched positions under the last matched row before them (``None`` at the start).

    ``anchor_of`` names each matched position by the old position of its pair, so both
    revisions use the same anchor names.
    """
    groups: dict[int | None, list[int]] = {}
    anchor: int | None = None
    for position in positions:
        if position in anchor_of:
            anchor = anchor_of[position]
        else:
            groups.setdefault(anchor, []).append(position)
    return groups


def _renames(
    pairs: list[tuple[Row, Row]], old_columns: list[str], new_columns: list[str]
) -> dict[str, str]:
    gone = [column for column in old_columns if column not in new_columns]
    came = [column for column in new_columns if column not in old_columns]
    fits = [(a, b) for a in gone for b in came if _mostly_same(pairs, a, b)]
    # Only unambiguous pairs: a column that fits two others is left as removed/added.
    return {a: b for a, b in fits if sum(1 for x, y in fits if x == a or y == b) == 1}


def _mostly_same(pairs: list[tuple[Row, Row]], old_column: str, new_column: str) -> bool:
    agree = filled = 0
    for (_, old), (_, new) in pairs:
        value = old.get(old_column, _MISSING)
        if value == new.get(new_column, _MISSING):
            agree += 1
            filled += not (value is _MISSING or value is None or value == "")
    return filled > 0 and agree * 2 > len(pairs)


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
