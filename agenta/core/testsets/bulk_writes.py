"""Writing many test cases and revision rows fast, on Postgres and on SQLite.

A 100,000-row import writes 100,000 test cases and 100,000 revision rows. Going through
SQLAlchemy's per-parameter type processing costs several seconds for that, so these writes use
each driver's bulk path on the transaction's own connection, with values already in the form the
column types store:

* Postgres: ``COPY`` into a temporary table, then one ``INSERT … SELECT … ON CONFLICT (id) DO
  NOTHING`` for test cases (COPY alone cannot skip rows the test set already has); revision rows
  are new by construction and are copied straight into their table.
* SQLite: ``executemany`` of prepared tuples with ``ON CONFLICT (id) DO NOTHING``, in the form
  SQLAlchemy's ``Uuid`` and ``JSON`` types use there (32 hex digits, JSON text).

Row data is stored as its canonical JSON (``identity.canonical_json``), the same text its content
id is computed from, so both databases hand rows back with the same key order. Values must have
passed ``storable.check_rows``: Postgres refuses NUL characters and lone surrogates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.testsets.identity import canonical_json
from agenta.core.testsets.storage import NewTestcase

CHUNK = 10_000
_NULL = "\\N"
_STAGING = "testcases_incoming"


async def insert_testcases(
    session: AsyncSession, testset_id: UUID, testcases: Iterable[NewTestcase]
) -> None:
    """Store the test cases the test set does not hold yet (duplicates are skipped)."""
    unique = list({case.id: case for case in testcases}.values())
    if not unique:
        return
    if _dialect(session) == "postgresql":
        await _copy_testcases(session, testset_id, unique)
    else:
        await _sqlite_testcases(session, testset_id, unique)


async def insert_revision_rows(
    session: AsyncSession, revision_id: UUID, ids: Sequence[UUID]
) -> None:
    """Record that revision ``revision_id`` holds ``ids`` in this order."""
    if not ids:
        return
    if _dialect(session) == "postgresql":
        lines = (f"{revision_id}\t{position}\t{case_id}\n" for position, case_id in enumerate(ids))
        async with await _cursor(session) as cursor:
            await _copy(cursor, "testset_revision_rows (revision_id, position, testcase_id)", lines)
        return
    params = [(revision_id.hex, position, case_id.hex) for position, case_id in enumerate(ids)]
    sql = "INSERT INTO testset_revision_rows (revision_id, position, testcase_id) VALUES (?, ?, ?)"
    await _executemany(session, sql, params)


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name


async def _sqlite_testcases(
    session: AsyncSession, testset_id: UUID, cases: list[NewTestcase]
) -> None:
    params = [
        (
            case.id.hex,
            testset_id.hex,
            canonical_json(case.data),
            _json_or_none(case.flags),
            _json_or_none(case.tags),
            _json_or_none(case.meta),
        )
        for case in cases
    ]
    sql = (
        "INSERT INTO testcases (id, testset_id, data, flags, tags, meta) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
    )
    await _executemany(session, sql, params)


async def _executemany(session: AsyncSession, sql: str, params: list[tuple[Any, ...]]) -> None:
    connection = await session.connection()
    for start in range(0, len(params), CHUNK):
        await connection.exec_driver_sql(sql, params[start : start + CHUNK])


async def _copy_testcases(
    session: AsyncSession, testset_id: UUID, cases: list[NewTestcase]
) -> None:
    lines = (
        "\t".join(
            (
                str(case.id),
                _copy_text(canonical_json(case.data)),
                _copy_json(case.flags),
                _copy_json(case.tags),
                _copy_json(case.meta),
            )
        )
        + "\n"
        for case in cases
    )
    async with await _cursor(session) as cursor:
        await cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGING} "
            "(id uuid, data jsonb, flags jsonb, tags jsonb, meta jsonb) ON COMMIT DROP"
        )
        await _copy(cursor, f"{_STAGING} (id, data, flags, tags, meta)", lines)
        await cursor.execute(
            "INSERT INTO testcases (id, testset_id, data, flags, tags, meta) "
            f"SELECT id, %s, data, flags, tags, meta FROM {_STAGING} ON CONFLICT (id) DO NOTHING",
            (testset_id,),
        )
        await cursor.execute(f"DROP TABLE {_STAGING}")


async def _copy(cursor: Any, target: str, lines: Iterator[str]) -> None:
    async with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for block in _blocks(lines):
            await copy.write(block)


async def _cursor(session: AsyncSession) -> Any:
    """A cursor of the driver connection under the session's transaction (psycopg)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection.cursor()  # type: ignore[union-attr]


def _blocks(lines: Iterator[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    for line in lines:
        buffer.append(line)
        if len(buffer) >= CHUNK:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


def _copy_text(text: str) -> str:
    # JSON text never holds raw tabs or line breaks (they are escaped), only backslashes,
    # which COPY's text format reads as escapes unless doubled.
    return text.replace("\\", "\\\\")


def _copy_json(value: dict[str, Any] | None) -> str:
    return _NULL if value is None else _copy_text(json.dumps(value))


def _json_or_none(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value)
