"""Writing test set rows as CSV, JSON or JSON Lines, as a stream of byte chunks.

``export_rows`` is a generator: rows are encoded as they are pulled and handed out in chunks of
about 64 KiB, so a 100,000-row revision never exists as one big string and an HTTP response can
start before the last row is read. Pass ``columns`` to keep it fully streaming; without them the
rows are gathered first to learn the columns.

Column order is ``columns`` (or first-seen key order). JSON and JSON Lines objects list their
keys in that order and keep value types; keys a row does not have are left out, never invented,
and keys outside ``columns`` are not exported.
In CSV, strings are written as they are, missing values and ``null`` as empty cells, and every
other value (numbers, booleans, lists, objects) as JSON text, which is how a ``messages`` cell
is read back. Reading CSV back yields strings for those other columns: the CSV round trip is
exact for text, and for ``messages``.

When ``ids`` are given, an ``__id__`` column comes first so a re-import keeps the test case ids.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any
from uuid import UUID

from agenta.core.testsets.special_columns import ID_COLUMN
from agenta.core.testsets.table import columns_of

EXPORT_FORMATS = ("csv", "json", "jsonl")
CHUNK_CHARS = 64 * 1024
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json", "jsonl": "application/x-ndjson"}

Row = Mapping[str, Any]

_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def export_rows(
    rows: Iterable[Row],
    columns: Sequence[str] | None,
    fmt: str,
    *,
    ids: Iterable[UUID] | None = None,
    bom: bool = False,
) -> Iterator[bytes]:
    """Encode ``rows`` as ``fmt`` ("csv", "json" or "jsonl"), yielding UTF-8 chunks.

    ``bom`` starts the output with a UTF-8 byte order mark, which Excel needs to read non-ASCII
    text correctly; leave it off for programs.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {EXPORT_FORMATS}")
    if columns is None:
        rows = list(rows)
        columns = columns_of(rows)
    pieces = _PIECES[fmt](rows, list(columns), ids)
    return _chunked(pieces, prefix="\ufeff" if bom else "")


def _chunked(pieces: Iterator[str], prefix: str) -> Iterator[bytes]:
    # A lone surrogate (JSON allows "\ud800") cannot be UTF-8 encoded; writing it back as the
    # escape it came from keeps a stream from dying half-way (and is exact inside JSON strings).
    encode = partial(str.encode, encoding="utf-8", errors="backslashreplace")
    buffer = [prefix]
    size = len(prefix)
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield encode("".join(buffer))
            buffer, size = [], 0
    if size:
        yield encode("".join(buffer))


def _csv_pieces(
    rows: Iterable[Row], columns: list[str], ids: Iterable[UUID] | None
) -> Iterator[str]:
    line = _LineWriter()
    header = [ID_COLUMN, *columns] if ids is not None else columns
    yield line.write(header)
    for row, row_id in _with_ids(rows, ids):
        cells = [_cell(row.get(column)) for column in columns]
        yield line.write([str(row_id), *cells] if ids is not None else cells)


def _json_pieces(
    rows: Iterable[Row], columns: list[str], ids: Iterable[UUID] | None
) -> Iterator[str]:
    separator = "[\n  "
    for row, row_id in _with_ids(rows, ids):
        yield separator + _object(row, columns, row_id)
        separator = ",\n  "
    yield "[]\n" if separator.startswith("[") else "\n]\n"


def _jsonl_pieces(
    rows: Iterable[Row], columns: list[str], ids: Iterable[UUID] | None
) -> Iterator[str]:
    for row, row_id in _with_ids(rows, ids):
        yield _object(row, columns, row_id) + "\n"


_PIECES = {"csv": _csv_pieces, "json": _json_pieces, "jsonl": _jsonl_pieces}


def _with_ids(rows: Iterable[Row], ids: Iterable[UUID] | None) -> Iterable[tuple[Row, UUID | None]]:
    if ids is None:
        return ((row, None) for row in rows)
    return zip(rows, ids, strict=True)


def _object(row: Row, columns: list[str], row_id: UUID | None) -> str:
    ordered = {column: row[column] for column in columns if column in row}
    if row_id is not None:
        ordered = {ID_COLUMN: str(row_id), **ordered}
    return _ENCODER.encode(ordered)


def _cell(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return _ENCODER.encode(value)


class _LineWriter:
    """Formats one CSV record at a time with the standard quoting rules (RFC 4180)."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def write(self, cells: list[str]) -> str:
        self._writer.writerow(cells)
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text
