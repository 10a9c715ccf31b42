"""Bulk upsert of queued rows, the consumer's fast path, one way per database.

The rows come from `messages.py` with their JSON columns still as JSON text; both paths
hand that text to the database unparsed, which is most of what makes them fast.

- Postgres: the rows are `COPY`ed into a temporary table (created once per connection,
  emptied at each commit) and moved with one `INSERT ... SELECT ... ON CONFLICT (project_id,
  trace_id, span_id) DO UPDATE`. COPY streams rows in bulk instead of binding ~35 parameters
  per row, and the upsert keeps redelivery idempotent.
- SQLite: an `executemany` of `INSERT ... ON CONFLICT DO UPDATE` against a view of the table
  whose JSON columns are plain text (SQLite stores JSON as text anyway).

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
    driver = (await connection.get_raw_connection()).driver_connection
    json_positions = {QUEUED_COLUMNS.index(name) for name in JSON_COLUMNS}
    async with driver.cursor() as cursor, cursor.copy(_copy_statement()) as copy:
        for row in rows:
            values = [project_id]
            for position, value in enumerate(msgspec.structs.astuple(row)):
                values.append(bytes(value).decode() if position in json_positions else value)
            values += [now, now]
            await copy.write_row(values)
    await connection.exec_driver_sql(_move_statement())


@functools.cache
def _copy_statement() -> str:
    return f"COPY {INCOMING} ({', '.join(_quoted(name) for name in COLUMNS)}) FROM STDIN"


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
