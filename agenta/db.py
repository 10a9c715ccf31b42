"""Database: one declarative base, shared columns, and the async engine for SQLite and Postgres.

Design:
- Every table derives from ``Base``. Python types map to portable column types: ``dict``/``list``
  become JSON (JSONB on Postgres), ``uuid.UUID`` a native UUID, ``datetime`` a timezone-aware
  timestamp that always comes back in UTC (SQLite has no time zones, ``UTCDateTime`` adds it back).
- Mixins give the shared columns: ``IdMixin`` (time-ordered UUIDv7 ids), ``Timestamps``
  (created/updated/deleted), ``Actors`` (who created/updated/deleted) and ``ProjectScoped``
  (``project_id`` with an index; every domain row belongs to one project).
- ``Database`` owns the engine and the session factory. SQLite runs in WAL mode with foreign keys
  on and a busy timeout, so a serve process and its in-process jobs can write side by side.
- The schema comes from Alembic migrations (``migrations/``), never from ``create_all``.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, MetaData, TypeDecorator, Uuid, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.pool import NullPool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class JSONDocument(TypeDecorator[Any]):
    """JSON values: JSONB on Postgres (indexable, compact), JSON text on SQLite."""

    impl = JSON()
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7), so ids sort by creation time."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored with its time zone and always read back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """The one declarative base. Import feature models through ``agenta.models.load_all``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dict[str, Any]: JSONDocument(),
        list[Any]: JSONDocument(),
        uuid.UUID: Uuid(),
        datetime: UTCDateTime(),
    }


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(default=None, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class Actors:
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    deleted_by_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class ProjectScoped:
    """Rows that belong to one project; deleting the project deletes them."""

    @declared_attr
    def project_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)


class Database:
    """The engine and session factory of one database URL."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = url
        if url.startswith("sqlite"):
            self.engine: AsyncEngine = create_async_engine(
                url, echo=echo, connect_args={"timeout": 30}
            )
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_async_engine(
                url,
                echo=echo,
                pool_size=pool_size,
                max_overflow=pool_size * 2,
                pool_pre_ping=True,
            )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def unpooled(cls, url: str) -> Database:
        """A database handle without a connection pool, for short-lived CLI commands."""
        db = cls.__new__(cls)
        db.url = url
        db.engine = create_async_engine(url, poolclass=NullPool)
        if url.startswith("sqlite"):
            event.listen(db.engine.sync_engine, "connect", _sqlite_pragmas)
        db.sessionmaker = async_sessionmaker(db.engine, expire_on_commit=False)
        return db

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    _stop_at_most_once(dbapi_connection.driver_connection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    # Migrations leave every file in WAL mode, so this switches only a file they did not make.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _stop_at_most_once(connection: Any) -> None:
    """Make an aiosqlite connection's ``stop`` queue its stop request once, not once per call.

    A task cancelled while its statement waits on SQLite's lock gets its connection terminated:
    SQLAlchemy starts a graceful close and, cancelled again (at shutdown), stops the connection.
    The close then stops it a second time and waits for that request, which the connection's
    thread never takes, having ended at the first: shutdown hangs for good. Answering every later
    call with the first request lets the close finish with it.
    """
    stop = connection.stop
    first: list[Any] = []

    def stop_once() -> Any:
        if not first:
            first.append(stop())
        return first[0]

    connection.stop = stop_once
