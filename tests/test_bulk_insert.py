"""Column-array inserts store rows exactly as a plain INSERT does, and only on Postgres."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    insert,
    select,
    text,
)

from agenta.bulk_insert import insert_arrays
from agenta.db import Database, JSONDocument, UTCDateTime

PROBE = Table(
    "bulk_insert_probe",
    MetaData(),
    Column("id", Uuid, primary_key=True),
    Column("label", String(20)),
    Column("note", Text, nullable=True),
    Column("count", Integer),
    Column("score", Float, nullable=True),
    Column("flag", Boolean, nullable=True),
    Column("doc", JSONDocument(), nullable=True),
    Column("at", UTCDateTime()),
)
RETURNING = "ON CONFLICT (id) DO NOTHING RETURNING id"
DOCS: list[Any] = [None, {"a": [1, "x"], "b": None}, "text", [1, 2.5], 3, True, "é\u2028"]


def probe_rows(label: str) -> list[dict[str, Any]]:
    paris = timezone(timedelta(hours=1))
    return [
        {
            "id": uuid.uuid4(),
            "label": label,
            "note": None if index % 2 else f"note {index}",
            "count": index,
            "score": None if index == 0 else index / 3,
            "flag": [None, True, False][index % 3],
            "doc": doc,
            "at": datetime(2026, 1, 1, 12, index, tzinfo=paris if index % 2 else UTC),
        }
        for index, doc in enumerate(DOCS)
    ]


@pytest.fixture
async def postgres(postgres_url: str) -> AsyncIterator[Database]:
    db = Database(postgres_url)
    async with db.engine.begin() as connection:
        await connection.run_sync(PROBE.metadata.create_all)
    yield db
    async with db.engine.begin() as connection:
        await connection.run_sync(PROBE.metadata.drop_all)
    await db.engine.dispose()


async def stored(db: Database, label: str) -> list[tuple[Any, ...]]:
    """The rows with ``label``, without their ids, and each document's JSON type."""
    columns = [column for column in PROBE.columns if column.name not in ("id", "label")]
    kind = text("jsonb_typeof(doc)")
    async with db.session() as session:
        found = await session.execute(
            select(*columns, kind).where(PROBE.c.label == label).order_by(PROBE.c.count)
        )
        return [tuple(row) for row in found]


async def test_rows_inserted_as_arrays_read_back_like_rows_inserted_one_by_one(
    postgres: Database,
) -> None:
    async with postgres.session() as session:
        await session.execute(insert(PROBE), probe_rows("plain"))
        arrays = probe_rows("arrays")
        result = await insert_arrays(session, PROBE, arrays, RETURNING)
        assert set(result.scalars()) == {row["id"] for row in arrays}
        await session.commit()

    plain, through_arrays = await stored(postgres, "plain"), await stored(postgres, "arrays")
    assert through_arrays == plain
    assert [row[-1] for row in plain] == [
        "null", "object", "string", "array", "number", "boolean", "string"
    ]  # fmt: skip


async def test_rows_already_stored_are_skipped_and_left_unchanged(postgres: Database) -> None:
    rows = probe_rows("first")
    async with postgres.session() as session:
        await insert_arrays(session, PROBE, rows[:3], RETURNING)
        again = [{**row, "label": "second"} for row in rows]
        result = await insert_arrays(session, PROBE, again, RETURNING)
        assert set(result.scalars()) == {row["id"] for row in rows[3:]}
        await session.commit()

    async with postgres.session() as session:
        labels = await session.scalars(select(PROBE.c.label).order_by(PROBE.c.count))
        assert list(labels) == ["first"] * 3 + ["second"] * (len(rows) - 3)


async def test_a_naive_timestamp_is_refused_as_in_a_plain_insert(postgres: Database) -> None:
    row = {**probe_rows("naive")[0], "at": datetime(2026, 1, 1)}
    async with postgres.session() as session:
        with pytest.raises(ValueError, match="naive datetimes"):
            await insert_arrays(session, PROBE, [row], RETURNING)


async def test_sqlite_is_refused(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        async with db.session() as session:
            with pytest.raises(ValueError, match="needs Postgres"):
                await insert_arrays(session, PROBE, probe_rows("x"), RETURNING)
    finally:
        await db.engine.dispose()
