"""Tables of webhooks: subscriptions, deliveries (one per event and subscription) and attempts.

- ``webhook_subscriptions``: where to send which events. ``event_types`` empty means every type;
  ``filters`` may narrow by ``application_id`` and ``environment``. The signing secret is stored
  encrypted (``agenta.crypto.SecretBox``); only its last characters are kept in the clear so the
  pages can tell secrets apart. ``max_attempts`` bounds automatic tries of each delivery.
- ``webhook_deliveries``: the id is deterministic, UUIDv5 of ``<event_id>:<subscription_id>``,
  so fanning an event out twice cannot create two deliveries; it is also the idempotency id the
  receiver sees. ``attempts`` counts every try, ``attempt_limit`` is where automatic retries stop
  (a redelivery by hand raises it). ``locked_until`` bounds a try in progress, so a worker that
  died mid-try is noticed.
- ``webhook_attempts``: one row per try (unique per delivery and number, so no try is ever made
  twice), with the answer's status, latency, an excerpt of its body and the error.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agenta.db import Actors, Base, IdMixin, ProjectScoped, Timestamps, utcnow

PENDING = "pending"
DELIVERING = "delivering"
RETRYING = "retrying"
SUCCEEDED = "succeeded"
FAILED = "failed"


class WebhookSubscription(IdMixin, ProjectScoped, Timestamps, Actors, Base):
    __tablename__ = "webhook_subscriptions"

    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[Any]] = mapped_column(default=list)
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    secret_hint: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    max_attempts: Mapped[int]  # always set on creation, from the subscription or the settings


class WebhookDelivery(ProjectScoped, Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_subscription_created", "subscription_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    attempt_limit: Mapped[int] = mapped_column(default=6)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_status_code: Mapped[int | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(default=None, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookAttempt(IdMixin, ProjectScoped, Base):
    __tablename__ = "webhook_attempts"
    __table_args__ = (UniqueConstraint("delivery_id", "number"),)

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column()
    outcome: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[int | None] = mapped_column(default=None)
    latency_ms: Mapped[int | None] = mapped_column(default=None)
    response_excerpt: Mapped[str | None] = mapped_column(Text, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
