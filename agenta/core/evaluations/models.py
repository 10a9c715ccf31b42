"""Tables of evaluation runs: runs, their scenarios (rows), cells, deployment gates, the cache.

- ``evaluation_runs``: one run = app revisions x one test set revision x evaluators, with
  repeats. ``config`` pins everything the run needs (revision ids, evaluator settings, repeats,
  concurrency, spend cap, cache); ``status`` moves pending -> running -> succeeded | failed |
  cancelled | capped. Totals (cells done and failed, tokens, cost) are refreshed as the run goes.
- ``evaluation_scenarios``: one row of the run, numbered from 0 in test set order, with a
  snapshot of the test case it ran on (runs outlive edits of the test set).
- ``evaluation_cells``: one result per (row, app revision, repeat, evaluator). The unique key
  makes every cell written once: writers use ``INSERT ... ON CONFLICT DO NOTHING``, so a run
  resumed after a crash only fills the cells that are missing. The invocation cell of a
  (row, revision, repeat) uses the nil UUID as its evaluator id, not NULL: NULLs never collide
  in a unique index (on SQLite and Postgres before 15), which would let it be written twice.
- ``evaluation_gates``: an environment's requirement that a revision passed an evaluation
  before it is deployed there.
- ``evaluation_response_cache``: model answers by a hash of model, parameters and rendered
  messages, so reruns can reuse them.

Ids of other features' rows (app revisions, test sets, evaluators, environments) carry no
foreign key: those tables live on other migration branches, and a run keeps its history when
they are archived.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agenta.db import Actors, Base, IdMixin, JSONDocument, ProjectScoped, Timestamps, utcnow

INVOCATION = uuid.UUID(int=0)

PENDING = "pending"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"
CAPPED = "capped"
RUN_STATUSES = (PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, CAPPED)
FINISHED_STATUSES = frozenset({SUCCEEDED, FAILED, CANCELLED, CAPPED})

CELL_SUCCESS = "success"
CELL_ERROR = "error"


class EvaluationRun(IdMixin, ProjectScoped, Timestamps, Actors, Base):
    """A run and its running totals."""

    __tablename__ = "evaluation_runs"

    name: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    # "server": the platform invokes and evaluates; "client": an SDK posts its own results.
    origin: Mapped[str] = mapped_column(String(20), default="server")
    testset_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    testset_revision_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    cells_total: Mapped[int] = mapped_column(Integer, default=0)
    cells_done: Mapped[int] = mapped_column(Integer, default=0)
    cells_failed: Mapped[int] = mapped_column(Integer, default=0)
    tokens_total: Mapped[int] = mapped_column(Integer, default=0)
    cost_total: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    flags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)


class EvaluationScenario(IdMixin, Base):
    """Row ``row_index`` of a run: the test case it evaluates."""

    __tablename__ = "evaluation_scenarios"
    __table_args__ = (UniqueConstraint("run_id", "row_index"),)

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evaluation_runs.id", ondelete="CASCADE"))
    row_index: Mapped[int] = mapped_column(Integer)
    testcase_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    flags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvaluationCell(IdMixin, Base):
    """One result: an app's output for a row (evaluator id nil), or one evaluator's verdict."""

    __tablename__ = "evaluation_cells"
    __table_args__ = (
        UniqueConstraint("run_id", "row_index", "revision_id", "repeat", "evaluator_id"),
    )

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evaluation_runs.id", ondelete="CASCADE"))
    row_index: Mapped[int] = mapped_column(Integer)
    revision_id: Mapped[uuid.UUID] = mapped_column()
    repeat: Mapped[int] = mapped_column(Integer, default=0)
    evaluator_id: Mapped[uuid.UUID] = mapped_column(default=INVOCATION)
    step_key: Mapped[str] = mapped_column(String(300), default="")
    testcase_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(20), default=CELL_SUCCESS)
    output: Mapped[Any] = mapped_column(JSONDocument(), default=None, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    success: Mapped[bool | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    error_type: Mapped[str | None] = mapped_column(String(200), default=None)
    trace_id: Mapped[str | None] = mapped_column(String(64), default=None)
    latency_ms: Mapped[float | None] = mapped_column(Float, default=None)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    total_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    cached: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvaluationGate(IdMixin, ProjectScoped, Timestamps, Actors, Base):
    """What a revision must have passed before it may be deployed to an environment."""

    __tablename__ = "evaluation_gates"
    __table_args__ = (UniqueConstraint("project_id", "environment_id"),)

    environment_id: Mapped[uuid.UUID] = mapped_column()
    testset_id: Mapped[uuid.UUID] = mapped_column()
    testset_revision_id: Mapped[uuid.UUID] = mapped_column()
    # Evaluator configuration (artifact) ids; any revision of each counts.
    evaluator_ids: Mapped[list[Any]] = mapped_column(default=list)
    # {"<evaluator slug>[.<stat>]": minimum}
    thresholds: Mapped[dict[str, Any]] = mapped_column(default=dict)
    enabled: Mapped[bool] = mapped_column(default=True)


class ResponseCacheEntry(IdMixin, ProjectScoped, Base):
    """A model's answer, kept under the hash of what was asked."""

    __tablename__ = "evaluation_response_cache"
    __table_args__ = (UniqueConstraint("project_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    completion: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
