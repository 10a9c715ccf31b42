"""The test set endpoints the official ``agenta`` SDK calls (``ag.testsets``).

- ``POST /api/simple/testsets/`` (trailing slash) creates a test set whose first revision holds
  ``data.testcases``;
- ``GET /api/simple/testsets/{id}`` reads it with its latest rows (404 when unknown: the SDK
  reads that as "no such test set");
- ``PUT /api/simple/testsets/{id}`` renames it and, when ``data`` is given, commits those rows as
  the next revision (rows identical to the latest revision commit nothing);
- ``POST /api/simple/testsets/query`` lists test sets (``testset.name`` matches anywhere, any
  case; the SDK picks the exact name itself), without their rows;
- ``POST /api/testsets/revisions/retrieve`` finds a revision by ``testset_revision_ref.id``, or
  by ``testset_ref`` (id or slug) and an optional ``testset_revision_ref.version``; nothing found
  is ``200 {"count": 0, "testset_revision": null}``.

The SDK treats any status but 200 as failure, so every route answers 200 on success.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.revisions.references import Reference, to_reference
from agenta.core.testsets import revisions, storage, testsets
from agenta.core.testsets.bodies import (
    RetrieveBody,
    SimpleTestsetEnvelope,
    SimpleTestsetFields,
    TestsetDataBody,
    TestsetQueryBody,
    check_labels,
)
from agenta.core.testsets.codecs import TestcaseAttributes
from agenta.core.testsets.commit_events import announce_commit
from agenta.core.testsets.models import Testset, TestsetRevision
from agenta.core.testsets.storable import check_rows
from agenta.core.testsets.storage import StoredRow
from agenta.core.testsets.views import sdk_revision, simple_testset
from agenta.errors import AppError, NotFound
from agenta.jobs.queue import JobQueue
from agenta.settings import Settings

VIEW = [requires(Permission.VIEW_TESTSETS)]
EDIT = [requires(Permission.EDIT_TESTSETS)]
TAGS = ["testsets (SDK)"]


@post("/api/simple/testsets/", guards=EDIT, status_code=200, tags=TAGS)
async def create_simple_testset(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
    data: JSONBody[SimpleTestsetEnvelope],
) -> dict[str, Any]:
    """Create a test set with its first revision; ``{"count": 1, "testset": {...}}``."""
    fields = _required(data.testset)
    testset = await testsets.create_testset(
        db_session,
        principal.project_id,
        name=fields.name or fields.slug or "",
        slug=fields.slug,
        description=fields.description or "",
        tags=check_labels(fields.tags),
        meta=fields.meta,
        actor=principal.user_id,
    )
    revision, rows = await _commit_testcases(
        db_session, testset, fields.data, fields.message or "Created", principal, settings
    )
    await announce_commit(db_session, principal, testset, revision, queue)
    return {"count": 1, "testset": simple_testset(testset, revision, rows)}


@get("/api/simple/testsets/{testset_id:uuid}", guards=VIEW, tags=TAGS)
async def read_simple_testset(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
) -> dict[str, Any]:
    """A test set with the rows of its latest revision."""
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    head, rows = await _head_rows(db_session, testset)
    return {"count": 1, "testset": simple_testset(testset, head, rows)}


@put("/api/simple/testsets/{testset_id:uuid}", guards=EDIT, tags=TAGS)
async def edit_simple_testset(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
    testset_id: FromPath[uuid.UUID],
    data: JSONBody[SimpleTestsetEnvelope],
) -> dict[str, Any]:
    """Rename a test set and, given ``data``, commit its rows as the next revision."""
    fields = _required(data.testset)
    if fields.id is not None and fields.id != testset_id:
        raise AppError(f"testset.id {fields.id} does not match the path's {testset_id}")
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    await testsets.edit_testset(
        db_session,
        testset,
        actor=principal.user_id,
        name=fields.name or None,
        description=fields.description,
        tags=check_labels(fields.tags),
        meta=fields.meta,
    )
    head, rows = await _head_rows(db_session, testset)
    if fields.data is not None and fields.data.testcases is not None:
        changed = await _replace_if_changed(
            db_session, testset, head, rows, fields, principal, settings
        )
        if changed is not None:
            head, rows = changed
            await announce_commit(db_session, principal, testset, head, queue)
    return {"count": 1, "testset": simple_testset(testset, head, rows)}


@post("/api/simple/testsets/query", guards=VIEW, status_code=200, tags=TAGS)
async def query_simple_testsets(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    data: JSONBody[TestsetQueryBody],
) -> dict[str, Any]:
    """Test sets by name, id or slug; ``{"count": n, "testsets": [...]}`` without rows."""
    refs = [to_reference(ref, "testset_refs") for ref in data.testset_refs or []]
    fields = data.testset or SimpleTestsetFields()
    window = data.windowing
    query = testsets.TestsetQuery(
        name=fields.name,
        ids=[ref.id for ref in refs if ref and ref.id],
        slugs=[ref.slug for ref in refs if ref and ref.slug]
        + ([fields.slug] if fields.slug else []),
        include_archived=data.include_archived,
        limit=(window.limit if window and window.limit else testsets.MAX_PAGE),
        offset=(window.offset if window and window.offset else 0),
    )
    found = await testsets.find_testsets(db_session, principal.project_id, query)
    heads = await testsets.head_revisions(db_session, found)
    records = [simple_testset(testset, heads.get(testset.id), None) for testset in found]
    return {"count": len(records), "testsets": records}


@post("/api/testsets/revisions/retrieve", guards=VIEW, status_code=200, tags=TAGS)
async def retrieve_testset_revision(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    data: JSONBody[RetrieveBody],
) -> dict[str, Any]:
    """A revision with its rows, by revision id or by test set and version."""
    testset_ref = to_reference(data.testset_ref, "testset_ref")
    revision_ref = to_reference(data.testset_revision_ref, "testset_revision_ref")
    if testset_ref is None and (revision_ref is None or revision_ref.id is None):
        raise AppError("Give testset_ref (id or slug) or testset_revision_ref.id")
    try:
        testset, revision = await _resolve(
            db_session, principal.project_id, testset_ref, revision_ref
        )
    except NotFound:
        return {"count": 0, "testset_revision": None}
    rows = await storage.all_rows(db_session, revision.id)
    return {"count": 1, "testset_revision": sdk_revision(testset, revision, rows)}


ROUTES = [
    create_simple_testset,
    read_simple_testset,
    edit_simple_testset,
    query_simple_testsets,
    retrieve_testset_revision,
]


async def _resolve(
    session: AsyncSession,
    project_id: uuid.UUID,
    testset_ref: Reference | None,
    revision_ref: Reference | None,
) -> tuple[Testset, TestsetRevision]:
    if revision_ref is not None and revision_ref.id is not None:
        revision = await revisions.get_revision_by_id(session, project_id, revision_ref.id)
        return await testsets.get_testset(session, project_id, revision.testset_id), revision
    assert testset_ref is not None
    testset = await _testset_by_ref(session, project_id, testset_ref)
    version = revision_ref.version if revision_ref else None
    return testset, await revisions.get_revision(session, testset, version or None)


async def _testset_by_ref(session: AsyncSession, project_id: uuid.UUID, ref: Reference) -> Testset:
    if ref.id is not None:
        return await testsets.get_testset(session, project_id, ref.id)
    found = await testsets.find_testset_by_slug(session, project_id, ref.slug or "")
    if found is None:
        raise NotFound(f"No test set with slug {ref.slug!r}")
    return found


def _required(fields: SimpleTestsetFields | None) -> SimpleTestsetFields:
    if fields is None:
        raise AppError('The body needs a "testset" object')
    return fields


def _testcases(data: TestsetDataBody | None) -> tuple[list[dict[str, Any]], list[Any]]:
    cases = (data.testcases if data else None) or []
    rows = [case.data or {} for case in cases]
    attributes = [
        TestcaseAttributes(case.flags, case.tags, case.meta)
        if case.flags or case.tags or case.meta
        else None
        for case in cases
    ]
    return rows, attributes


async def _commit_testcases(
    session: AsyncSession,
    testset: Testset,
    data: TestsetDataBody | None,
    message: str,
    principal: Principal,
    settings: Settings,
) -> tuple[TestsetRevision, list[StoredRow]]:
    rows, attributes = _testcases(data)
    check_rows(rows, max_rows=settings.testset_max_rows, noun="testcase")
    content = revisions.content_from_rows(testset.id, rows, attributes=attributes)
    revision = await revisions.commit_revision(
        session,
        testset,
        content,
        message=message,
        actor=principal.user_id,
        max_rows=settings.testset_max_rows,
    )
    stored = [
        StoredRow(position, case.id, dict(case.data), case.flags, case.tags, case.meta)
        for position, case in enumerate(content.new_testcases)
    ]
    return revision, stored


async def _head_rows(
    session: AsyncSession, testset: Testset
) -> tuple[TestsetRevision | None, list[StoredRow]]:
    if not testset.head_version:
        return None, []
    head = await revisions.get_revision(session, testset)
    return head, await storage.all_rows(session, head.id)


async def _replace_if_changed(
    session: AsyncSession,
    testset: Testset,
    head: TestsetRevision | None,
    rows: list[StoredRow],
    fields: SimpleTestsetFields,
    principal: Principal,
    settings: Settings,
) -> tuple[TestsetRevision, list[StoredRow]] | None:
    new_rows, _ = _testcases(fields.data)
    same_ids = revisions.content_from_rows(testset.id, new_rows).ids == [row.id for row in rows]
    if head is not None and same_ids:
        return None
    message = fields.message or "Updated through the API"
    return await _commit_testcases(session, testset, fields.data, message, principal, settings)
