"""Bulk reads and writes of test case rows and revision rows.

Writes go through Core ``INSERT`` statements executed with many parameter sets, in chunks, so a
100,000-row import is a few hundred round trips rather than 200,000. Test cases are inserted with
``ON CONFLICT DO NOTHING`` (the dialect's own insert construct on Postgres and SQLite): a row the
test set already stores, from an earlier revision or twice in one file, is simply kept.

Reads of one revision are range queries on the ``(revision_id, position)`` primary key joined to
``testcases`` by id. Searching matches the text of each row's values (not its column names):
``jsonb_each_text`` on Postgres, ``json_each`` on SQLite; SQLite's ``LIKE`` folds case for ASCII
letters only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.testsets.models import Testcase, TestsetRevisionRow

CHUNK = 5_000
_CASES = Testcase.__table__
_ROWS = TestsetRevisionRow.__table__
_SEARCH = {
    "postgresql": "EXISTS (SELECT 1 FROM jsonb_each_text(testcases.data) AS cell "
    "WHERE cell.value ILIKE :pattern ESCAPE '\\')",
    "sqlite": "EXISTS (SELECT 1 FROM json_each(testcases.data) AS cell "
    "WHERE cell.value LIKE :pattern ESCAPE '\\')",
}


@dataclass(frozen=True, slots=True)
class NewTestcase:
    """A row to store: its content id, data and optional flags, tags and meta."""

    id: UUID
    data: Mapping[str, Any]
    flags: dict[str, Any] | None = None
    tags: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class StoredRow:
    """Row ``position`` (from 0) of a revision, with its test case's stored attributes."""

    position: int
    id: UUID
    data: dict[str, Any]
    flags: dict[str, Any] | None = None
    tags: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None


async def store_testcases(
    session: AsyncSession, testset_id: UUID, testcases: Iterable[NewTestcase]
) -> None:
    """Insert the test cases the test set does not hold yet."""
    unique = {case.id: case for case in testcases}
    params = [
        {
            "id": case.id,
            "testset_id": testset_id,
            "data": case.data,
            "flags": case.flags,
            "tags": case.tags,
            "meta": case.meta,
        }
        for case in unique.values()
    ]
    statement = _insert_ignoring_duplicates(session)
    for start in range(0, len(params), CHUNK):
        await session.execute(statement, params[start : start + CHUNK])


def _insert_ignoring_duplicates(session: AsyncSession) -> Any:
    if session.bind.dialect.name == "postgresql":
        return postgresql.insert(_CASES).on_conflict_do_nothing(index_elements=["id"])
    return sqlite.insert(_CASES).on_conflict_do_nothing(index_elements=["id"])


async def store_revision_rows(
    session: AsyncSession, revision_id: UUID, ids: Sequence[UUID]
) -> None:
    """Record that revision ``revision_id`` holds ``ids`` in this order."""
    params = [
        {"revision_id": revision_id, "position": position, "testcase_id": case_id}
        for position, case_id in enumerate(ids)
    ]
    for start in range(0, len(params), CHUNK):
        await session.execute(_ROWS.insert(), params[start : start + CHUNK])


async def revision_testcase_ids(session: AsyncSession, revision_id: UUID) -> list[UUID]:
    """The test case ids of a revision, in order."""
    result = await session.scalars(
        select(TestsetRevisionRow.testcase_id)
        .where(TestsetRevisionRow.revision_id == revision_id)
        .order_by(TestsetRevisionRow.position)
    )
    return list(result)


async def rows_between(
    session: AsyncSession, revision_id: UUID, start: int, stop: int
) -> list[StoredRow]:
    """Rows at positions ``start`` (included) to ``stop`` (excluded)."""
    query = _joined(revision_id).where(
        TestsetRevisionRow.position >= start, TestsetRevisionRow.position < stop
    )
    return _stored(await session.execute(query))


async def rows_at(
    session: AsyncSession, revision_id: UUID, positions: Iterable[int]
) -> dict[int, StoredRow]:
    """The rows at the given positions, by position (unknown positions are left out)."""
    wanted = sorted(set(positions))
    found: dict[int, StoredRow] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = _joined(revision_id).where(TestsetRevisionRow.position.in_(chunk))
        found.update((row.position, row) for row in _stored(await session.execute(query)))
    return found


async def all_rows(session: AsyncSession, revision_id: UUID) -> list[StoredRow]:
    """Every row of a revision, in order."""
    return _stored(await session.execute(_joined(revision_id)))


async def search_rows(
    session: AsyncSession, revision_id: UUID, needle: str, offset: int, limit: int
) -> list[StoredRow]:
    """Rows with a value containing ``needle`` (case-insensitive), in order, paged."""
    condition = text(_SEARCH[session.bind.dialect.name]).bindparams(pattern=_like(needle))
    query = _joined(revision_id).where(condition).offset(offset).limit(limit)
    return _stored(await session.execute(query))


def _like(needle: str) -> str:
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _joined(revision_id: UUID) -> Select[Any]:
    return (
        select(
            TestsetRevisionRow.position,
            Testcase.id,
            Testcase.data,
            Testcase.flags,
            Testcase.tags,
            Testcase.meta,
        )
        .join(Testcase, Testcase.id == TestsetRevisionRow.testcase_id)
        .where(TestsetRevisionRow.revision_id == revision_id)
        .order_by(TestsetRevisionRow.position)
    )


def _stored(result: Any) -> list[StoredRow]:
    return [StoredRow(*row) for row in result]
