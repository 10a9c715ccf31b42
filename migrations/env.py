"""Alembic environment: async engines for SQLite and Postgres, batch mode and WAL on SQLite."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from agenta.models import load_all

config = context.config
target_metadata = load_all()


def database_url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from agenta.settings import Settings

    return Settings.from_env().database_url


def run_migrations(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        use_write_ahead_log(connection)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def use_write_ahead_log(connection: Connection) -> None:
    """Switch the SQLite file to write-ahead logging here, where one connection has it alone.

    The mode is kept in the file. Left to the platform's connections, the first ones to open a
    file still in rollback mode would switch it together, and SQLite refuses the switch at once,
    without waiting, to a connection while another one reads ("database is locked").
    """
    connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    connection.commit()


async def run_async() -> None:
    engine = create_async_engine(database_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)
    await engine.dispose()


def run_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_async())
