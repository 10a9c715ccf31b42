"""Streaming a revision out as CSV, JSON or JSON Lines without holding it in memory.

``codecs.export_rows`` is a synchronous generator that pulls rows and yields byte chunks; the
rows live in the database behind an async session. ``stream_revision`` joins the two: the
encoder runs in a worker thread, one chunk at a time, and whenever it needs more rows it asks
the event loop for the next slice of positions (``run_coroutine_threadsafe``) while the loop is
merely awaiting that thread. Memory stays at one slice of rows plus one output chunk, whatever
the size of the revision, and the first bytes leave before the last rows are read.

The stream opens its own database session: the request's session is closed before a streaming
response starts sending.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from uuid import UUID

from agenta.core.testsets.codecs import EXPORT_FORMATS, MEDIA_TYPES, export_rows
from agenta.core.testsets.models import Testset, TestsetRevision
from agenta.core.testsets.storage import StoredRow, rows_between
from agenta.db import Database
from agenta.errors import AppError

SLICE = 2_000
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def check_format(fmt: str) -> str:
    """``fmt`` if it is an export format, else a 400 listing the formats."""
    if fmt not in EXPORT_FORMATS:
        raise AppError(f"Unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return fmt


def download_headers(testset: Testset, revision: TestsetRevision, fmt: str) -> dict[str, str]:
    """Content type and an attachment file name such as ``capitals-v3.csv``."""
    stem = _UNSAFE_FILENAME.sub("-", testset.name).strip("-._") or "testset"
    filename = f"{stem[:80]}-v{revision.version}.{fmt}"
    return {
        "Content-Type": f"{MEDIA_TYPES[fmt]}; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }


async def stream_revision(
    db: Database,
    revision: TestsetRevision,
    fmt: str,
    *,
    with_ids: bool = False,
    bom: bool = False,
) -> AsyncIterator[bytes]:
    """The revision encoded as ``fmt``, chunk by chunk."""
    loop = asyncio.get_running_loop()
    async with db.session() as session:

        def fetch(start: int) -> list[StoredRow]:
            pending = rows_between(session, revision.id, start, start + SLICE)
            return asyncio.run_coroutine_threadsafe(pending, loop).result()

        stored = _rows(fetch, revision.row_count)
        ids: Iterator[UUID] | None = None
        if with_ids:
            # zip() inside the encoder pulls rows and ids in turn, so tee buffers one row.
            stored, for_ids = itertools.tee(stored)
            ids = (row.id for row in for_ids)
        rows = (row.data for row in stored)
        encoded = export_rows(rows, list(revision.columns), fmt, ids=ids, bom=bom)
        while (chunk := await asyncio.to_thread(next, encoded, None)) is not None:
            yield chunk


def _rows(fetch: Any, count: int) -> Iterator[StoredRow]:
    for start in range(0, count, SLICE):
        yield from fetch(start)
