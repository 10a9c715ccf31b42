"""Reading the rows of a revision (``bulk_writes`` writes them).

Reads of one revision are range queries on the ``(revision_id, position)`` primary key joined to
``testcases`` by id. Searching matches the text of each row's values (not its column names):
``jsonb_each_text`` on Postgres, ``json_each`` on SQLite; SQLite's ``LIKE`` folds case for ASCII
letters only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.testsets.models import Testcase, TestsetRevisionRow

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
