"""Checks that rows can be stored, whichever path they came by (upload, API, editor, traces).

The codecs check what a file means; this checks what the database can hold, identically on
SQLite and Postgres so a test set never imports on one and fails on the other:

* Postgres ``jsonb`` refuses the NUL character and unpaired UTF-16 surrogates (both legal in JSON
  text), so strings holding either are refused everywhere.
* Numbers must be finite: ``1e400`` reads as infinity, which is not JSON and has no content id.
* Keys must be non-empty strings, and a ``messages`` column must hold chat messages.
* A revision may hold at most ``max_rows`` rows (``settings.testset_max_rows``).

Problems are reported like an import's, as ``TestsetImportError``, naming the row and column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from agenta.core.testsets.codecs import MESSAGES_COLUMN, Problem, messages_problem
from agenta.core.testsets.problems import MAX_PROBLEMS, ProblemLog, TestsetImportError

_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")
MAX_DEPTH = 64


def check_rows(rows: Iterable[Any], *, max_rows: int, noun: str = "row") -> None:
    """Raise ``TestsetImportError`` naming the first problems of ``rows``; else return."""
    log = ProblemLog(MAX_PROBLEMS)
    count = 0
    for index, row in enumerate(rows):
        count += 1
        if not log.full:
            problem = row_problem(row)
            if problem:
                log.add(None, f"{noun} {index + 1}: {problem}")
    if count > max_rows:
        log.add(None, f"the test set would have {count:,} rows; the limit is {max_rows:,}")
    log.raise_if_any()


def check_row_count(count: int, max_rows: int) -> None:
    """Refuse a revision of more than ``max_rows`` rows."""
    if count > max_rows:
        message = f"the test set would have {count:,} rows; the limit is {max_rows:,}"
        raise TestsetImportError([Problem(None, message)])


def row_problem(row: Any) -> str | None:
    """What makes ``row`` unstorable, or ``None``."""
    if not isinstance(row, Mapping):
        return f"must be an object of column values, not {type(row).__name__}"
    for key, value in row.items():
        if not isinstance(key, str) or not key.strip():
            return "has an empty column name"
        problem = value_problem(value)
        if problem:
            return f'column "{key}" {problem}'
    if MESSAGES_COLUMN in row:
        problem = messages_problem(row[MESSAGES_COLUMN])
        if problem:
            return f'column "{MESSAGES_COLUMN}" {problem}'
    return None


def value_problem(value: Any, depth: int = 0) -> str | None:
    """What makes one JSON value unstorable, or ``None``."""
    if isinstance(value, str):
        return _text_problem(value)
    if value is None or isinstance(value, bool | int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "holds a number too large to store"
    if depth >= MAX_DEPTH:
        return f"is nested more than {MAX_DEPTH} levels deep"
    if isinstance(value, list):
        return _first(value_problem(item, depth + 1) for item in value)
    if isinstance(value, dict):
        keys = _first(
            _text_problem(key) if isinstance(key, str) else "has a key that is not text"
            for key in value
        )
        return keys or _first(value_problem(item, depth + 1) for item in value.values())
    return f"holds a {type(value).__name__}, which is not a JSON value"


def _text_problem(text: str) -> str | None:
    found = _UNSTORABLE_TEXT.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character (\\u0000), which cannot be stored"
    return "contains an unpaired UTF-16 surrogate, which is not valid text"


def _first(problems: Iterable[str | None]) -> str | None:
    return next((problem for problem in problems if problem), None)
