"""Turning an uploaded file into test set rows: ``parse_upload``.

The pipeline is: size limit, refuse known non-text files (Excel workbooks, UTF-16), decode UTF-8
(a byte order mark is allowed), pick the format, read the format into a ``Table``, take out the
special columns, validate chat messages. Every stage adds to one ``ProblemLog``; if anything was
recorded the whole file is refused with ``TestsetImportError``, so an upload is never half
imported.

The format is, in order of authority: the ``fmt`` argument, the file name's extension, the
declared content type, and finally the content itself (``[`` starts JSON, ``{`` starts JSON
Lines unless the whole text is one object, anything else is CSV).

Value types: JSON and JSON Lines keep their types. CSV cells stay strings (see ``csv_reading``);
the only decoded CSV columns are ``messages`` and the special columns, whose content is JSON by
definition. We never guess that "42" was meant as a number: a guess that is wrong silently
changes what a prompt or an exact-match evaluator sees.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any
from uuid import UUID

from agenta.core.testsets.chat import MESSAGES_COLUMN, check_messages_column
from agenta.core.testsets.csv_reading import read_csv
from agenta.core.testsets.json_reading import read_json, read_jsonl
from agenta.core.testsets.problems import (
    MAX_PROBLEMS,
    Problem,
    ProblemLog,
    TestsetImportError,
    refuse,
)
from agenta.core.testsets.special_columns import TestcaseAttributes, split_special_columns
from agenta.core.testsets.table import Table

FORMATS = ("csv", "json", "jsonl")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_ROWS = 100_000

_FORMAT_NAMES = {"csv": "csv", "tsv": "csv", "json": "json", "jsonl": "jsonl", "ndjson": "jsonl"}
_FORMAT_NAMES |= {"jsonlines": "jsonl"}
_CONTENT_TYPES = {
    "text/csv": "csv",
    "application/csv": "csv",
    "text/tab-separated-values": "csv",
    # Browsers on Windows send this for .csv files when Excel is installed.
    "application/vnd.ms-excel": "csv",
    "application/json": "json",
    "text/json": "json",
    "application/x-ndjson": "jsonl",
    "application/ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "application/jsonlines": "jsonl",
}
_FIRST_VISIBLE = re.compile(r"\S")
_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".numbers"}
_WORKBOOK_MESSAGE = "this is a spreadsheet workbook, not a CSV file; save it as CSV UTF-8 first"

Reader = Callable[[str, ProblemLog, int], Table | None]
_READERS: dict[str, Reader] = {"csv": read_csv, "json": read_json, "jsonl": read_jsonl}


@dataclass(frozen=True, slots=True)
class ParsedTestset:
    """A successfully read file.

    ``rows`` hold the data only; ``ids`` and ``attributes`` are parallel to ``rows`` and carry
    what the special columns said (``None`` where nothing was given). ``warnings`` lists what
    was tolerated, e.g. skipped empty rows.
    """

    columns: list[str]
    rows: list[dict[str, Any]]
    format: str
    ids: list[UUID | None] = field(default_factory=list)
    attributes: list[TestcaseAttributes | None] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def is_chat(self) -> bool:
        """True for chat test sets, which have a ``messages`` column."""
        return MESSAGES_COLUMN in self.columns


def parse_upload(
    data: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    fmt: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ParsedTestset:
    """Read an uploaded CSV, JSON or JSON Lines file, or raise ``TestsetImportError``."""
    _check_size(data, max_bytes)
    _refuse_non_text(data, filename)
    text = decode_utf8(data)
    if not text or text.isspace():
        raise refuse("the file is empty")
    format_ = resolve_format(text, filename=filename, content_type=content_type, fmt=fmt)
    log = ProblemLog(MAX_PROBLEMS)
    table = _READERS[format_](text, log, max_rows)
    log.raise_if_any()
    if table is None:  # readers log why they give up, so this is only a safety net
        raise refuse("the file could not be read")
    specials = split_special_columns(table, log)
    check_messages_column(table, log)
    log.raise_if_any()
    return ParsedTestset(
        columns=table.columns,
        rows=table.rows,
        format=format_,
        ids=specials.ids,
        attributes=specials.attributes,
        warnings=table.warnings,
    )


def resolve_format(
    text: str, *, filename: str | None, content_type: str | None, fmt: str | None
) -> str:
    """The upload's format: explicit ``fmt``, else extension, else content type, else content."""
    if fmt:
        named = _FORMAT_NAMES.get(fmt.strip().lower().lstrip("."))
        if named is None:
            raise refuse(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        return named
    suffix = PurePath(filename).suffix.lower().lstrip(".") if filename else ""
    declared = (content_type or "").split(";")[0].strip().lower()
    return _FORMAT_NAMES.get(suffix) or _CONTENT_TYPES.get(declared) or sniff_format(text)


def sniff_format(text: str) -> str:
    """Guess the format from the content alone."""
    first = _FIRST_VISIBLE.search(text)
    start = first.group() if first else ""
    if start == "[":
        return "json"
    if start != "{":
        return "csv"
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return "jsonl"
    # One object: a single-line file is valid JSON Lines; a multi-line one is a JSON object,
    # and the JSON reader will explain that an array was expected.
    return "jsonl" if "\n" not in text.strip() else "json"


def decode_utf8(data: bytes) -> str:
    """Decode UTF-8 (with or without a byte order mark); invalid bytes are located precisely."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise refuse("the file is UTF-16 text; save it as UTF-8 (in Excel: CSV UTF-8)")
    offset = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[offset:].decode("utf-8")
    except UnicodeDecodeError:
        log = ProblemLog(MAX_PROBLEMS)
        _locate_invalid_utf8(data, offset, log)
        raise TestsetImportError(log.problems, truncated=log.full) from None


def _locate_invalid_utf8(data: bytes, position: int, log: ProblemLog) -> None:
    """Log each invalid byte sequence from ``position`` on, with its line and byte offset."""
    line, counted = 1, 0
    while not log.full:
        try:
            data[position:].decode("utf-8")
            return
        except UnicodeDecodeError as exc:
            bad, position = position + exc.start, position + exc.end
        line += data.count(b"\n", counted, bad)
        counted = bad
        hint = "" if log else "; save the file as UTF-8 (it may be in Windows-1252 or Latin-1)"
        log.add(line, f"invalid UTF-8 byte 0x{data[bad]:02x} at byte offset {bad}{hint}")


def _check_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise refuse(f"the file is {_size(len(data))}; the limit is {_size(max_bytes)}")


def _refuse_non_text(data: bytes, filename: str | None) -> None:
    suffix = PurePath(filename).suffix.lower() if filename else ""
    # ZIP (xlsx, ods, numbers) and OLE2 (xls) signatures.
    if suffix in _WORKBOOK_SUFFIXES or data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise refuse(_WORKBOOK_MESSAGE)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count} bytes"
