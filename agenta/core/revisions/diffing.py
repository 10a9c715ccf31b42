"""Compare the data of two revisions field by field, for a side-by-side view.

Both documents are flattened into leaf paths: object keys join with dots
(``parameters.prompt.llm_config.model``), list items take their index
(``parameters.prompt.messages[1].content``), and a key that is not a plain identifier is quoted
(``meta["a.b"]``). Empty objects and lists, and scalars, are leaves. Each path present in either
document becomes one ``FieldRow`` whose status is ``same``, ``changed``, ``added`` or ``removed``;
rows keep the order in which paths first appear (old document first), so related fields stay
together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["same", "changed", "added", "removed"]
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ABSENT: Any = object()


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One leaf path with its value on each side (``None`` with ``has_old``/``has_new`` False
    when the side lacks it)."""

    path: str
    status: Status
    old: Any = None
    new: Any = None

    @property
    def has_old(self) -> bool:
        return self.status != "added"

    @property
    def has_new(self) -> bool:
        return self.status != "removed"


def flatten(document: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(path, value)`` for every leaf of a JSON document, in document order."""
    if isinstance(document, Mapping) and document:
        for key, value in document.items():
            yield from flatten(value, _join(prefix, str(key)))
    elif isinstance(document, list) and document:
        for index, value in enumerate(document):
            yield from flatten(value, f"{prefix}[{index}]")
    else:
        yield prefix, document


def compare_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldRow]:
    """Every leaf path of either document with its status, old paths first."""
    old_leaves = dict(flatten(old))
    new_leaves = dict(flatten(new))
    paths = list(old_leaves) + [path for path in new_leaves if path not in old_leaves]
    rows = []
    for path in paths:
        if path == "":
            continue
        before = old_leaves.get(path, _ABSENT)
        after = new_leaves.get(path, _ABSENT)
        rows.append(_row(path, before, after))
    return rows


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldRow]:
    """Only the rows that differ."""
    return [row for row in compare_fields(old, new) if row.status != "same"]


def _row(path: str, before: Any, after: Any) -> FieldRow:
    if before is _ABSENT:
        return FieldRow(path, "added", new=after)
    if after is _ABSENT:
        return FieldRow(path, "removed", old=before)
    # 1 == 1.0 == True in Python, but they are different JSON values.
    same = type(before) is type(after) and before == after
    return FieldRow(path, "same" if same else "changed", before, after)


def _join(prefix: str, key: str) -> str:
    if _PLAIN_KEY.match(key):
        return f"{prefix}.{key}" if prefix else key
    quoted = '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{prefix}[{quoted}]"
