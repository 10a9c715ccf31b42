"""Importing a file as a new test set, or as the next revision of an existing one.

The file is parsed and every row checked (``codecs.parse_upload``, then ``storable.check_rows``)
before anything is written; only then is the test set created (if new) and the revision committed.
All of it happens in the caller's transaction, so a refused file, or a failure half-way through
storing a good one, leaves the database as it was.

Ids given in an ``__id__`` column are not needed to keep test case ids: ids come from content, so
a row that did not change keeps its id anyway, and a row that changed gets a new one (the revision
diff still pairs it with its old self).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.testsets.codecs import ParsedTestset, Problem, parse_upload
from agenta.core.testsets.models import Testset, TestsetRevision
from agenta.core.testsets.revisions import commit_revision, content_from_rows
from agenta.core.testsets.storable import check_rows
from agenta.core.testsets.testsets import create_testset, get_testset
from agenta.settings import Settings


@dataclass(frozen=True, slots=True)
class Limits:
    """How big a test set may be: file size in bytes and rows per revision."""

    max_bytes: int
    max_rows: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.testset_max_bytes, settings.testset_max_rows)


@dataclass(frozen=True, slots=True)
class Committed:
    """The outcome of a write: the test set, its new revision, and what was tolerated."""

    testset: Testset
    revision: TestsetRevision
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Upload:
    """An uploaded file and how to read it (``fmt`` overrides name and content type)."""

    data: bytes
    filename: str | None = None
    content_type: str | None = None
    fmt: str | None = None


def read_upload(upload: Upload, limits: Limits) -> ParsedTestset:
    """Parse and check ``upload``; raises ``TestsetImportError`` naming the first problems."""
    parsed = parse_upload(
        upload.data,
        filename=upload.filename,
        content_type=upload.content_type,
        fmt=upload.fmt,
        max_bytes=limits.max_bytes,
        max_rows=limits.max_rows,
    )
    check_rows(parsed.rows, max_rows=limits.max_rows)
    return parsed


async def import_upload(
    session: AsyncSession,
    project_id: UUID,
    upload: Upload,
    *,
    limits: Limits,
    actor: UUID | None,
    testset_id: UUID | None = None,
    name: str | None = None,
    message: str = "",
) -> Committed:
    """Import ``upload`` into test set ``testset_id``, or into a new test set called ``name``."""
    parsed = read_upload(upload, limits)
    if testset_id is not None:
        testset = await get_testset(session, project_id, testset_id)
    else:
        testset = await create_testset(
            session, project_id, name=name or _name_from(upload.filename), actor=actor
        )
    content = content_from_rows(
        testset.id, parsed.rows, columns=parsed.columns, attributes=parsed.attributes
    )
    revision = await commit_revision(
        session,
        testset,
        content,
        message=message or _default_message(upload.filename, len(parsed.rows)),
        actor=actor,
        max_rows=limits.max_rows,
    )
    return Committed(testset, revision, list(parsed.warnings))


def _name_from(filename: str | None) -> str:
    stem = PurePath(filename).stem if filename else ""
    return stem.strip() or "Uploaded test set"


def _default_message(filename: str | None, rows: int) -> str:
    source = f" from {PurePath(filename).name}" if filename else ""
    return f"Imported {rows:,} rows{source}"
