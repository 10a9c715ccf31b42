"""Reading a revision a page at a time, searching it, and comparing two revisions.

A page is a range of positions, so its cost does not depend on the size of the revision. A
search walks matching rows in position order and fetches one row more than the page to know
whether there is a next page, so no count of all matches is ever needed.

Comparing loads both revisions whole (``diffing.diff_revisions`` pairs rows across the entire
revisions); it is a deliberate action in the UI, not something a page load does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.testsets.codecs import RevisionDiff, diff_revisions
from agenta.core.testsets.models import Testset, TestsetRevision
from agenta.core.testsets.revisions import get_revision
from agenta.core.testsets.storage import StoredRow, all_rows, rows_between, search_rows

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1_000


@dataclass(frozen=True, slots=True)
class RowPage:
    """Rows of one page; ``has_more`` says whether a next page exists."""

    rows: list[StoredRow]
    offset: int
    limit: int
    has_more: bool
    search: str = ""

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.has_more else None

    @property
    def previous_offset(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset else None


async def read_page(
    session: AsyncSession,
    revision: TestsetRevision,
    *,
    offset: int = 0,
    limit: int = DEFAULT_PAGE_SIZE,
    search: str = "",
) -> RowPage:
    """Rows ``offset`` to ``offset + limit`` of the revision, or of its rows matching ``search``."""
    offset = max(0, offset)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    needle = search.strip()
    if needle:
        found = await search_rows(session, revision.id, needle, offset, limit + 1)
        return RowPage(found[:limit], offset, limit, len(found) > limit, needle)
    rows = await rows_between(session, revision.id, offset, offset + limit)
    return RowPage(rows, offset, limit, offset + limit < revision.row_count)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two revisions, what changed between them, and their rows by id (for showing them)."""

    old: TestsetRevision
    new: TestsetRevision
    diff: RevisionDiff
    old_rows: dict[UUID, dict[str, Any]]
    new_rows: dict[UUID, dict[str, Any]]


async def compare_versions(
    session: AsyncSession, testset: Testset, old_version: int, new_version: int
) -> Comparison:
    """What changed from ``old_version`` to ``new_version`` of the test set."""
    old = await get_revision(session, testset, old_version)
    new = await get_revision(session, testset, new_version)
    old_rows = [(row.id, row.data) for row in await all_rows(session, old.id)]
    new_rows = [(row.id, row.data) for row in await all_rows(session, new.id)]
    diff = diff_revisions(old_rows, new_rows)
    return Comparison(old, new, diff, dict(old_rows), dict(new_rows))
