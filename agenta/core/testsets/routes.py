"""Our REST API for test sets (the SDK's endpoints are in ``sdk_routes``).

- ``GET /api/testsets`` lists (``search``, ``include_archived``, ``limit``, ``offset``);
- ``POST /api/testsets`` creates one from JSON (``name``, optional ``columns`` and ``rows``);
- ``POST /api/testsets/upload`` imports a CSV, JSON or JSONL file (multipart ``file``, optional
  ``name``, ``testset_id`` to add a revision to an existing test set, ``message``, ``format``);
- ``POST /api/testsets/rows/add`` appends rows (mapped from trace spans or playground runs);
- ``GET|PATCH /api/testsets/{id}``, ``POST /api/testsets/{id}/archive|unarchive``.

Revisions, rows, downloads, commits and diffs are in ``revision_routes``. ``api_router`` gathers
all test set routes. Its ``before_request`` hook refuses bodies larger than the configured test
set size (with some room for JSON's overhead) from their ``Content-Length``, before a byte is read;
a refused file or row set answers 422 with its problems (``views.import_refused``).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Router, get, patch, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.testsets import adding, revision_routes, revisions, sdk_routes, testsets, uploads
from agenta.core.testsets.bodies import AddRowsBody, CreateTestsetBody, EditTestsetBody
from agenta.core.testsets.codecs import TestsetImportError
from agenta.core.testsets.commit_events import announce_commit
from agenta.core.testsets.storable import check_rows
from agenta.core.testsets.uploads import Committed, Limits, Upload
from agenta.core.testsets.views import (
    import_refused,
    problem_records,
    revision_record,
    testset_record,
)
from agenta.errors import AppError
from agenta.jobs.queue import JobQueue
from agenta.settings import Settings

VIEW = [requires(Permission.VIEW_TESTSETS)]
EDIT = [requires(Permission.EDIT_TESTSETS)]
TAGS = ["testsets"]
FORM_OVERHEAD = 1024 * 1024


def committed_record(committed: Committed) -> dict[str, Any]:
    """``{"testset", "revision", "warnings"}`` after a write."""
    return {
        "testset": testset_record(committed.testset, committed.revision),
        "revision": revision_record(committed.revision),
        "warnings": problem_records(committed.warnings),
    }


@get("/api/testsets", guards=VIEW, tags=TAGS)
async def list_testsets(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    search: FromQuery[str] = "",
    include_archived: FromQuery[bool] = False,
    limit: FromQuery[int] = testsets.DEFAULT_PAGE,
    offset: FromQuery[int] = 0,
) -> dict[str, Any]:
    """The project's test sets, most recently changed first."""
    query = testsets.TestsetQuery(
        name=search or None, include_archived=include_archived, limit=limit, offset=max(0, offset)
    )
    found = await testsets.find_testsets(db_session, principal.project_id, query)
    heads = await testsets.head_revisions(db_session, found)
    records = [testset_record(testset, heads.get(testset.id)) for testset in found]
    return {"count": len(records), "testsets": records}


@post("/api/testsets", guards=EDIT, status_code=200, tags=TAGS)
async def create_testset(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
    data: JSONBody[CreateTestsetBody],
) -> dict[str, Any]:
    """A new test set whose first revision holds ``rows`` (possibly none) and ``columns``."""
    rows = data.rows or []
    check_rows(rows, max_rows=settings.testset_max_rows)
    testset = await testsets.create_testset(
        db_session,
        principal.project_id,
        name=data.name or "",
        description=data.description,
        actor=principal.user_id,
    )
    content = revisions.content_from_rows(
        testset.id, rows, columns=data.columns, answer_column=data.answer_column
    )
    revision = await revisions.commit_revision(
        db_session,
        testset,
        content,
        message=data.message or "Created",
        actor=principal.user_id,
        max_rows=settings.testset_max_rows,
    )
    await announce_commit(db_session, principal, testset, revision, queue)
    return committed_record(Committed(testset, revision))


@post("/api/testsets/upload", guards=EDIT, status_code=200, tags=TAGS)
async def upload_testset(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
) -> dict[str, Any]:
    """Import a file as a new test set, or as the next revision of ``testset_id``."""
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise AppError('Send the file as multipart/form-data in a field named "file"')
    target = _optional_uuid(form.get("testset_id"), "testset_id")
    upload = Upload(
        data=await file.read(),
        filename=file.filename or None,
        content_type=file.content_type or None,
        fmt=_text(form.get("format")) or None,
    )
    committed = await uploads.import_upload(
        db_session,
        principal.project_id,
        upload,
        limits=Limits.of(settings),
        actor=principal.user_id,
        testset_id=target,
        name=_text(form.get("name")) or None,
        message=_text(form.get("message")),
    )
    await announce_commit(db_session, principal, committed.testset, committed.revision, queue)
    return committed_record(committed)


@post("/api/testsets/rows/add", guards=EDIT, status_code=200, tags=TAGS)
async def add_rows(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
    data: JSONBody[AddRowsBody],
) -> dict[str, Any]:
    """Append ``rows`` (through ``mapping``: column to path) to a test set or a new one."""
    if data.testset_id is None and not data.name:
        raise AppError("Give testset_id to add to a test set, or name to start a new one")
    committed = await adding.add_rows(
        db_session,
        principal.project_id,
        data.testset_id,
        data.name,
        data.rows or [],
        data.mapping,
        data.message,
        principal.user_id,
        max_rows=settings.testset_max_rows,
    )
    await announce_commit(db_session, principal, committed.testset, committed.revision, queue)
    return committed_record(committed)


@get("/api/testsets/{testset_id:uuid}", guards=VIEW, tags=TAGS)
async def read_testset(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
) -> dict[str, Any]:
    """One test set with its latest revision's summary."""
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    heads = await testsets.head_revisions(db_session, [testset])
    return {"testset": testset_record(testset, heads.get(testset.id))}


@patch("/api/testsets/{testset_id:uuid}", guards=EDIT, tags=TAGS)
async def edit_testset(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
    data: JSONBody[EditTestsetBody],
) -> dict[str, Any]:
    """Rename a test set or change its description."""
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    await testsets.edit_testset(
        db_session, testset, actor=principal.user_id, name=data.name, description=data.description
    )
    heads = await testsets.head_revisions(db_session, [testset])
    return {"testset": testset_record(testset, heads.get(testset.id))}


@post("/api/testsets/{testset_id:uuid}/archive", guards=EDIT, status_code=200, tags=TAGS)
async def archive_testset(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
) -> dict[str, Any]:
    """Hide a test set from listings; it still resolves by id."""
    return await _set_archived(db_session, principal, testset_id, archived=True)


@post("/api/testsets/{testset_id:uuid}/unarchive", guards=EDIT, status_code=200, tags=TAGS)
async def unarchive_testset(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
) -> dict[str, Any]:
    """Bring an archived test set back into listings."""
    return await _set_archived(db_session, principal, testset_id, archived=False)


async def _set_archived(
    session: AsyncSession, principal: Principal, testset_id: uuid.UUID, *, archived: bool
) -> dict[str, Any]:
    testset = await testsets.get_testset(session, principal.project_id, testset_id)
    await testsets.set_archived(session, testset, archived, actor=principal.user_id)
    heads = await testsets.head_revisions(session, [testset])
    return {"testset": testset_record(testset, heads.get(testset.id))}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _optional_uuid(value: Any, field: str) -> uuid.UUID | None:
    text = _text(value)
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        raise AppError(f"{field} must be a test set id (a UUID), not {text!r}") from None


async def refuse_oversized_bodies(request: Request[Any, Any, Any]) -> None:
    """Answer 413 (or 411 without a length) before reading a body over the size limit."""
    if request.method not in {"POST", "PUT", "PATCH"}:
        return None
    settings: Settings = request.app.state.platform.settings
    limit = 2 * settings.testset_max_bytes + FORM_OVERHEAD
    length = request.headers.get("content-length")
    if length is None:
        if "chunked" in request.headers.get("transfer-encoding", ""):
            raise AppError("Send a Content-Length header with the request body", status_code=411)
        return None
    if not length.isdigit() or int(length) > limit:
        raise AppError(
            f"The request body is larger than the limit of {limit // (1024 * 1024)} MB "
            f"(test sets may hold files of up to {settings.testset_max_bytes // (1024 * 1024)} MB)",
            status_code=413,
        )
    return None


ROUTES = [
    list_testsets,
    create_testset,
    upload_testset,
    add_rows,
    read_testset,
    edit_testset,
    archive_testset,
    unarchive_testset,
]


def api_router() -> Router:
    """Every test set API route, ours and the SDK's."""
    return Router(
        path="/",
        route_handlers=[*ROUTES, *revision_routes.ROUTES, *sdk_routes.ROUTES],
        exception_handlers={TestsetImportError: import_refused},
        before_request=refuse_oversized_bodies,
        request_max_body_size=None,
    )
