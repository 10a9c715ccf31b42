"""Bulk upsert of queued rows, the consumer's fast path, one way per database.

The rows come from `messages.py` with their JSON columns still as JSON text; both paths
hand that text to the database unparsed, which is most of what makes them fast.

- Postgres: `insert_queued` `COPY`s rows straight into `spans`: the caller has made sure,
  under the per-trace locks of `store.py`, that none of them is stored, which is the
  common case. `upsert_queued` (a redelivered message) `COPY`s into a temporary table
  (created once per connection, emptied at each commit) and moves the rows with one
  `INSERT ... SELECT ... ON CONFLICT (project_id, trace_id, span_id) DO UPDATE`, which keeps
  redelivery idempotent. COPY streams rows in bulk instead of binding ~35 parameters per
  row; the JSON columns go in as the bytes msgspec kept raw, never decoded to `str`. The
  binary COPY format is used (column types read once from the catalog): it copies text
  and JSON as they are where the text format escapes every byte, which cost the worker
  about three times more CPU per row.
- SQLite: both are an `executemany` of `INSERT ... ON CONFLICT DO UPDATE` against a view of
  the table whose JSON columns are plain text (SQLite stores JSON as text anyway); without
  trace locks there, a plain insert could meet a row written since the lookup.

Callers must not pass the same key twice in one call (Postgres refuses to update a row
twice in one statement); `store.py` keeps the last version of each span.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
from psycopg import AsyncCursor, postgres
from psycopg.adapt import Dumper
from psycopg.pq import Format
from sqlalchemy import Column, MetaData, Table, Text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.tracing.messages import JSON_COLUMNS, QUEUED_COLUMNS, QueuedRow
from agenta.core.tracing.models import SpanRecord

INCOMING = "spans_incoming"
COLUMNS = ("project_id", *QUEUED_COLUMNS, "created_at", "updated_at")
_KEY = ("project_id", "trace_id", "span_id")
_KEPT = (*_KEY, "created_at")
_SPANS: Table = SpanRecord.__table__  # type: ignore[assignment]


async def insert_queued(
    session: AsyncSession, project_id: uuid.UUID, rows: Sequence[QueuedRow], now: datetime
) -> None:
    """Insert `rows` of `project_id`, none of which is stored (see the module doc)."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        await _copy(session, project_id, rows, now, "spans")
    else:
        await upsert_queued(session, project_id, rows, now)


async def upsert_queued(
    session: AsyncSession, project_id: uuid.UUID, rows: Sequence[QueuedRow], now: datetime
) -> None:
    """Insert or replace `rows` of `project_id` in the caller's transaction."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        await _copy_upsert(session, project_id, rows, now)
    else:
        await session.execute(_sqlite_upsert(), [_values(project_id, row, now) for row in rows])


def _values(project_id: uuid.UUID, row: QueuedRow, now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {"project_id": project_id, "created_at": now, "updated_at": now}
    for name in QUEUED_COLUMNS:
        value = getattr(row, name)
        values[name] = bytes(value).decode() if name in JSON_COLUMNS else value
    return values


async def _copy_upsert(
    session: AsyncSession, project_id: uuid.UUID, rows: Sequence[QueuedRow], now: datetime
) -> None:
    connection = await session.connection()
    await connection.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {INCOMING} "
        "(LIKE spans INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    await _copy(session, project_id, rows, now, INCOMING)
    await connection.exec_driver_sql(_move_statement())


async def _copy(
    session: AsyncSession,
    project_id: uuid.UUID,
    rows: Sequence[QueuedRow],
    now: datetime,
    table: str,
) -> None:
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    async with driver.cursor() as cursor:
        types = await _column_types(cursor)
        cursor.adapters.register_dumper(msgspec.Raw, _RawJsonbDumper)
        async with cursor.copy(_copy_statement(table)) as copy:
            copy.set_types(types)
            for row in rows:
                await copy.write_row((project_id, *msgspec.structs.astuple(row), now, now))


_JSONB_BINARY_VERSION = b"\x01"


class _RawJsonbDumper(Dumper):
    """JSON text kept raw by msgspec goes into binary COPY as it is, never decoded."""

    format = Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj: Any) -> bytes:
        return _JSONB_BINARY_VERSION + bytes(obj)


# Postgres type names of COLUMNS, the same for every database of this schema version.
_TYPES: dict[str, list[str]] = {}


async def _column_types(cursor: AsyncCursor[Any]) -> list[str]:
    if "spans" not in _TYPES:
        await cursor.execute(
            "SELECT a.attname, t.typname FROM pg_attribute a "
            "JOIN pg_type t ON t.oid = a.atttypid "
            "WHERE a.attrelid = 'spans'::regclass AND a.attnum > 0 AND NOT a.attisdropped"
        )
        names = dict(await cursor.fetchall())
        _TYPES["spans"] = [names[column] for column in COLUMNS]
    return _TYPES["spans"]


@functools.cache
def _copy_statement(table: str) -> str:
    names = ", ".join(_quoted(name) for name in COLUMNS)
    return f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"


@functools.cache
def _move_statement() -> str:
    names = ", ".join(_quoted(name) for name in COLUMNS)
    updates = ", ".join(
        f"{_quoted(name)} = EXCLUDED.{_quoted(name)}" for name in COLUMNS if name not in _KEPT
    )
    return (
        f"INSERT INTO spans ({names}) SELECT {names} FROM {INCOMING} "
        f"ON CONFLICT (project_id, trace_id, span_id) DO UPDATE SET {updates}"
    )


def _quoted(name: str) -> str:
    return f'"{name}"'


@functools.cache
def _sqlite_upsert() -> Any:
    # The same table seen with text JSON columns: the JSON arrives already encoded.
    columns = [
        Column(column.name, Text() if column.name in JSON_COLUMNS else column.type)
        for column in _SPANS.columns
    ]
    text_spans = Table("spans", MetaData(), *columns)
    statement = sqlite.insert(text_spans)
    updates = {name: statement.excluded[name] for name in COLUMNS if name not in _KEPT}
    return statement.on_conflict_do_update(index_elements=_KEY, set_=updates)
