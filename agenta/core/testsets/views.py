"""JSON shapes of test sets and revisions: our REST API's, and the official SDK's.

Our records are flat and name things plainly (``version``, ``row_count``, ``columns``,
``answer_column``, ``archived``). The SDK's records follow its pydantic models: a revision's
``version`` is a string, ``data`` holds only ``testcases`` (the SDK refuses other keys there),
``flags`` only the booleans it knows, and every id is a UUID. Extra top-level keys are ignored by
the SDK, so SDK records also carry ``columns`` and ``answer_column``.

``import_refused`` turns a refused file (``TestsetImportError``) into a 422 whose ``details``
list each problem with its line, so a client can point at it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from litestar import Request, Response

from agenta.core.testsets.codecs import Problem, RevisionDiff, TestsetImportError
from agenta.core.testsets.models import Testset, TestsetRevision
from agenta.core.testsets.storage import StoredRow
from agenta.errors import AppError, http_exception_handler


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def problem_records(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [{"line": problem.line, "message": problem.message} for problem in problems]


def testset_record(testset: Testset, head: TestsetRevision | None) -> dict[str, Any]:
    """A test set as our REST API shows it, with its latest revision's summary."""
    return {
        "id": str(testset.id),
        "slug": testset.slug,
        "name": testset.name,
        "description": testset.description,
        "version": testset.head_version,
        "revision_id": str(head.id) if head else None,
        "row_count": head.row_count if head else 0,
        "columns": list(head.columns) if head else [],
        "answer_column": head.answer_column if head else None,
        "archived": testset.deleted_at is not None,
        "created_at": _time(testset.created_at),
        "updated_at": _time(testset.updated_at or testset.created_at),
    }


def revision_record(revision: TestsetRevision) -> dict[str, Any]:
    """A revision's summary (its rows are read page by page or downloaded)."""
    return {
        "id": str(revision.id),
        "testset_id": str(revision.testset_id),
        "version": revision.version,
        "message": revision.message,
        "columns": list(revision.columns),
        "answer_column": revision.answer_column,
        "row_count": revision.row_count,
        "created_at": _time(revision.created_at),
        "created_by_id": str(revision.created_by_id) if revision.created_by_id else None,
    }


def row_record(row: StoredRow) -> dict[str, Any]:
    return {"position": row.position, "id": str(row.id), "data": row.data}


def diff_record(diff: RevisionDiff, limit: int) -> dict[str, Any]:
    """A revision diff; row lists are cut at ``limit`` entries (counts stay complete)."""
    return {
        "added_rows": [str(row_id) for row_id in diff.added_rows[:limit]],
        "removed_rows": [str(row_id) for row_id in diff.removed_rows[:limit]],
        "changed_rows": [
            {
                "old_id": str(change.old_id),
                "new_id": str(change.new_id),
                "columns": change.columns,
                "old": change.old,
                "new": change.new,
            }
            for change in diff.changed_rows[:limit]
        ],
        "counts": {
            "added": len(diff.added_rows),
            "removed": len(diff.removed_rows),
            "changed": len(diff.changed_rows),
            "unchanged": diff.unchanged_rows,
        },
        "added_columns": diff.added_columns,
        "removed_columns": diff.removed_columns,
        "renamed_columns": diff.renamed_columns,
        "reordered": diff.reordered,
    }


def sdk_testcases(testset: Testset, rows: Sequence[StoredRow]) -> list[dict[str, Any]]:
    """Test cases as the SDK's ``Testcase`` model reads them."""
    cases = []
    for row in rows:
        case: dict[str, Any] = {"id": str(row.id), "testset_id": str(testset.id), "data": row.data}
        for name in ("flags", "tags", "meta"):
            if getattr(row, name) is not None:
                case[name] = getattr(row, name)
        cases.append(case)
    return cases


def simple_testset(
    testset: Testset, head: TestsetRevision | None, rows: Sequence[StoredRow] | None
) -> dict[str, Any]:
    """The SDK's ``SimpleTestset``: the test set with its latest revision folded in."""
    record: dict[str, Any] = {
        "id": str(testset.id),
        "slug": testset.slug,
        "name": testset.name,
        "description": testset.description,
        "flags": {"has_testcases": bool(head and head.row_count), "has_traces": False},
        "tags": testset.tags,
        "meta": testset.meta,
        "created_at": _time(testset.created_at),
        "updated_at": _time(testset.updated_at),
        "deleted_at": _time(testset.deleted_at),
        "created_by_id": _id(testset.created_by_id),
        "updated_by_id": _id(testset.updated_by_id),
        "revision_id": str(head.id) if head else None,
        "version": str(testset.head_version),
        "columns": list(head.columns) if head else [],
        "answer_column": head.answer_column if head else None,
    }
    if rows is not None:
        record["data"] = {"testcases": sdk_testcases(testset, rows)}
    return record


def sdk_revision(
    testset: Testset, revision: TestsetRevision, rows: Sequence[StoredRow]
) -> dict[str, Any]:
    """The SDK's ``TestsetRevision``, test cases included."""
    return {
        "id": str(revision.id),
        "slug": f"{testset.slug}.v{revision.version}",
        "name": testset.name,
        "version": str(revision.version),
        "testset_id": str(testset.id),
        "testset_slug": testset.slug,
        "message": revision.message,
        "author": _id(revision.created_by_id),
        "date": _time(revision.created_at),
        "created_at": _time(revision.created_at),
        "created_by_id": _id(revision.created_by_id),
        "flags": {"has_testcases": bool(revision.row_count), "has_traces": False},
        "columns": list(revision.columns),
        "answer_column": revision.answer_column,
        "data": {"testcases": sdk_testcases(testset, rows)},
    }


def _id(value: Any) -> str | None:
    return str(value) if value else None


def import_refused(request: Request[Any, Any, Any], exc: TestsetImportError) -> Response[Any]:
    """A refused file or row set: 422, with each problem and its line in ``details``."""
    details = {"problems": problem_records(exc.problems), "truncated": exc.truncated}
    error = AppError(str(exc), status_code=422, details=details)
    return http_exception_handler(request, error)
