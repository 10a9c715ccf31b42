"""Reading CSV uploads into a ``Table``.

Design:

* The delimiter is a comma, a semicolon or a tab, chosen by parsing the first records with each
  and keeping the one that gives a multi-column header with a consistent width (ties go to the
  comma). An Excel ``sep=X`` first line overrides the guess.
* Parsing uses the standard ``csv`` module in strict mode, so quoted values
  may hold delimiters, doubled quotes and line breaks. A record's line number is the physical line
  where it starts (one more than the lines consumed before it), so lines are counted correctly
  even when earlier values span several lines.
* Windows line endings are normalised to ``\\n`` while reading: the line break convention of the
  machine that saved the file is not part of the data, and keeping ``\\r\\n`` inside values would
  give the same row different content ids depending on who exported it. The text is fed to the
  parser line by line, so a large file is never copied whole.
* Cells stay strings, exactly as written (no trimming, no type guessing: "007" stays "007" and
  "true" stays "true"). Header names are trimmed, since " answer" is never meant.
* Tolerated, with a warning: blank lines, rows whose fields are all empty, and header columns
  without a name and without any value (spreadsheets leave both behind); rows may also leave out
  the nameless columns a header ends with. Everything else that is off (duplicate or missing
  names on columns holding data, rows with too many or too few fields, broken quotes, NUL bytes)
  is a problem that refuses the file.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

from agenta.core.testsets.problems import Problem, ProblemLog
from agenta.core.testsets.table import Table, iter_lines

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "a comma", ";": "a semicolon", "\t": "a tab"}
_SNIFF_CHARS = 64 * 1024
_SNIFF_RECORDS = 50
_EXCEL_SEP_HINT = re.compile(r"sep=(.)\r?\n")

Record = tuple[int, list[str]]


def read_csv(text: str, log: ProblemLog, max_rows: int) -> Table | None:
    """Parse CSV text; problems go to ``log``; ``None`` when there is nothing usable."""
    if "\n" not in text:
        text = text.replace("\r", "\n")  # classic Mac line endings, still written by some tools
    if _has_nul(text, log):
        return None
    hint = _EXCEL_SEP_HINT.match(text)
    delimiter = hint.group(1) if hint else detect_delimiter(text)
    # Values may legitimately be long documents; the file size limit already bounds them.
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))
    lines = iter_lines(text, keep_ends=True)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    records = _records(reader, log, delimiter)
    if hint:
        next(records, None)
    header = next((record for record in records if any(record[1])), None)
    if header is None:
        log.add(None, "the file has no header row")
        return None
    return _read_body(header, records, log, max_rows, delimiter)


def detect_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever gives the widest consistent header (comma on ties)."""
    sample = text[:_SNIFF_CHARS]
    cut = len(text) > len(sample)
    return max(DELIMITERS, key=lambda delimiter: _delimiter_score(sample, delimiter, cut))


def _delimiter_score(sample: str, delimiter: str, cut: bool) -> tuple[bool, bool, int]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    try:
        records = [r for r in itertools.islice(reader, _SNIFF_RECORDS) if r]
    except csv.Error:
        return (False, False, 0)
    if cut and len(records) < _SNIFF_RECORDS and len(records) > 1:
        records.pop()  # the sample may end in the middle of this record
    if not records:
        return (False, False, 0)
    width = len(records[0])
    consistent = all(len(record) == width for record in records[1:])
    return (width > 1 and consistent, width > 1, width)


def _has_nul(text: str, log: ProblemLog) -> bool:
    position = text.find("\x00")
    if position < 0:
        return False
    line = text.count("\n", 0, position) + 1
    log.add(line, "the file contains NUL bytes: it is binary, or text in UTF-16 rather than UTF-8")
    return True


def _records(reader: Any, log: ProblemLog, delimiter: str) -> Iterator[Record]:
    """Yield (start line, fields); parse errors are logged and the reader moves on."""
    while not log.full:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            log.add(line, _explain(exc, delimiter, reader.line_num, line))
            continue
        yield line, fields


def _explain(exc: csv.Error, delimiter: str, end_line: int, line: int) -> str:
    text = str(exc)
    if "expected after" in text:
        where = f" (on line {end_line})" if end_line != line else ""
        name = DELIMITER_NAMES.get(delimiter, repr(delimiter))
        return (
            f"a closing quote{where} must be followed by {name}"
            ' or the end of the line; to put a quote inside a quoted value, double it ("")'
        )
    if "unexpected end of data" in text:
        return "a quoted value starting in this row is never closed (the file ends inside quotes)"
    if "new-line character" in text:
        return "a line break (\\r) inside a value that is not in double quotes"
    return f"unreadable CSV ({text})"


def _read_body(
    header: Record, records: Iterator[Record], log: ProblemLog, max_rows: int, delimiter: str
) -> Table | None:
    header_line, names = header
    names = [name.strip() for name in names]
    _check_duplicate_names(names, header_line, log)
    unnamed = [index for index, name in enumerate(names) if not name]
    # Rows may leave out the nameless columns a header ends with (a stray trailing delimiter).
    shortest = _width_without_trailing_unnamed(names)
    builder = _row_builder(names, unnamed)
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    empty_lines: list[int] = []
    filled_unnamed: set[int] = set()
    for line, fields in records:
        if not any(fields):
            if fields:
                empty_lines.append(line)
            continue
        if not shortest <= len(fields) <= len(names):
            log.add(line, _width_message(len(fields), len(names), delimiter))
            continue
        if len(rows) == max_rows:
            log.add(line, f"the file has more than {max_rows:,} rows, the limit")
            return None
        _check_unnamed(fields, unnamed, filled_unnamed, line, log)
        if not log:
            rows.append(builder(fields))
            lines.append(line)
    if not rows and not log:
        log.add(header_line, "the file has a header but no rows")
    columns = [name for name in names if name]
    warnings = _warnings(unnamed, empty_lines, header_line)
    return Table(columns, rows, lines.__getitem__, "row", True, warnings)


def _width_without_trailing_unnamed(names: list[str]) -> int:
    width = len(names)
    while width > 1 and not names[width - 1]:
        width -= 1
    return width


def _check_duplicate_names(names: list[str], line: int, log: ProblemLog) -> None:
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(names, start=1):
        if name:
            positions.setdefault(name, []).append(index)
    for name, where in positions.items():
        if len(where) > 1:
            columns = ", ".join(str(index) for index in where)
            log.add(line, f'the header names column "{name}" more than once (columns {columns})')


def _row_builder(names: list[str], unnamed: list[int]) -> Callable[[list[str]], dict[str, Any]]:
    if not unnamed:
        return lambda fields: dict(zip(names, fields, strict=True))
    named = [(index, name) for index, name in enumerate(names) if name]
    return lambda fields: {name: fields[index] for index, name in named}


def _check_unnamed(
    fields: list[str], unnamed: list[int], reported: set[int], line: int, log: ProblemLog
) -> None:
    for index in unnamed:
        if index < len(fields) and fields[index] and index not in reported:
            reported.add(index)
            log.add(
                line,
                f"column {index + 1} has a value ({_preview(fields[index])}) but no name in the"
                " header",
            )


def _width_message(found: int, expected: int, delimiter: str) -> str:
    fields = "field" if found == 1 else "fields"
    message = f"this row has {found} {fields} but the header has {expected} columns"
    if found > expected:
        name = DELIMITER_NAMES.get(delimiter, repr(delimiter))
        return f"{message}; a value containing {name} must be put in double quotes"
    return message


def _warnings(unnamed: list[int], empty_lines: list[int], header_line: int) -> list[Problem]:
    warnings = []
    if unnamed:
        columns = ", ".join(str(index + 1) for index in unnamed)
        warnings.append(Problem(header_line, f"ignored empty columns without a name: {columns}"))
    if empty_lines:
        shown = ", ".join(str(line) for line in empty_lines[:10])
        more = ", ..." if len(empty_lines) > 10 else ""
        rows, lines = ("row", "line") if len(empty_lines) == 1 else ("rows", "lines")
        message = f"skipped {len(empty_lines)} empty {rows} ({lines} {shown}{more})"
        warnings.append(Problem(None, message))
    return warnings


def _preview(value: str, limit: int = 30) -> str:
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(shown)
