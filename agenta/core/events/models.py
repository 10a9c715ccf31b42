"""The events table: the outbox and the activity log of every project.

A row is written in the same transaction as the change it reports, so an event exists exactly
when its change was committed. ``published_at`` stays empty until the publish job has pushed the
event to the Redis stream and fanned it out to webhook subscriptions; the safety-net cron
publishes any row still unpublished after a while. The actor columns say who did it: a user
(through a browser session or an API key), or nobody for system events.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from agenta.db import Base, IdMixin, ProjectScoped, utcnow


class Event(IdMixin, ProjectScoped, Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_project_created", "project_id", "created_at"),
        Index("ix_events_unpublished", "published_at", "created_at"),
    )

    event_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_api_key_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_via: Mapped[str | None] = mapped_column(String(20), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
