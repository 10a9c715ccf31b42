"""Databases for tests: a migrated SQLite file per test, or a migrated Postgres database per
xdist worker that is emptied before each test.

Migrating takes a while, so it happens once per worker: SQLite tests copy a migrated template
file, Postgres tests truncate every table of the worker's own database.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import psycopg
from psycopg import sql

from agenta.migrate import upgrade
from tests.support.services import POSTGRES_URL


def worker_id() -> str:
    """This test process's name: the xdist worker, or ``main`` plus the pid (several people or
    CI runs may share one Postgres server, and each run drops and recreates its database)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        return f"main{os.getpid()}"
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8]
    return f"{worker}_{run}" if run else worker


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def migrated_sqlite_template(folder: Path) -> Path:
    template = folder / "template.db"
    upgrade(sqlite_url(template))
    return template


def fresh_sqlite(template: Path, target_dir: Path) -> str:
    target = target_dir / "agenta.db"
    shutil.copyfile(template, target)
    return sqlite_url(target)


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def create_postgres_database(name: str) -> str:
    """Drop and create database ``name`` on the test server, migrated to the latest schema."""
    admin = _plain(POSTGRES_URL)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    return url


def drop_postgres_database(name: str) -> None:
    with psycopg.connect(_plain(POSTGRES_URL), autocommit=True) as conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))


def truncate_all(url: str) -> None:
    with psycopg.connect(_plain(url), autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        if tables:
            names = sql.SQL(", ").join(sql.Identifier(t) for t in tables)
            conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(names))
