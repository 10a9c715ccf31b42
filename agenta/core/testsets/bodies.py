"""Request bodies of the test set API: the official SDK's shapes and our own endpoints'.

Every field is optional at this level and unknown keys are ignored (the SDK sends more than we
use); handlers check what each operation needs and answer 400 naming the missing field. Type
errors (an id that is not a UUID, rows that are not objects) are refused by the decoder with the
JSON path of the offending field.

Test set ``tags`` must be labels (strings, booleans, or objects of labels) because the SDK
parses them that way; ``check_labels`` refuses anything else before it is stored.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from agenta.core.revisions.references import ReferenceBody
from agenta.errors import AppError


class _Body(msgspec.Struct, kw_only=True):
    pass


class TestcaseBody(_Body):
    """One test case as the SDK sends it; only ``data`` (and attributes) are used."""

    __test__ = False

    id: uuid.UUID | None = None
    data: dict[str, Any] | None = None
    flags: dict[str, Any] | None = None
    tags: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None


class TestsetDataBody(_Body):
    __test__ = False

    testcases: list[TestcaseBody] | None = None


class SimpleTestsetFields(_Body):
    id: uuid.UUID | None = None
    slug: str | None = None
    name: str | None = None
    description: str | None = None
    tags: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None
    data: TestsetDataBody | None = None
    message: str | None = None


class SimpleTestsetEnvelope(_Body):
    testset: SimpleTestsetFields | None = None


class Windowing(_Body):
    limit: int | None = None
    offset: int | None = None


class TestsetQueryBody(_Body):
    __test__ = False

    testset: SimpleTestsetFields | None = None
    testset_refs: list[ReferenceBody] | None = None
    include_archived: bool = False
    windowing: Windowing | None = None


class RetrieveBody(_Body):
    testset_ref: ReferenceBody | None = None
    testset_variant_ref: ReferenceBody | None = None
    testset_revision_ref: ReferenceBody | None = None


class CreateTestsetBody(_Body):
    """``POST /api/testsets``: a new test set, optionally with columns and first rows."""

    name: str | None = None
    description: str = ""
    columns: list[str] | None = None
    rows: list[dict[str, Any]] | None = None
    answer_column: str | None = None
    message: str = ""


class EditTestsetBody(_Body):
    name: str | None = None
    description: str | None = None


class CommitBody(_Body):
    """Edits to ``base_version`` as ``operations``, or whole new ``rows`` (and ``columns``)."""

    base_version: int | None = None
    message: str = ""
    operations: list[dict[str, Any]] | None = None
    rows: list[dict[str, Any]] | None = None
    columns: list[str] | None = None
    answer_column: str | None = None


class AddRowsBody(_Body):
    """Rows from traces or the playground for test set ``testset_id`` or a new one ``name``."""

    testset_id: uuid.UUID | None = None
    name: str | None = None
    rows: list[dict[str, Any]] | None = None
    mapping: dict[str, str] | None = None
    message: str = ""


def check_labels(tags: dict[str, Any] | None, field: str = "tags") -> dict[str, Any] | None:
    """``tags`` if every value is a label (string, boolean or object of labels), else a 400."""
    if tags is None:
        return None
    for key, value in tags.items():
        if isinstance(value, dict):
            check_labels(value, f"{field}.{key}")
        elif not isinstance(value, str | bool):
            raise AppError(f"{field}.{key} must be a string, a boolean or an object of those")
    return tags
