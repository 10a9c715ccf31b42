"""The in-between shape every reader produces, and the column rule shared by import and export.

A ``Table`` is what a format reader hands to the format-independent checks (special columns, chat
messages): the rows as dicts, their column order, and a way to point a problem at the right place
in the original file. Readers know line numbers cheaply in different ways (CSV while parsing, JSON
only by rescanning), so the location is a function rather than a list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from agenta.core.testsets.problems import Problem


def kind_of(value: Any) -> str:
    """A JSON value's type as messages name it: "a string", "an array", "null"..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    names = {int: "a number", float: "a number", str: "a string", list: "an array"}
    return names.get(type(value), "an object" if isinstance(value, dict) else type(value).__name__)


def columns_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The union of the rows' keys, in the order they are first seen."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            if key not in seen:
                seen[key] = None
    return list(seen)


@dataclass(slots=True)
class Table:
    """Rows read from one file, before special columns and chat messages are checked.

    ``locate(index)`` gives the file line where row ``index`` (0-based) starts, when known.
    ``noun`` is how the format calls one record in messages ("row" for CSV and JSONL, "item"
    for a JSON array). ``text_cells`` is true when every value is still the raw text of a cell
    (CSV), so structured special columns must be decoded from JSON text.
    """

    columns: list[str]
    rows: list[dict[str, Any]]
    locate: Callable[[int], int | None]
    noun: str
    text_cells: bool
    warnings: list[Problem] = field(default_factory=list)

    def label(self, index: int) -> str:
        """How a message names row ``index``, e.g. ``row 3`` (1-based, data rows only)."""
        return f"{self.noun} {index + 1}"


def iter_lines(text: str, *, keep_ends: bool) -> Iterator[str]:
    """The physical lines of ``text`` (split on ``\\n`` only), without copying the whole text.

    ``str.split`` and ``io.StringIO`` would each hold a second copy of a file that may be
    hundreds of megabytes once decoded; yielding slices keeps one line alive at a time. A
    ``\\r\\n`` ending becomes ``\\n`` when ends are kept, and is dropped with the rest otherwise.
    """
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        line = text[start : end + 1]
        start = end + 1
        if keep_ends:
            yield line[:-2] + "\n" if line.endswith("\r\n") else line
        else:
            yield line[:-2] if line.endswith("\r\n") else line[:-1]
