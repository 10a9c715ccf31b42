"""Cells: writing each result exactly once, and reading a run's results back.

``insert_cells`` writes with ``INSERT ... ON CONFLICT DO NOTHING`` on the cell's unique key
(run, row, app revision, repeat, evaluator), so when two workers race on the same cell (a
resumed slice while the old worker was still finishing) or a slice is replayed, the first
write wins and the others change nothing. ``done_keys`` tells a resumed slice which cells
already exist, so only the missing ones are computed.

``CellKey`` is that unique key; the invocation cell of a (row, revision, repeat) carries the
nil UUID (``INVOCATION``) as its evaluator id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.evaluations.models import CELL_ERROR, INVOCATION, EvaluationCell
from agenta.db import utcnow, uuid7

_TABLE = EvaluationCell.__table__
_KEY = ["run_id", "row_index", "revision_id", "repeat", "evaluator_id"]
INSERT_CHUNK = 500


@dataclass(frozen=True, slots=True)
class CellKey:
    row_index: int
    revision_id: uuid.UUID
    repeat: int
    evaluator_id: uuid.UUID = INVOCATION


def cell_row(run_id: uuid.UUID, key: CellKey, **values: Any) -> dict[str, Any]:
    """A complete row for ``insert_cells`` (unset columns take their defaults)."""
    row: dict[str, Any] = {
        "id": uuid7(),
        "run_id": run_id,
        "row_index": key.row_index,
        "revision_id": key.revision_id,
        "repeat": key.repeat,
        "evaluator_id": key.evaluator_id,
        "step_key": "",
        "testcase_id": None,
        "status": "success",
        "output": None,
        "score": None,
        "success": None,
        "error": None,
        "error_type": None,
        "trace_id": None,
        "latency_ms": None,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "total_tokens": 0,
        "cost": 0.0,
        "cached": False,
        "created_at": utcnow(),
    }
    unknown = set(values) - set(row)
    if unknown:
        raise TypeError(f"unknown cell columns: {sorted(unknown)}")
    row.update(values)
    return row


async def insert_cells(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert cells that do not exist yet; returns how many were written."""
    if not rows:
        return 0
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    written = 0
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = list(rows[start : start + INSERT_CHUNK])
        statement = insert(_TABLE).values(chunk).on_conflict_do_nothing(index_elements=_KEY)
        result = await session.execute(statement)
        written += max(result.rowcount or 0, 0)
    return written


async def done_keys(
    session: AsyncSession, run_id: uuid.UUID, row_start: int, row_stop: int
) -> dict[CellKey, EvaluationCell]:
    """The cells already written for rows ``row_start`` to ``row_stop`` (excluded)."""
    result = await session.scalars(
        select(EvaluationCell).where(
            EvaluationCell.run_id == run_id,
            EvaluationCell.row_index >= row_start,
            EvaluationCell.row_index < row_stop,
        )
    )
    return {key_of(cell): cell for cell in result}


def key_of(cell: EvaluationCell) -> CellKey:
    return CellKey(cell.row_index, cell.revision_id, cell.repeat, cell.evaluator_id)


async def run_cells(
    session: AsyncSession, run_ids: Iterable[uuid.UUID], *, rows: Sequence[int] | None = None
) -> list[EvaluationCell]:
    """Every cell of the runs (optionally of some rows only), in row order."""
    query = select(EvaluationCell).where(EvaluationCell.run_id.in_(list(run_ids)))
    if rows is not None:
        query = query.where(EvaluationCell.row_index.in_(list(rows)))
    query = query.order_by(EvaluationCell.row_index, EvaluationCell.repeat, EvaluationCell.id)
    return list(await session.scalars(query))


@dataclass(frozen=True)
class CellCounts:
    """How far a run got: cells written, those that failed, and what they cost."""

    done: int = 0
    failed: int = 0
    tokens: int = 0
    cost: float = 0.0


async def counts(session: AsyncSession, run_id: uuid.UUID) -> CellCounts:
    """Totals over a run's cells (one aggregate query, cheap enough to poll)."""
    failed = func.sum(case((EvaluationCell.status == CELL_ERROR, 1), else_=0))
    row = (
        await session.execute(
            select(
                func.count(EvaluationCell.id),
                failed,
                func.coalesce(func.sum(EvaluationCell.total_tokens), 0),
                func.coalesce(func.sum(EvaluationCell.cost), 0.0),
            ).where(EvaluationCell.run_id == run_id)
        )
    ).one()
    return CellCounts(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0), float(row[3] or 0.0))
