"""events: the outbox and activity log; webhook subscriptions, deliveries and attempts;
alert rules and their firings

Revision ID: 0005_events_webhooks
Revises: 0002_accounts
Create Date: 2026-11-27 09:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import agenta.db

revision: str = "0005_events_webhooks"
down_revision: str | Sequence[str] | None = "0002_accounts"
branch_labels: str | Sequence[str] | None = ("events",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("data", agenta.db.JSONDocument(), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_api_key_id", sa.Uuid(), nullable=True),
        sa.Column("actor_via", sa.String(length=20), nullable=True),
        sa.Column("created_at", agenta.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", agenta.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_events_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_project_created", ["project_id", "created_at"])
        batch_op.create_index("ix_events_unpublished", ["published_at", "created_at"])
        batch_op.create_index(batch_op.f("ix_events_project_id"), ["project_id"])

    op.create_table(
        "webhook_subscriptions",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("event_types", agenta.db.JSONDocument(), nullable=False),
        sa.Column("filters", agenta.db.JSONDocument(), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("secret_hint", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", agenta.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", agenta.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", agenta.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_webhook_subscriptions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_subscriptions_project_id"), ["project_id"])

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("attempt_limit", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", agenta.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("locked_until", agenta.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", agenta.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", agenta.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", agenta.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_webhook_deliveries_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_webhook_deliveries_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_deliveries_due", ["status", "next_attempt_at"])
        batch_op.create_index(
            "ix_webhook_deliveries_subscription_created", ["subscription_id", "created_at"]
        )
        batch_op.create_index(batch_op.f("ix_webhook_deliveries_event_id"), ["event_id"])
        batch_op.create_index(batch_op.f("ix_webhook_deliveries_project_id"), ["project_id"])

    op.create_table(
        "webhook_attempts",
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("response_excerpt", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", agenta.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_webhook_attempts_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
        sa.UniqueConstraint(
            "delivery_id", "number", name=op.f("uq_webhook_attempts_delivery_id_number")
        ),
    )
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_attempts_project_id"), ["project_id"])

    op.create_table(
        "alert_rules",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=50), nullable=False),
        sa.Column("comparison", sa.String(length=10), nullable=False),
        sa.Column("threshold", sa.Double(), nullable=False),
        sa.Column("window_minutes", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("environment", sa.String(length=100), nullable=True),
        sa.Column("evaluator", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("last_value", sa.Double(), nullable=True),
        sa.Column("last_evaluated_at", agenta.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", agenta.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", agenta.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", agenta.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_alert_rules_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_rules")),
    )
    with op.batch_alter_table("alert_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_rules_project_id"), ["project_id"])

    op.create_table(
        "alert_firings",
        sa.Column("rule_id", sa.Uuid(), nullable=False),
        sa.Column("threshold", sa.Double(), nullable=False),
        sa.Column("fired_value", sa.Double(), nullable=False),
        sa.Column("fired_at", agenta.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recovered_value", sa.Double(), nullable=True),
        sa.Column("recovered_at", agenta.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_alert_firings_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["alert_rules.id"],
            name=op.f("fk_alert_firings_rule_id_alert_rules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_firings")),
    )
    with op.batch_alter_table("alert_firings", schema=None) as batch_op:
        batch_op.create_index("ix_alert_firings_rule_fired", ["rule_id", "fired_at"])
        batch_op.create_index(batch_op.f("ix_alert_firings_project_id"), ["project_id"])


def downgrade() -> None:
    with op.batch_alter_table("alert_firings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_firings_project_id"))
        batch_op.drop_index("ix_alert_firings_rule_fired")
    op.drop_table("alert_firings")
    with op.batch_alter_table("alert_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_rules_project_id"))
    op.drop_table("alert_rules")
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_attempts_project_id"))
    op.drop_table("webhook_attempts")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_project_id"))
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_event_id"))
        batch_op.drop_index("ix_webhook_deliveries_subscription_created")
        batch_op.drop_index("ix_webhook_deliveries_due")
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_subscriptions_project_id"))
    op.drop_table("webhook_subscriptions")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_project_id"))
        batch_op.drop_index("ix_events_unpublished")
        batch_op.drop_index("ix_events_project_created")
    op.drop_table("events")
