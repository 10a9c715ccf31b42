"""Scenarios: the rows of a run, each with a snapshot of the test case it evaluates.

A server run copies its test set revision's rows into scenarios when it starts (positions
become row indexes), so later edits of the test set never change what a run's rows were. The
copy is idempotent (``ON CONFLICT DO NOTHING`` on run and row), so a start that is replayed
after a crash adds nothing twice. Runs posted by the SDK mint empty scenarios first and attach
their test cases as results arrive.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.evaluations.models import EvaluationScenario
from agenta.core.testsets.storage import all_rows
from agenta.db import utcnow, uuid7

_TABLE = EvaluationScenario.__table__
INSERT_CHUNK = 1000


def scenario_row(
    run_id: uuid.UUID,
    row_index: int,
    *,
    inputs: dict[str, Any] | None = None,
    testcase_id: uuid.UUID | None = None,
    status: str = "pending",
) -> dict[str, Any]:
    """A complete scenario row for ``insert_scenarios``."""
    return {
        "id": uuid7(),
        "run_id": run_id,
        "row_index": row_index,
        "testcase_id": testcase_id,
        "inputs": inputs or {},
        "status": status,
        "flags": {},
        "tags": {},
        "meta": {},
        "created_at": utcnow(),
    }


async def insert_scenarios(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert scenarios that do not exist yet."""
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    # One statement with many parameter sets, compiled once per process; a VALUES list of the
    # rows themselves was compiled afresh for every run (0.2 s for 1,000 rows, before any row
    # of the run could start).
    statement = insert(_TABLE).on_conflict_do_nothing(index_elements=["run_id", "row_index"])
    for start in range(0, len(rows), INSERT_CHUNK):
        await session.execute(statement, list(rows[start : start + INSERT_CHUNK]))


async def copy_testset_rows(
    session: AsyncSession, run_id: uuid.UUID, testset_revision_id: uuid.UUID
) -> int:
    """Give a run one scenario per row of its test set revision; returns the row count."""
    stored = await all_rows(session, testset_revision_id)
    rows = [
        scenario_row(run_id, row.position, inputs=dict(row.data), testcase_id=row.id)
        for row in stored
    ]
    await insert_scenarios(session, rows)
    return len(rows)


async def scenarios_between(
    session: AsyncSession, run_id: uuid.UUID, start: int, stop: int
) -> list[EvaluationScenario]:
    """Rows ``start`` to ``stop`` (excluded) of a run, in order."""
    result = await session.scalars(
        select(EvaluationScenario)
        .where(
            EvaluationScenario.run_id == run_id,
            EvaluationScenario.row_index >= start,
            EvaluationScenario.row_index < stop,
        )
        .order_by(EvaluationScenario.row_index)
    )
    return list(result)


async def run_scenarios(
    session: AsyncSession, run_id: uuid.UUID, *, rows: Sequence[int] | None = None
) -> list[EvaluationScenario]:
    """Every scenario of a run (or the given rows), in order."""
    query = select(EvaluationScenario).where(EvaluationScenario.run_id == run_id)
    if rows is not None:
        query = query.where(EvaluationScenario.row_index.in_(list(rows)))
    return list(await session.scalars(query.order_by(EvaluationScenario.row_index)))


async def scenario_count(session: AsyncSession, run_id: uuid.UUID) -> int:
    """How many rows a run has."""
    found = await session.scalar(
        select(func.count(EvaluationScenario.id)).where(EvaluationScenario.run_id == run_id)
    )
    return int(found or 0)
