"""Adding traces or spans to a test set from the explorer.

- `GET /observability/testsets/add?select=<trace_id>&select=<trace_id>:<span_id>...`: the
  ticked traces (their root spans) and spans, a mapping from test set columns to paths in
  each span's document (`inputs.country`, `outputs`, ...; pre-filled from the spans' own
  input keys and output), and the target: a new test set by name or an existing one;
- `POST /observability/testsets/add`: adds one row per span through the test sets
  service's `add_rows` (one new revision), then opens the test set's page with a notice.
  A refusal (bad mapping, bad name, too many rows) shows the form again with what was typed.

A span's document is `{"inputs", "outputs", "parameters", "trace_id", "span_id",
"span_name"}`, the shape the test sets service maps from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.page_support import flash
from agenta.core.testsets.adding import add_rows
from agenta.core.testsets.commit_events import announce_commit
from agenta.core.testsets.problems import TestsetImportError
from agenta.core.testsets.testsets import TestsetQuery, find_testsets
from agenta.core.tracing.page_queries import Selected, parse_selection, selected_spans
from agenta.core.tracing.pages_payloads import is_message, is_messages, short_text
from agenta.core.tracing.pages_support import back_to, render
from agenta.core.tracing.query_model import QueryError
from agenta.core.tracing.span import Span
from agenta.errors import AppError
from agenta.jobs.queue import JobQueue
from agenta.settings import Settings

ADD = [requires(Permission.VIEW_SPANS, Permission.EDIT_TESTSETS)]
PATH = "/observability/testsets/add"
ANSWER_COLUMN = "correct_answer"
BLANK_MAPPING_ROWS = 2


def span_document(span: Span) -> dict[str, Any]:
    """What a span offers to a test set row."""
    return {
        "inputs": span.inputs,
        "outputs": span.outputs,
        "parameters": span.parameters,
        "trace_id": span.trace_id,
        "span_id": span.span_id,
        "span_name": span.name,
    }


def suggested_mapping(spans: list[Span]) -> list[tuple[str, str]]:
    """Columns named after the spans' input keys, and the output as `correct_answer`."""
    mapping: dict[str, str] = {}
    for span in spans:
        inputs = span.inputs
        if isinstance(inputs, Mapping):
            for key in inputs:
                mapping.setdefault(str(key), f"inputs.{key}")
        elif inputs is not None:
            mapping.setdefault("inputs", "inputs")
    outputs = next((span.outputs for span in spans if span.outputs is not None), None)
    if outputs is not None:
        mapping.setdefault(ANSWER_COLUMN, _answer_path(outputs, "outputs"))
    return list(mapping.items())


def _answer_path(value: Any, path: str) -> str:
    if is_messages(value):
        return f"{path}.0.content"
    if is_message(value):
        return f"{path}.content"
    if isinstance(value, Mapping) and len(value) == 1:
        key, inner = next(iter(value.items()))
        return _answer_path(inner, f"{path}.{key}")
    return path


def submitted_mapping(columns: list[str], paths: list[str]) -> dict[str, str]:
    """Column-to-path pairs of the form (blank pairs skipped); `AppError` names a half pair."""
    mapping: dict[str, str] = {}
    for column, path in zip(columns, paths, strict=False):
        column, path = column.strip(), path.strip()
        if not column and not path:
            continue
        if not column or not path:
            raise AppError(f"give both a column and a path (got {column or path!r} alone)")
        if column in mapping:
            raise AppError(f"column {column!r} is mapped twice")
        mapping[column] = path
    if not mapping:
        raise AppError("map at least one column to a path, such as inputs.question")
    return mapping


@get(PATH, guards=ADD, include_in_schema=False)
async def add_form(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template | Redirect:
    try:
        selection = parse_selection(request.query_params.getall("select", []))
    except QueryError as error:
        return back_to("/observability/traces", error=str(error))
    if not selection:
        return back_to("/observability/traces", error="Tick the traces to add to a test set first")
    spans = await selected_spans(db_session, principal.project_id, selection)
    return await _form(request, db_session, principal, selection, spans, {})


@post(PATH, guards=ADD, include_in_schema=False)
async def add_submit(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
) -> Template | Redirect:
    form = await request.form()
    fields = {key: str(value) for key, value in form.items()}
    try:
        selection = parse_selection([str(value) for value in form.getall("select", [])])
    except QueryError as error:
        return back_to("/observability/traces", error=str(error))
    spans = await selected_spans(db_session, principal.project_id, selection)
    try:
        mapping = submitted_mapping(
            [str(v) for v in form.getall("column", [])], [str(v) for v in form.getall("path", [])]
        )
        target, name = _target(fields)
        if not spans:
            raise AppError("none of the selected traces is stored in this project")
        committed = await add_rows(
            db_session,
            principal.project_id,
            target,
            name,
            [span_document(span) for span in spans],
            mapping,
            fields.get("message", "").strip() or f"Added from {len(spans)} traced spans",
            principal.user_id,
            max_rows=settings.testset_max_rows,
        )
        await announce_commit(db_session, principal, committed.testset, committed.revision, queue)
    except (AppError, TestsetImportError) as error:
        await db_session.rollback()
        message = error.detail if isinstance(error, AppError) else str(error)
        failed = [flash("error", f"Nothing was added: {message}")]
        return await _form(
            request, db_session, principal, selection, spans, fields, failed, form=form
        )
    rows = len(spans)
    notice = (
        f"Added {rows} row{'s' if rows != 1 else ''} to test set {committed.testset.name} "
        f"(revision {committed.revision.version})"
    )
    return back_to(f"/testsets/{committed.testset.id}", notice=notice)


def _target(fields: dict[str, str]) -> tuple[UUID | None, str | None]:
    if fields.get("target") == "existing":
        try:
            return UUID(fields.get("testset_id", "")), None
        except ValueError:
            raise AppError("choose the test set to add the rows to") from None
    name = fields.get("name", "").strip()
    if not name:
        raise AppError("give the new test set a name")
    return None, name


async def _form(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    principal: Principal,
    selection: list[Selected],
    spans: list[Span],
    fields: dict[str, str],
    flashes: list[dict[str, str]] | None = None,
    form: Any = None,
) -> Template:
    if form is not None:
        pairs = list(zip(form.getall("column", []), form.getall("path", []), strict=False))
    else:
        pairs = suggested_mapping(spans)
    pairs = [*pairs, *([("", "")] * BLANK_MAPPING_ROWS)]
    testsets = await find_testsets(session, principal.project_id, TestsetQuery(limit=200))
    previews = [
        {"span": span, "inputs": short_text(span.inputs), "outputs": short_text(span.outputs)}
        for span in spans
    ]
    return render(
        request,
        "add_to_testset.html",
        tab="traces",
        status_code=422 if flashes else 200,
        flashes=flashes,
        selection=selection,
        previews=previews,
        missing=len(selection) - len(spans),
        pairs=pairs,
        testsets=testsets,
        fields=fields,
    )


ROUTES = [add_form, add_submit]
