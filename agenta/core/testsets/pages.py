"""Test set pages: the list, uploads, new test sets and archiving; ``pages_router`` gathers all.

- ``GET /testsets``: the project's test sets (``?q=`` searches names, ``?archived=1`` shows the
  archived ones), a file upload form and a form for an empty test set with given columns;
- ``POST /testsets/upload``: import a file; a refused file re-renders the list (422) with the
  first problems and their lines, and nothing is stored;
- ``POST /testsets``: a new test set with columns and no rows yet;
- ``POST /testsets/{id}/archive`` and ``/unarchive``.

The editor is in ``editor_pages`` and the history and diff in ``history_pages``. Form posts
redirect (303) back with ``?notice=`` or ``?error=``, shown as a flash. Templates live in
``agenta/web/templates/testsets``.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.page_support import form_data
from agenta.core.testsets import editor_pages, history_pages, revisions, testsets, uploads
from agenta.core.testsets.codecs import TestsetImportError
from agenta.core.testsets.commit_events import announce_commit
from agenta.core.testsets.page_helpers import back_to, render
from agenta.core.testsets.routes import refuse_oversized_bodies
from agenta.core.testsets.uploads import Limits, Upload
from agenta.errors import AppError
from agenta.jobs.queue import JobQueue
from agenta.settings import Settings

VIEW = [requires(Permission.VIEW_TESTSETS)]
EDIT = [requires(Permission.EDIT_TESTSETS)]


async def _list_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    **extra: Any,
) -> Template:
    archived = request.query_params.get("archived") == "1"
    search = request.query_params.get("q", "").strip()
    query = testsets.TestsetQuery(name=search or None, include_archived=archived, limit=500)
    found = await testsets.find_testsets(session, principal.project_id, query)
    if archived:
        found = [testset for testset in found if testset.deleted_at is not None]
    return render(
        request,
        "list.html",
        testsets=found,
        heads=await testsets.head_revisions(session, found),
        archived=archived,
        search=search,
        can_edit=principal.can(Permission.EDIT_TESTSETS),
        max_megabytes=settings.testset_max_bytes // (1024 * 1024),
        max_rows=settings.testset_max_rows,
        **extra,
    )


@get("/testsets", guards=VIEW, include_in_schema=False)
async def testset_list(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
) -> Template:
    return await _list_page(request, db_session, principal, settings)


@post("/testsets/upload", guards=EDIT, include_in_schema=False)
async def testset_upload(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
) -> Template | Redirect:
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return back_to("/testsets", error="Choose a CSV, JSON or JSONL file to upload")
    name = str(form.get("name") or "").strip() or None
    upload = Upload(await file.read(), file.filename, file.content_type or None)
    try:
        committed = await uploads.import_upload(
            db_session,
            principal.project_id,
            upload,
            limits=Limits.of(settings),
            actor=principal.user_id,
            name=name,
        )
    except TestsetImportError as exc:
        await db_session.rollback()
        return await _list_page(
            request,
            db_session,
            principal,
            settings,
            status_code=422,
            refused=exc,
            refused_file=file.filename,
        )
    await announce_commit(db_session, principal, committed.testset, committed.revision, queue)
    rows = committed.revision.row_count
    return back_to(f"/testsets/{committed.testset.id}", notice=f"Imported {rows:,} rows")


@post("/testsets", guards=EDIT, include_in_schema=False)
async def testset_create(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
) -> Redirect:
    form = await form_data(request)
    columns = [column.strip() for column in form.get("columns", "").split(",") if column.strip()]
    try:
        testset = await testsets.create_testset(
            db_session, principal.project_id, name=form.get("name", ""), actor=principal.user_id
        )
        content = revisions.content_from_rows(testset.id, [], columns=list(dict.fromkeys(columns)))
        revision = await revisions.commit_revision(
            db_session,
            testset,
            content,
            message="Created",
            actor=principal.user_id,
            max_rows=settings.testset_max_rows,
        )
        await announce_commit(db_session, principal, testset, revision, queue)
    except AppError as exc:
        await db_session.rollback()
        return back_to("/testsets", error=exc.detail)
    return back_to(f"/testsets/{testset.id}", notice="Test set created")


@post("/testsets/{testset_id:uuid}/archive", guards=EDIT, include_in_schema=False)
async def testset_archive(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
) -> Redirect:
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    await testsets.set_archived(db_session, testset, True, actor=principal.user_id)
    return back_to("/testsets", notice=f"Archived {testset.name}")


@post("/testsets/{testset_id:uuid}/unarchive", guards=EDIT, include_in_schema=False)
async def testset_unarchive(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
) -> Redirect:
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    await testsets.set_archived(db_session, testset, False, actor=principal.user_id)
    return back_to(f"/testsets/{testset.id}", notice=f"Restored {testset.name}")


ROUTES = [testset_list, testset_upload, testset_create, testset_archive, testset_unarchive]


def pages_router() -> Router:
    """Every test set page."""
    return Router(
        path="/",
        route_handlers=[*ROUTES, *editor_pages.ROUTES, *history_pages.ROUTES],
        before_request=refuse_oversized_bodies,
        request_max_body_size=None,
        include_in_schema=False,
    )
