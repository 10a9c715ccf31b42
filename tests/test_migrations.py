"""The schema: migrations produce exactly what the models declare, on SQLite and Postgres."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from agenta.db import Database
from agenta.models import load_all
from tests.support.databases import sqlite_url as url_of


def differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, load_all()))


async def test_the_migrations_match_the_models(database_url: str) -> None:
    db = Database.unpooled(database_url)
    try:
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(differences)
    finally:
        await db.dispose()
    assert diff == []


async def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        async with db.engine.connect() as conn:
            journal = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
            foreign_keys = (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    finally:
        await db.dispose()
    assert (journal, foreign_keys) == ("wal", 1)


def test_migrating_leaves_a_sqlite_file_in_wal_mode(sqlite_template: Path) -> None:
    with closing(sqlite3.connect(sqlite_template)) as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_processes_opening_a_fresh_sqlite_file_together_all_connect(
    sqlite_template: Path, tmp_path: Path
) -> None:
    # Each Database stands for a process starting on the file (serve, worker, CLI, a test's
    # platform): its first connection is the first one to read the file.
    for attempt in range(20):
        path = tmp_path / f"fresh-{attempt}.db"
        shutil.copyfile(sqlite_template, path)
        databases = [Database(url_of(path)) for _ in range(6)]
        try:
            await asyncio.gather(*(one_read(db) for db in databases))
        finally:
            await asyncio.gather(*(db.dispose() for db in databases))


async def one_read(db: Database) -> None:
    async with db.engine.connect() as conn:
        await conn.exec_driver_sql("SELECT count(*) FROM users")


async def test_json_columns_are_jsonb_on_postgres(postgres_url: str) -> None:
    db = Database.unpooled(postgres_url)
    try:
        async with db.engine.connect() as conn:
            columns = await conn.run_sync(lambda c: inspect(c).get_columns("jobs"))
    finally:
        await db.dispose()
    kwargs = next(c for c in columns if c["name"] == "kwargs")
    assert type(kwargs["type"]).__name__ == "JSONB"
