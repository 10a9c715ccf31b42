"""Writing spans: `write_spans(session, project_id, spans)`, the one way spans get stored.

A trace may arrive in several exports (a long agent run flushes as it goes), so roll-ups
cannot be computed from one batch alone. For every trace the batch touches, `write_spans`
looks up the span ids already stored; when some stored span is not in the batch, it loads
that trace's stored spans, merges them with the new ones (the new version of a span wins)
and rebuilds the whole tree, so cumulative tokens, cost, errors and duration always cover
every stored span. The rows are then upserted in bulk (`INSERT ... ON CONFLICT (project_id,
trace_id, span_id) DO UPDATE`), which makes a redelivered batch a no-op instead of a
duplicate.

On Postgres two writers could each miss the other's half of a trace; a transaction-scoped
advisory lock per touched trace (taken in a fixed order, so writers cannot deadlock)
serialises them. SQLite has one writer at a time already.

Other features record their own traces with it (the services API writes invocation traces
in its own transaction). The spans given are updated in place by the roll-up.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.tracing.models import SpanRecord
from agenta.core.tracing.rows import span_from_row, span_row
from agenta.core.tracing.span import Span
from agenta.core.tracing.trees import build_trees
from agenta.db import utcnow

UPSERT_CHUNK = 500
LOOKUP_CHUNK = 500
_KEY_COLUMNS = ("project_id", "trace_id", "span_id")
_KEPT_ON_UPDATE = (*_KEY_COLUMNS, "created_at")
_TABLE = SpanRecord.__table__


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a write stored: rows upserted (new spans plus re-rolled stored ones), traces."""

    rows: int
    traces: int


async def write_spans(
    session: AsyncSession, project_id: uuid.UUID, spans: Sequence[Span]
) -> WriteResult:
    """Store `spans` of one project with complete roll-ups, idempotently (see module doc)."""
    if not spans:
        return WriteResult(0, 0)
    incoming: dict[str, dict[str, Span]] = {}
    for span in spans:
        incoming.setdefault(span.trace_id, {})[span.span_id] = span
    trace_ids = sorted(incoming)
    if _dialect(session) == "postgresql":
        await _lock_traces(session, project_id, trace_ids)
    stored = await _stored_span_ids(session, project_id, trace_ids)
    partial = [trace for trace, ids in stored.items() if not ids <= incoming[trace].keys()]
    earlier = await load_spans(session, project_id, partial) if partial else []
    # Earlier spans first: build_trees keeps the last version of a span id.
    merged = [*earlier, *(span for members in incoming.values() for span in members.values())]
    now = utcnow()
    trees = build_trees(merged)
    rows = [span_row(project_id, span, now) for tree in trees for span in tree.spans()]
    await upsert_rows(session, rows)
    return WriteResult(len(rows), len(trace_ids))


async def load_spans(
    session: AsyncSession, project_id: uuid.UUID, trace_ids: Iterable[str]
) -> list[Span]:
    """Every stored span of the given traces (in no particular order)."""
    spans: list[Span] = []
    for chunk in _chunks(list(trace_ids), LOOKUP_CHUNK):
        query = select(_TABLE).where(
            _TABLE.c.project_id == project_id, _TABLE.c.trace_id.in_(chunk)
        )
        result = await session.execute(query)
        spans.extend(span_from_row(row) for row in result.mappings())
    return spans


async def upsert_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert rows, replacing any stored row with the same key (created_at is kept)."""
    if not rows:
        return
    statement = _upsert_statement(_dialect(session))
    for chunk in _chunks(rows, UPSERT_CHUNK):
        # executemany with one cached statement: compiling a multi-row VALUES per call costs
        # far more than the database spends on the rows.
        await session.execute(statement, chunk)


@functools.cache
def _upsert_statement(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_TABLE)
    updates = {
        column.name: statement.excluded[column.name]
        for column in _TABLE.columns
        if column.name not in _KEPT_ON_UPDATE
    }
    return statement.on_conflict_do_update(index_elements=_KEY_COLUMNS, set_=updates)


async def _stored_span_ids(
    session: AsyncSession, project_id: uuid.UUID, trace_ids: list[str]
) -> dict[str, set[str]]:
    stored: dict[str, set[str]] = {}
    for chunk in _chunks(trace_ids, LOOKUP_CHUNK):
        query = select(_TABLE.c.trace_id, _TABLE.c.span_id).where(
            _TABLE.c.project_id == project_id, _TABLE.c.trace_id.in_(chunk)
        )
        for trace_id, span_id in await session.execute(query):
            stored.setdefault(trace_id, set()).add(span_id)
    return stored


async def _lock_traces(session: AsyncSession, project_id: uuid.UUID, trace_ids: list[str]) -> None:
    keys = sorted(trace_lock_key(project_id, trace_id) for trace_id in trace_ids)
    await session.execute(
        text("SELECT pg_advisory_xact_lock(key) FROM unnest(CAST(:keys AS bigint[])) AS key"),
        {"keys": keys},
    )


def trace_lock_key(project_id: uuid.UUID, trace_id: str) -> int:
    """A stable signed 64-bit advisory-lock key for one trace of one project."""
    digest = hashlib.blake2b(f"{project_id}:{trace_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
