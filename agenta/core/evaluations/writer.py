"""Group commit of cells: one writer per slice, many units' cells in each transaction.

Twenty units finishing at once would each open a transaction; on SQLite they queue for the one
write lock, and its busy handler sleeps between tries, so writes that take a millisecond wait
tens. ``CellWriter`` keeps a single writer: units hand it their cells (with the invocation's
spans and response-cache entry) and wait; the writer takes everything waiting, writes it in one
transaction and answers each unit. While it commits, the next batch gathers by itself, so there
is no timer and no added latency when the load is light.

Each unit still waits until its cells are committed before it goes on, so a crash never loses a
cell a unit believed written. Cells go through ``INSERT ... ON CONFLICT DO NOTHING ...
RETURNING`` (on Postgres one constant statement over column arrays, ``agenta.bulk_insert``); a
unit learns which of its cells were new, and gets the stored invocation cell when another worker
wrote it first (its outputs are what the evaluators must judge).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.bulk_insert import insert_arrays
from agenta.core.evaluations import response_cache
from agenta.core.evaluations.models import EvaluationCell
from agenta.core.tracing import Span
from agenta.core.tracing.store import write_spans
from agenta.db import Database
from agenta.llm import Completion

_TABLE = EvaluationCell.__table__
_KEY = ("run_id", "row_index", "revision_id", "repeat", "evaluator_id")
_ON_CONFLICT_RETURNING = f"ON CONFLICT ({', '.join(_KEY)}) DO NOTHING RETURNING id"


@dataclass
class WriteRequest:
    """Cells of one unit, with what goes along with the invocation cell."""

    rows: list[dict[str, Any]]
    spans: list[Span] = field(default_factory=list)
    cache_key: str | None = None
    completion: Completion | None = None
    # The first row is an invocation: the other rows are written only if it was new.
    led_by_invocation: bool = False
    done: asyncio.Future[set[uuid.UUID]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class CellWriter:
    """The slice's single writer; use ``async with CellWriter(db, project_id) as writer``."""

    def __init__(self, db: Database, project_id: uuid.UUID) -> None:
        self.db = db
        self.project_id = project_id
        self._queue: asyncio.Queue[WriteRequest] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> CellWriter:
        self._task = asyncio.create_task(self._loop(), name="evaluation-cell-writer")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def write(self, request: WriteRequest) -> set[uuid.UUID]:
        """Commit ``request``'s cells; returns the ids of those that were new."""
        self._queue.put_nowait(request)
        return await request.done

    async def stored(self, row: dict[str, Any]) -> EvaluationCell:
        """The stored cell with ``row``'s key (written by this worker or another)."""
        async with self.db.session() as session:
            found = await session.scalar(
                select(EvaluationCell).where(
                    tuple_(*(getattr(EvaluationCell, name) for name in _KEY))
                    == tuple(row[name] for name in _KEY)
                )
            )
        assert found is not None  # it was committed before anyone asks for it
        return found

    async def _loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                written = await self._flush(batch)
            except Exception as error:
                for request in batch:
                    if not request.done.done():
                        request.done.set_exception(error)
                continue
            for request in batch:
                ids = {row["id"] for row in request.rows} & written
                if not request.done.done():
                    request.done.set_result(ids)

    async def _flush(self, batch: list[WriteRequest]) -> set[uuid.UUID]:
        async with self.db.session() as session:
            leaders = [request.rows[0] for request in batch if request.led_by_invocation]
            written = await insert_returning(session, leaders)
            rows = [
                row
                for request in batch
                if not request.led_by_invocation or request.rows[0]["id"] in written
                for row in (request.rows[1:] if request.led_by_invocation else request.rows)
            ]
            written |= await insert_returning(session, rows)
            new = [request for request in batch if request.rows[0]["id"] in written]
            spans = [span for request in new for span in request.spans]
            if spans:
                await write_spans(session, self.project_id, spans)
            for request in new:
                if request.cache_key and request.completion is not None:
                    await response_cache.store(
                        session, self.project_id, request.cache_key, request.completion
                    )
        return written


async def insert_returning(session: AsyncSession, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert the cells that do not exist yet; returns the ids of those inserted."""
    if not rows:
        return set()
    if session.bind.dialect.name == "postgresql":
        result = await insert_arrays(session, _TABLE, rows, _ON_CONFLICT_RETURNING)
        return set(result.scalars())
    # One statement with many parameter sets: SQLAlchemy batches it ("insertmanyvalues") and
    # compiles it once per process, whatever the batch size.
    statement = (
        sqlite.insert(_TABLE)
        .on_conflict_do_nothing(index_elements=list(_KEY))
        .returning(_TABLE.c.id)
    )
    result = await session.execute(statement, rows)
    return set(result.scalars())
