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
in its own transaction); the project's redaction rules apply to them as to OTLP exports.
The spans given are updated in place by the roll-up (unless redaction copied them).

`store_queued` is the queue consumer's variant: rows already rolled up at ingestion go
straight to the database (`store_bulk.py`) when their trace is complete in one message and
none of its other spans are stored; only the other traces take the merge path above. Of
those rows, the ones whose key the lookup (made under the trace locks) did not find are
plainly inserted, the rest (a redelivered message) upserted.
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

from agenta.core.tracing.messages import QueuedRow, row_span
from agenta.core.tracing.models import SpanRecord
from agenta.core.tracing.project_settings import read_settings
from agenta.core.tracing.redaction import compile_rules, redact_spans
from agenta.core.tracing.rows import span_from_row, span_row
from agenta.core.tracing.span import Span
from agenta.core.tracing.store_bulk import insert_queued, upsert_queued
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
    """Store `spans` of one project with complete roll-ups, idempotently (see module doc).

    The project's redaction rules are applied first, as for spans received over OTLP.
    """
    if not spans:
        return WriteResult(0, 0)
    settings = await read_settings(session, project_id)
    spans = redact_spans(spans, compile_rules(settings.redaction_rules))
    incoming: dict[str, set[str]] = {}
    for span in spans:
        incoming.setdefault(span.trace_id, set()).add(span.span_id)
    partial, _ = await _incomplete_traces(session, project_id, incoming)
    rows = await _merge_and_upsert(session, project_id, spans, partial)
    return WriteResult(rows, len(incoming))


async def store_queued(
    session: AsyncSession, project_id: uuid.UUID, messages: Sequence[Sequence[QueuedRow]]
) -> WriteResult:
    """Store the rows of queue messages (the consumer's path, see `messages.py`).

    A trace whose spans all arrived in one message and none of which were stored before is
    written as the message has it (rolled up at ingestion); any other trace is merged with
    its stored spans and rolled up again, as `write_spans` does.
    """
    latest: dict[str, dict[str, QueuedRow]] = {}
    sources: dict[str, int] = {}
    for index, rows in enumerate(messages):
        for row in rows:
            latest.setdefault(row.trace_id, {})[row.span_id] = row
            if sources.setdefault(row.trace_id, index) != index:
                sources[row.trace_id] = -1  # the trace came in several messages
    if not latest:
        return WriteResult(0, 0)
    incoming = {trace_id: set(members) for trace_id, members in latest.items()}
    partial, stored = await _incomplete_traces(session, project_id, incoming)
    merged = set(partial) | {trace_id for trace_id, source in sources.items() if source < 0}
    ready = [row for trace, rows in latest.items() if trace not in merged for row in rows.values()]
    new = [row for row in ready if row.span_id not in stored.get(row.trace_id, ())]
    again = [row for row in ready if row.span_id in stored.get(row.trace_id, ())]
    now = utcnow()
    await insert_queued(session, project_id, new, now)
    await upsert_queued(session, project_id, again, now)
    written = len(ready)
    if merged:
        spans = [row_span(row) for trace in merged for row in latest[trace].values()]
        written += await _merge_and_upsert(session, project_id, spans, partial)
    return WriteResult(written, len(latest))


async def _incomplete_traces(
    session: AsyncSession, project_id: uuid.UUID, incoming: dict[str, set[str]]
) -> tuple[list[str], dict[str, set[str]]]:
    """Traces with stored spans the incoming ones do not replace, and the stored span ids
    of every incoming trace (locked on Postgres, so both stay true until the commit)."""
    trace_ids = sorted(incoming)
    if _dialect(session) == "postgresql":
        await _lock_traces(session, project_id, trace_ids)
    stored = await _stored_span_ids(session, project_id, trace_ids)
    return [trace for trace, ids in stored.items() if not ids <= incoming[trace]], stored


async def _merge_and_upsert(
    session: AsyncSession, project_id: uuid.UUID, spans: Sequence[Span], load: list[str]
) -> int:
    earlier = await load_spans(session, project_id, load) if load else []
    # Earlier spans first: build_trees keeps the last version of a span id.
    trees = build_trees([*earlier, *spans])
    now = utcnow()
    rows = [span_row(project_id, span, now) for tree in trees for span in tree.spans()]
    await upsert_rows(session, rows)
    return len(rows)


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
