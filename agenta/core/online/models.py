"""Tables of online evaluation: rules, the traces each rule claimed, and the scores it gave.

- ``online_rules``: a saved trace filter (the trace explorer's parameters, ``filters``), a
  sampling rate from 0 to 1 and the evaluator configurations to run (``evaluator_ids``).
  ``status`` is ``active`` or ``paused``; a rule pauses itself after too many consecutive
  failures and says why in ``paused_reason``. ``cursor`` is the start time up to which traces
  were looked at; each tick looks again a little before it, since traces arrive late.
- ``online_evaluations``: one row per (rule, trace) the rule sampled. The unique key is the
  claim: a worker inserts the row with ``ON CONFLICT DO NOTHING`` before evaluating, and only
  the worker whose insert went in evaluates, so a trace is never evaluated twice by a rule,
  whatever runs at once (the minute tick, a backfill, a second worker).
- ``online_scores``: one row per evaluator on a claimed trace: its value (score, else verdict as
  1 or 0), verdict or error, and the trace's start time, which is what scores over time and the
  alerts' mean score are bucketed by. ``annotation_trace_id`` is the annotation written on the
  trace.

Evaluator ids carry no foreign key (the evaluators live on another migration branch).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agenta.db import Actors, Base, IdMixin, ProjectScoped, Timestamps, utcnow

ACTIVE = "active"
PAUSED = "paused"
RULE_STATUSES = (ACTIVE, PAUSED)

CLAIMED = "claimed"
DONE = "done"
FAILED = "failed"


class OnlineRule(IdMixin, ProjectScoped, Timestamps, Actors, Base):
    """Which live traces to score, how many of them, and with which evaluators."""

    __tablename__ = "online_rules"

    name: Mapped[str] = mapped_column(String(200))
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sampling_rate: Mapped[float] = mapped_column(Float, default=1.0)
    evaluator_ids: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default=ACTIVE)
    paused_reason: Mapped[str | None] = mapped_column(Text, default=None)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[datetime | None] = mapped_column(default=None)
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)
    evaluated_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)


class OnlineEvaluation(IdMixin, ProjectScoped, Base):
    """A rule's claim on one trace, and how its evaluation went."""

    __tablename__ = "online_evaluations"
    __table_args__ = (
        UniqueConstraint("rule_id", "trace_id"),
        Index("ix_online_evaluations_rule_time", "rule_id", "trace_time"),
    )

    rule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("online_rules.id", ondelete="CASCADE"))
    trace_id: Mapped[str] = mapped_column(String(32))
    trace_time: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=CLAIMED)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class OnlineScore(IdMixin, ProjectScoped, Base):
    """One evaluator's result on one claimed trace."""

    __tablename__ = "online_scores"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "evaluator_id"),
        Index("ix_online_scores_rule_time", "rule_id", "trace_time"),
        Index("ix_online_scores_project_slug_time", "project_id", "evaluator_slug", "trace_time"),
    )

    rule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("online_rules.id", ondelete="CASCADE"))
    evaluation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("online_evaluations.id", ondelete="CASCADE")
    )
    evaluator_id: Mapped[uuid.UUID] = mapped_column()
    evaluator_slug: Mapped[str] = mapped_column(String(200))
    trace_id: Mapped[str] = mapped_column(String(32))
    trace_time: Mapped[datetime]
    value: Mapped[float | None] = mapped_column(Float, default=None)
    success: Mapped[bool | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    annotation_trace_id: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
