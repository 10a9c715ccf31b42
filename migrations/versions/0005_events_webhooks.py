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


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_project_id"))
        batch_op.drop_index("ix_events_unpublished")
        batch_op.drop_index("ix_events_project_created")
    op.drop_table("events")
