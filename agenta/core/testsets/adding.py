"""Adding rows to a test set from elsewhere: traces and spans, the playground, API clients.

``add_rows`` appends rows to the latest revision of a test set (or starts a new test set) and
commits the result as one revision. Callers hand over source records as they have them and a
``mapping`` from column name to a path in the record, so the trace explorer can send span
documents (``{"inputs": {...}, "outputs": ..., "attributes": {...}}``) and map
``inputs.question`` to the ``question`` column and ``outputs`` to ``correct_answer``; the
playground maps its inputs and output the same way. Without a mapping, records are rows already.

A path is dot-separated keys; a segment of digits indexes a list (``outputs.choices.0.text``).
A path that leads nowhere leaves that cell out of the row (the column then shows empty), so one
odd span does not block adding the others. Appending keeps the existing rows' ids: only the
added rows are new test cases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.testsets.models import Testset
from agenta.core.testsets.revisions import (
    RevisionContent,
    commit_revision,
    content_from_rows,
    get_revision,
)
from agenta.core.testsets.storable import check_rows
from agenta.core.testsets.storage import revision_testcase_ids
from agenta.core.testsets.testsets import create_testset, get_testset
from agenta.core.testsets.uploads import Committed
from agenta.errors import AppError

_MISSING = object()


def value_at(record: Any, path: str) -> Any:
    """The value at dotted ``path`` in ``record``, or ``_MISSING``."""
    value = record
    for segment in path.split("."):
        if isinstance(value, Mapping) and segment in value:
            value = value[segment]
        elif isinstance(value, list) and segment.isdigit() and int(segment) < len(value):
            value = value[int(segment)]
        else:
            return _MISSING
    return value


def map_record(record: Mapping[str, Any], mapping: Mapping[str, str] | None) -> dict[str, Any]:
    """The row that ``mapping`` (column to path) makes of ``record``."""
    if mapping is None:
        return dict(record)
    row = {}
    for column, path in mapping.items():
        value = value_at(record, path)
        if value is not _MISSING:
            row[column] = value
    return row


def _check_mapping(mapping: Mapping[str, str] | None) -> None:
    if mapping is None:
        return
    if not mapping:
        raise AppError("The mapping is empty: map at least one column to a path")
    for column, path in mapping.items():
        if not column.strip():
            raise AppError("The mapping has an empty column name")
        if not isinstance(path, str) or not path or "" in path.split("."):
            raise AppError(f"The path for column {column!r} must look like 'inputs.question'")


async def add_rows(
    session: AsyncSession,
    project_id: UUID,
    testset_id: UUID | None,
    name: str | None,
    rows: Sequence[Mapping[str, Any]],
    mapping: Mapping[str, str] | None,
    message: str,
    actor: UUID | None,
    *,
    max_rows: int,
) -> Committed:
    """Append ``rows`` (mapped) to test set ``testset_id``, or to a new test set ``name``."""
    if not rows:
        raise AppError("There are no rows to add")
    _check_mapping(mapping)
    mapped = [map_record(record, mapping) for record in rows]
    check_rows(mapped, max_rows=max_rows)
    if testset_id is None:
        testset = await create_testset(session, project_id, name=name or "", actor=actor)
        content = content_from_rows(testset.id, mapped, columns=list(mapping or []) or None)
    else:
        testset = await get_testset(session, project_id, testset_id)
        content = await _appended(session, testset, mapped)
    note = message or f"Added {len(mapped):,} row{'s' if len(mapped) != 1 else ''}"
    revision = await commit_revision(
        session, testset, content, message=note, actor=actor, max_rows=max_rows
    )
    return Committed(testset, revision)


async def _appended(
    session: AsyncSession, testset: Testset, rows: list[dict[str, Any]]
) -> RevisionContent:
    added = content_from_rows(testset.id, rows)
    if testset.head_version == 0:
        return added
    head = await get_revision(session, testset)
    kept = await revision_testcase_ids(session, head.id)
    columns = list(head.columns) + [c for c in added.columns if c not in set(head.columns)]
    return RevisionContent(kept + added.ids, columns, added.new_testcases, head.answer_column)
