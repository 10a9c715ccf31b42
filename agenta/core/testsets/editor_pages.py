"""The test set editor: a paginated table edited in place, committed as a new revision.

- ``GET /testsets/{id}``: the latest revision (``?version=`` for an older one, read only),
  ``?q=`` searches the rows, ``?offset=`` pages; downloads in every format;
- ``GET /testsets/{id}/cell?row=b12&column=question``: a cell's editor (``&mode=view``: the cell);
- ``POST /testsets/{id}/draft``: one editing operation (``op`` and its fields, as in
  ``changes``) recorded in the user's draft. htmx gets the editor back (the banner, the columns
  and the page of rows); a refused cell value reopens that cell's editor with the reason and what
  was typed; without JavaScript the page is reloaded;
- ``POST /testsets/{id}/commit``: the draft becomes the next revision, with ``message``;
- ``POST /testsets/{id}/draft/discard``: forget the draft.
"""

from __future__ import annotations

import uuid
import zlib
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.page_support import form_data
from agenta.core.testsets import editing, testsets
from agenta.core.testsets.changes import RowRef
from agenta.core.testsets.codecs import TestsetImportError
from agenta.core.testsets.commit_events import announce_commit
from agenta.core.testsets.editor_context import EditorState, current_value, load_rows, load_state
from agenta.core.testsets.editor_view import cell_value, cell_view
from agenta.core.testsets.page_helpers import back_to, is_htmx, render
from agenta.core.testsets.storable import value_problem
from agenta.errors import AppError
from agenta.jobs.queue import JobQueue
from agenta.settings import Settings

VIEW = [requires(Permission.VIEW_TESTSETS)]
EDIT = [requires(Permission.EDIT_TESTSETS)]


@get("/testsets/{testset_id:uuid}", guards=VIEW, include_in_schema=False)
async def editor_page(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
    version: FromQuery[str] = "",
    q: FromQuery[str] = "",
    offset: FromQuery[int] = 0,
) -> Template:
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    state = await load_state(
        db_session, testset, principal, version=version, offset=offset, search=q
    )
    await load_rows(db_session, state)
    return render(request, "editor.html", state=state)


@get("/testsets/{testset_id:uuid}/cell", guards=EDIT, include_in_schema=False)
async def cell_fragment(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
    row: FromQuery[str],
    column: FromQuery[str],
    mode: FromQuery[str] = "edit",
) -> Template:
    state = await _editing_state(db_session, principal, testset_id)
    ref = RowRef.parse(row)
    value = await current_value(db_session, state, ref, column)
    edited = column in (state.changes.cells.get(ref.index, {}) if state.changes else {})
    template = "_cell_edit.html" if mode == "edit" else "_cell.html"
    cell = cell_view({column: value} if value is not None else {}, column, edited)
    cell_id = f"cell-{ref}-{zlib.crc32(column.encode()):08x}"
    return render(request, template, state=state, ref=ref, cell=cell, cell_id=cell_id)


@post("/testsets/{testset_id:uuid}/draft", guards=EDIT, include_in_schema=False)
async def draft_operation(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
) -> Template | Redirect:
    form = await form_data(request)
    state = await _editing_state(db_session, principal, testset_id, form)
    assert state.draft is not None and principal.user_id is not None
    try:
        operation = await _operation(db_session, state, form)
        state.draft.changes.apply(operation, state.shape)
        await editing.save_draft(db_session, state.testset, principal.user_id, state.draft)
    except AppError as exc:
        return await _refused(request, db_session, state, form, exc.detail)
    if not is_htmx(request):
        return back_to(f"/testsets/{testset_id}")
    await load_rows(db_session, state)
    return render(request, "_editor.html", state=state)


@post("/testsets/{testset_id:uuid}/commit", guards=EDIT, include_in_schema=False)
async def commit_draft(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
    testset_id: FromPath[uuid.UUID],
) -> Redirect:
    form = await form_data(request)
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    if principal.user_id is None:
        raise AppError("Only a signed-in user can commit from the editor", status_code=403)
    try:
        revision = await editing.commit_draft(
            db_session,
            testset,
            principal.user_id,
            message=form.get("message", ""),
            max_rows=settings.testset_max_rows,
        )
    except (AppError, TestsetImportError) as exc:
        await db_session.rollback()
        message = exc.detail if isinstance(exc, AppError) else str(exc)
        return back_to(f"/testsets/{testset_id}", error=message)
    await announce_commit(db_session, principal, testset, revision, queue)
    return back_to(f"/testsets/{testset_id}", notice=f"Committed version {revision.version}")


@post("/testsets/{testset_id:uuid}/draft/discard", guards=EDIT, include_in_schema=False)
async def discard_draft(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    testset_id: FromPath[uuid.UUID],
) -> Redirect:
    testset = await testsets.get_testset(db_session, principal.project_id, testset_id)
    if principal.user_id is not None:
        await editing.discard_draft(db_session, testset, principal.user_id)
    return back_to(f"/testsets/{testset_id}", notice="Changes discarded")


async def _editing_state(
    session: AsyncSession,
    principal: Principal,
    testset_id: uuid.UUID,
    form: dict[str, str] | None = None,
) -> EditorState:
    testset = await testsets.get_testset(session, principal.project_id, testset_id)
    form = form or {}
    state = await load_state(
        session, testset, principal, offset=_int(form.get("offset")), search=form.get("q", "")
    )
    if not state.editing:
        raise AppError(
            "Your draft was made on an older version: discard it to edit the latest one",
            status_code=409,
        )
    return state


async def _operation(
    session: AsyncSession, state: EditorState, form: dict[str, str]
) -> dict[str, Any]:
    """The operation a form describes; a typed cell value is read as the column expects."""
    operation: dict[str, Any] = {key: value for key, value in form.items() if key in _FIELDS}
    if operation.get("op") == "set_cell":
        ref = RowRef.parse(form.get("row", ""))
        column = form.get("column", "")
        previous = await current_value(session, state, ref, column)
        operation["value"] = cell_value(form.get("value", ""), previous, column)
        problem = value_problem(operation["value"])
        if problem:
            raise AppError(f"This value {problem}")
    return operation


_FIELDS = {"op", "row", "column", "to", "value"}


async def _refused(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    state: EditorState,
    form: dict[str, str],
    message: str,
) -> Template | Redirect:
    if not is_htmx(request):
        return back_to(f"/testsets/{state.testset.id}", error=message)
    cell_id = form.get("cell_id", "")
    if form.get("op") == "set_cell" and cell_id.replace("-", "").isalnum():
        # Keep what was typed: the error replaces the open cell editor, not the table.
        ref = RowRef.parse(form.get("row", ""))
        column = form.get("column", "")
        cell = cell_view({column: form.get("value", "")}, column, False)
        fragment = render(
            request,
            "_cell_edit.html",
            state=state,
            ref=ref,
            cell=cell,
            cell_id=cell_id,
            error=message,
        )
        fragment.headers.update({"HX-Retarget": f"#{cell_id}", "HX-Reswap": "outerHTML"})
        return fragment
    state.error = message
    await load_rows(session, state)
    return render(request, "_editor.html", state=state)


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


ROUTES = [editor_page, cell_fragment, draft_operation, commit_draft, discard_draft]
