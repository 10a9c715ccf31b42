"""Test set import and export codecs: the public entry points, gathered in one place.

Pure functions over bytes and rows, with no database or HTTP: routes and services call these.

* ``parse_upload`` reads CSV, JSON or JSON Lines into columns and rows, or raises
  ``TestsetImportError`` listing the first problems (with file line numbers) and imports nothing.
* ``export_rows`` streams rows out as CSV, JSON or JSON Lines byte chunks.
* ``columns_of`` is the column rule: the union of row keys in first-seen order.
* ``testcase_id`` gives a row its content-addressed id within a test set.
* ``diff_revisions`` compares two revisions for the diff view.

The design notes for each part live in the module that implements it.
"""

from agenta.core.testsets.chat import MESSAGES_COLUMN, messages_problem
from agenta.core.testsets.diffing import ChangedRow, RevisionDiff, diff_revisions
from agenta.core.testsets.exporting import EXPORT_FORMATS, MEDIA_TYPES, export_rows
from agenta.core.testsets.identity import canonical_json, testcase_id, testcase_ids
from agenta.core.testsets.importing import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    FORMATS,
    ParsedTestset,
    parse_upload,
)
from agenta.core.testsets.problems import Problem, TestsetImportError
from agenta.core.testsets.special_columns import ID_COLUMN, SPECIAL_COLUMNS, TestcaseAttributes
from agenta.core.testsets.table import columns_of

DEFAULT_ANSWER_COLUMN = "correct_answer"

__all__ = [
    "DEFAULT_ANSWER_COLUMN",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "EXPORT_FORMATS",
    "FORMATS",
    "ID_COLUMN",
    "MEDIA_TYPES",
    "MESSAGES_COLUMN",
    "SPECIAL_COLUMNS",
    "ChangedRow",
    "ParsedTestset",
    "Problem",
    "RevisionDiff",
    "TestcaseAttributes",
    "TestsetImportError",
    "canonical_json",
    "columns_of",
    "diff_revisions",
    "export_rows",
    "messages_problem",
    "parse_upload",
    "testcase_id",
    "testcase_ids",
]
