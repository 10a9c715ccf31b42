"""REST routes for a test set's revisions: history, rows, downloads, commits and diffs.

``{version}`` is a version number or ``latest``.

- ``GET /api/testsets/{id}/revisions`` lists revisions, newest first;
- ``GET /api/testsets/{id}/revisions/{version}`` is one revision's summary;
- ``GET …/{version}/rows?offset=&limit=&search=`` pages through its rows;
- ``GET …/{version}/download?format=csv|json|jsonl`` streams it (``ids=true`` adds an ``__id__``
  column, ``bom=true`` a byte order mark for Excel);
- ``POST /api/testsets/{id}/revisions/commit`` commits ``operations`` (see ``changes``) or whole
  ``rows`` on top of ``base_version``, which must be the latest (409 otherwise);
- ``GET /api/testsets/{id}/diff?from_version=&to_version=`` compares two revisions.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.testsets import browsing, editing, exports, revisions, testsets
from agenta.core.testsets.bodies import CommitBody
from agenta.core.testsets.changes import Changes
from agenta.core.testsets.commit_events import announce_commit
from agenta.core.testsets.models import Testset, TestsetRevision
from agenta.core.testsets.storable import check_rows
from agenta.core.testsets.views import diff_record, revision_record, row_record
from agenta.errors import AppError, Conflict
from agenta.jobs.queue import JobQueue
from agenta.platform import Platform
from agenta.settings import Settings

VIEW = [requires(Permission.VIEW_TESTSETS)]
EDIT = [requires(Permission.EDIT_TESTSETS)]
TAGS = ["testsets"]
BASE = "/api/testsets/{testset_id:uuid}"


async def _revision(
    session: AsyncSession, principal: Principal, testset_id: uuid.UUID, version: str
) -> tuple[Testset, TestsetRevision]:
    testset = await testsets.get_testset(session, principal.project_id, testset_id)
    revision = await revisions.get_revision(session, testset, revisions.parse_version(version))
    return testset, revision


@get(f"{BASE}/revisions", guards=VIEW, tags=TAGS)
async def list_revisions(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
) -> dict[str, Any]:
    """The test set's revisions, newest first."""
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    found = await revisions.list_revisions(db_session, testset)
    return {"count": len(found), "revisions": [revision_record(r) for r in found]}


@get(f"{BASE}/revisions/{{version:str}}", guards=VIEW, tags=TAGS)
async def read_revision(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
    version: FromPath[str],
) -> dict[str, Any]:
    """One revision's summary."""
    _, revision = await _revision(db_session, principal, testset_id, version)
    return {"revision": revision_record(revision)}


@get(f"{BASE}/revisions/{{version:str}}/rows", guards=VIEW, tags=TAGS)
async def read_rows(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
    version: FromPath[str],
    offset: FromQuery[int] = 0,
    limit: FromQuery[int] = browsing.DEFAULT_PAGE_SIZE,
    search: FromQuery[str] = "",
) -> dict[str, Any]:
    """A page of rows (``next_offset`` is null on the last page)."""
    _, revision = await _revision(db_session, principal, testset_id, version)
    page = await browsing.read_page(db_session, revision, offset=offset, limit=limit, search=search)
    return {
        "revision": revision_record(revision),
        "rows": [row_record(row) for row in page.rows],
        "offset": page.offset,
        "next_offset": page.next_offset,
    }


@get(f"{BASE}/revisions/{{version:str}}/download", guards=VIEW, tags=TAGS)
async def download_revision(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    testset_id: FromPath[uuid.UUID],
    version: FromPath[str],
    format: FromQuery[str] = "csv",
    ids: FromQuery[bool] = False,
    bom: FromQuery[bool] = False,
) -> Stream:
    """The revision as a file, streamed."""
    fmt = exports.check_format(format)
    testset, revision = await _revision(db_session, principal, testset_id, version)
    return Stream(
        exports.stream_revision(platform.db, revision, fmt, with_ids=ids, bom=bom),
        headers=exports.download_headers(testset, revision, fmt),
    )


@post(f"{BASE}/revisions/commit", guards=EDIT, status_code=200, tags=TAGS)
async def commit_revision(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
    testset_id: FromPath[uuid.UUID],
    data: JSONBody[CommitBody],
) -> dict[str, Any]:
    """Commit edits (``operations``) or replacement ``rows`` as the next revision."""
    if data.base_version is None:
        raise AppError("base_version is required: the version these changes were made to")
    if (data.operations is None) == (data.rows is None):
        raise AppError("Give either operations (edits) or rows (the whole new content)")
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    if data.rows is not None:
        revision = await _replace_rows(db_session, testset, data, principal, settings)
    else:
        base = await editing.base_revision(db_session, testset)
        changes = Changes.from_operations(data.operations or [], editing.shape_of(base))
        if data.answer_column:
            changes.set_answer_column(data.answer_column, editing.shape_of(base))
        revision = await editing.commit_changes(
            db_session,
            testset,
            changes,
            base_version=data.base_version,
            message=data.message,
            actor=principal.user_id,
            max_rows=settings.testset_max_rows,
        )
    await announce_commit(db_session, principal, testset, revision, queue)
    return {"revision": revision_record(revision)}


async def _replace_rows(
    session: AsyncSession,
    testset: Testset,
    data: CommitBody,
    principal: Principal,
    settings: Settings,
) -> TestsetRevision:
    if data.base_version != testset.head_version:
        raise Conflict(
            f"These rows replace version {data.base_version}, but version "
            f"{testset.head_version} is the latest now"
        )
    rows = data.rows or []
    check_rows(rows, max_rows=settings.testset_max_rows)
    content = revisions.content_from_rows(
        testset.id, rows, columns=data.columns, answer_column=data.answer_column
    )
    return await revisions.commit_revision(
        session,
        testset,
        content,
        message=data.message,
        actor=principal.user_id,
        max_rows=settings.testset_max_rows,
    )


@get(f"{BASE}/diff", guards=VIEW, tags=TAGS)
async def diff_revisions(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
    from_version: FromQuery[int],
    to_version: FromQuery[int],
    limit: FromQuery[int] = 500,
) -> dict[str, Any]:
    """What changed from ``from_version`` to ``to_version`` (row lists cut at ``limit``)."""
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    compared = await browsing.compare_versions(db_session, testset, from_version, to_version)
    return {
        "from": revision_record(compared.old),
        "to": revision_record(compared.new),
        "diff": diff_record(compared.diff, max(0, limit)),
    }


ROUTES = [
    list_revisions,
    read_revision,
    read_rows,
    download_revision,
    commit_revision,
    diff_revisions,
]
