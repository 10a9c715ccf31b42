"""Tables of alerts: rules and their firing history.

An ``alert_rules`` row watches one metric over a sliding window (``window_minutes``), optionally
for one application and/or environment, and compares it with ``threshold`` (``above`` or
``below``). ``state`` is ``ok``, ``firing`` or ``no_data`` (the metric had no value: nothing to
compare, so a firing rule keeps firing until data says otherwise). Each time a rule fires an
``alert_firings`` row opens; it closes (``recovered_at``) when the rule recovers, so the history
shows when and for how long every alert was on.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from agenta.db import Actors, Base, IdMixin, ProjectScoped, Timestamps, utcnow

OK = "ok"
FIRING = "firing"
NO_DATA = "no_data"


class AlertRule(IdMixin, ProjectScoped, Timestamps, Actors, Base):
    __tablename__ = "alert_rules"

    name: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(50))
    comparison: Mapped[str] = mapped_column(String(10))
    threshold: Mapped[float] = mapped_column()
    window_minutes: Mapped[int] = mapped_column(default=15)
    application_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    environment: Mapped[str | None] = mapped_column(String(100), default=None)
    evaluator: Mapped[str | None] = mapped_column(String(200), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    state: Mapped[str] = mapped_column(String(20), default=NO_DATA)
    last_value: Mapped[float | None] = mapped_column(default=None)
    last_evaluated_at: Mapped[datetime | None] = mapped_column(default=None)


class AlertFiring(IdMixin, ProjectScoped, Base):
    __tablename__ = "alert_firings"
    __table_args__ = (Index("ix_alert_firings_rule_fired", "rule_id", "fired_at"),)

    rule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"))
    threshold: Mapped[float] = mapped_column()
    fired_value: Mapped[float] = mapped_column()
    fired_at: Mapped[datetime] = mapped_column(default=utcnow)
    recovered_value: Mapped[float | None] = mapped_column(default=None)
    recovered_at: Mapped[datetime | None] = mapped_column(default=None)
