"""Content-addressed test case ids.

A test case's id is derived from what it is: the BLAKE2b-128 digest of the test set id's 16 bytes
followed by the row's canonical JSON (sorted keys, compact separators, ASCII escapes), shaped as a
version-5 UUID. The same row in the same test set therefore keeps its id across revisions, which
lets revisions share stored rows and lets diffs match rows; the same row in another test set gets
another id, so test sets never share rows by accident.

Canonical JSON is fixed forever once ids are stored: changing any setting here changes every id.
ASCII escapes are used so that strings with lone surrogates (legal in JSON text) still encode.
Nothing is normalised: "1" and 1, or a composed and a decomposed "é", are different rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False)


def canonical_json(data: Mapping[str, Any]) -> str:
    """The row's canonical JSON text; the input of ``testcase_id``."""
    return _CANONICAL.encode(data)


def testcase_id(testset_id: UUID, data: Mapping[str, Any]) -> UUID:
    """The stable id of the row ``data`` within test set ``testset_id``."""
    digest = hashlib.blake2b(testset_id.bytes, digest_size=16)
    digest.update(canonical_json(data).encode("ascii"))
    return UUID(bytes=digest.digest(), version=5)


def testcase_ids(testset_id: UUID, rows: Iterable[Mapping[str, Any]]) -> list[UUID]:
    """``testcase_id`` of each row, in order."""
    return [testcase_id(testset_id, row) for row in rows]
