"""Tracing tables: stored spans, the embedded-mode span queue, and per-project settings.

`spans` holds one row per (project, trace, span): the flat span of `span.py` with the
columns a query filters or sums on pulled out of the JSON (type, name, times, status,
session/user, model, token and cost counts, their roll-ups) and the rest kept as JSON
(`attributes` nested as `ag.*`, `references`, `links`, `events`, and `details` holding what
only a read-back needs). Ids are the lowercase hex strings of the wire (32 and 16 chars).
Numeric columns are never NULL (0 when a span has no tokens or cost) so sorting and keyset
pagination on them need no NULL handling. `content` is the lowercased text of the span's
inputs and outputs, searched with LIKE. Session and user ids live on trace roots, so their
indexes are partial (most spans are children without them). On Postgres the large columns
are compressed with LZ4 instead of the default pglz, which made bulk inserts several times
slower (see the migration).

`span_batches` is the durable span queue of embedded mode: one row per accepted export
(normalised spans as JSON bytes), deleted by the consumer in the same transaction that
stores its spans. `failed_at` parks a batch that kept failing, for an operator to inspect.

`tracing_settings` keeps a project's retention (days) and redaction rules.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from agenta.db import Base, IdMixin, utcnow

TRACE_ID_LENGTH = 32
SPAN_ID_LENGTH = 16
NAME_LENGTH = 500
LABEL_LENGTH = 300


class SpanRecord(Base):
    """One stored span (see the module docstring for the column design)."""

    __tablename__ = "spans"
    __table_args__ = (
        Index("ix_spans_project_start", "project_id", "start_time"),
        Index(
            "ix_spans_project_roots",
            "project_id",
            "start_time",
            postgresql_where=text("parent_id IS NULL"),
            sqlite_where=text("parent_id IS NULL"),
        ),
        Index(
            "ix_spans_project_session",
            "project_id",
            "session_id",
            "start_time",
            postgresql_where=text("session_id IS NOT NULL"),
            sqlite_where=text("session_id IS NOT NULL"),
        ),
        Index(
            "ix_spans_project_user",
            "project_id",
            "user_id",
            "start_time",
            postgresql_where=text("user_id IS NOT NULL"),
            sqlite_where=text("user_id IS NOT NULL"),
        ),
        Index(
            "ix_spans_project_invocation",
            "project_id",
            "invocation_trace_id",
            postgresql_where=text("invocation_trace_id IS NOT NULL"),
            sqlite_where=text("invocation_trace_id IS NOT NULL"),
        ),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    trace_id: Mapped[str] = mapped_column(String(TRACE_ID_LENGTH), primary_key=True)
    span_id: Mapped[str] = mapped_column(String(SPAN_ID_LENGTH), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(String(SPAN_ID_LENGTH))
    trace_type: Mapped[str] = mapped_column(String(20))
    span_type: Mapped[str] = mapped_column(String(20))
    span_kind: Mapped[str] = mapped_column(String(30))
    span_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    start_time: Mapped[datetime]
    end_time: Mapped[datetime]
    duration_ms: Mapped[float]
    status_code: Mapped[str] = mapped_column(String(30))
    status_message: Mapped[str] = mapped_column(Text)
    session_id: Mapped[str | None] = mapped_column(String(LABEL_LENGTH))
    user_id: Mapped[str | None] = mapped_column(String(LABEL_LENGTH))
    agent_id: Mapped[str | None] = mapped_column(String(LABEL_LENGTH))
    model: Mapped[str | None] = mapped_column(String(LABEL_LENGTH))
    tokens_prompt: Mapped[int] = mapped_column(Integer)
    tokens_completion: Mapped[int] = mapped_column(Integer)
    tokens_total: Mapped[int] = mapped_column(Integer)
    cost_total: Mapped[float]
    cumulative_tokens: Mapped[int] = mapped_column(Integer)
    cumulative_cost: Mapped[float]
    cumulative_errors: Mapped[int] = mapped_column(Integer)
    cumulative_duration_ms: Mapped[float]
    invocation_trace_id: Mapped[str | None] = mapped_column(String(TRACE_ID_LENGTH))
    invocation_span_id: Mapped[str | None] = mapped_column(String(SPAN_ID_LENGTH))
    attributes: Mapped[dict[str, Any]]
    references: Mapped[list[Any]]
    links: Mapped[list[Any]]
    events: Mapped[list[Any]]
    details: Mapped[dict[str, Any]]
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SpanBatch(IdMixin, Base):
    """An accepted export waiting for the embedded consumer (ids sort by arrival)."""

    __tablename__ = "span_batches"
    __table_args__ = (Index("ix_span_batches_pending", "failed_at", "id"),)

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    span_count: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    failed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TracingSettings(Base):
    """A project's observability settings (no row means the defaults)."""

    __tablename__ = "tracing_settings"

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    retention_days: Mapped[int | None] = mapped_column(Integer, default=None)
    redaction_rules: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
