"""Reading JSON (an array of objects) and JSON Lines uploads into a ``Table``.

Values keep their JSON types. Each record must be a non-empty object without an empty key.
``NaN`` and ``Infinity``, which Python's parser accepts by default, are refused: they are not
JSON and other tools cannot read them back.

A JSON array is parsed in one call to the C parser, which knows nothing about item positions.
Line numbers are therefore computed only when a problem needs one, by walking the array item by
item with ``raw_decode``; the common, valid upload pays nothing for them. JSON Lines are parsed
line by line, so their line numbers come for free.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from agenta.core.testsets.problems import ProblemLog
from agenta.core.testsets.table import Table, columns_of, iter_lines, kind_of

_BETWEEN_ITEMS = re.compile(r"[\s,]*")
TOO_DEEP = "values are nested too deeply to be read"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON; use null or a string instead")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def read_json(text: str, log: ProblemLog, max_rows: int) -> Table | None:
    """Parse a JSON array of objects; problems go to ``log``."""
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        log.add(exc.lineno, _syntax_message(exc))
        return None
    except ValueError as exc:
        log.add(None, str(exc))
        return None
    except RecursionError:
        log.add(None, TOO_DEEP)
        return None
    if not isinstance(value, list):
        log.add(1, _not_an_array(value))
        return None
    if not value:
        log.add(1, "the JSON array is empty; a test set needs at least one object")
        return None
    if len(value) > max_rows:
        log.add(None, f"the file has {len(value):,} items; the limit is {max_rows:,} rows")
        return None
    locate = _ItemLines(text)
    if not all(_is_record(item) for item in value):
        for index, item in enumerate(value):
            _check_record(item, f"item {index + 1}", lambda i=index: locate(i), log)
            if log.full:
                break
        return None
    return Table(columns_of(value), value, locate, "item", False)


def read_jsonl(text: str, log: ProblemLog, max_rows: int) -> Table | None:
    """Parse JSON Lines (one object per line, blank lines ignored); problems go to ``log``."""
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    for number, raw in enumerate(iter_lines(text, keep_ends=False), start=1):
        if not raw or raw.isspace():
            continue
        if len(rows) == max_rows:
            log.add(number, f"the file has more than {max_rows:,} rows, the limit")
            return None
        item = _decode_line(raw, number, log)
        _check_record(item, f"row {len(rows) + 1}", lambda n=number: n, log)
        rows.append(item)
        lines.append(number)
        if log.full:
            return None
    if not rows and not log:
        log.add(None, "the file holds no JSON objects")
    if log:
        return None
    return Table(columns_of(rows), rows, lines.__getitem__, "row", False)


def _decode_line(raw: str, number: int, log: ProblemLog) -> Any:
    try:
        return _DECODER.decode(raw)
    except json.JSONDecodeError as exc:
        hint = _jsonl_hint(raw)
        log.add(number, f"invalid JSON: {exc.msg} (column {exc.colno}){hint}")
    except ValueError as exc:
        log.add(number, str(exc))
    except RecursionError:
        log.add(number, TOO_DEEP)
    return _BROKEN


# Stands in for a line that did not parse, so it is not reported a second time as "not an object".
_BROKEN: Any = object()


def _jsonl_hint(raw: str) -> str:
    stripped = raw.strip()
    if stripped in {"[", "{"} or (stripped.startswith('"') and stripped.endswith(",")):
        return "; each line must hold one complete object (is this a pretty-printed JSON file?)"
    return ""


def _is_record(item: Any) -> bool:
    return isinstance(item, dict) and bool(item) and "" not in item


def _check_record(item: Any, label: str, locate: Callable[[], int | None], log: ProblemLog) -> None:
    if item is _BROKEN or _is_record(item):
        return
    if not isinstance(item, dict):
        log.add(locate(), f"{label} is {kind_of(item)}; each test case must be a JSON object")
    elif not item:
        log.add(locate(), f"{label} is an empty object; a test case needs at least one field")
    elif "" in item:
        log.add(locate(), f"{label} has a key with an empty name")


def _syntax_message(exc: json.JSONDecodeError) -> str:
    message = f"invalid JSON: {exc.msg} (column {exc.colno})"
    if exc.msg == "Extra data":
        return (
            f"{message}; the file holds more than one JSON value. If it has one object per"
            " line, upload it as JSON Lines (.jsonl)"
        )
    return message


def _not_an_array(value: Any) -> str:
    message = f"the file must hold a JSON array of objects, but it holds {kind_of(value)}"
    if isinstance(value, dict):
        lists = [key for key, inner in value.items() if isinstance(inner, list)]
        if len(lists) == 1:
            return f'{message}; did you mean to upload only the array under "{lists[0]}"?'
    return message


class _ItemLines:
    """Line where each array item starts; computed on first use, then cached."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[int] | None = None

    def __call__(self, index: int) -> int | None:
        if self._lines is None:
            self._lines = _item_lines(self._text)
        return self._lines[index] if index < len(self._lines) else None


def _item_lines(text: str) -> list[int]:
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    lines: list[int] = []
    line, counted = 1, 0
    while True:
        separator = _BETWEEN_ITEMS.match(text, position)
        position = separator.end() if separator else position
        if position >= len(text) or text[position] == "]":
            return lines
        line += text.count("\n", counted, position)
        counted = position
        lines.append(line)
        _, position = decoder.raw_decode(text, position)
