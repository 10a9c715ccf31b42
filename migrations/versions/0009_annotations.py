"""annotations: queues, items, assignments and reviews; online evaluation rules, their
exactly-once claims on traces, and the scores they gave

Revision ID: 0009_annotations
Revises: 0002_accounts
Create Date: 2026-11-27 09:07:47.662038
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import agenta.db

revision: str = '0009_annotations'
down_revision: str | Sequence[str] | None = '0002_accounts'
branch_labels: str | Sequence[str] | None = ('annotations',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('annotation_queues',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('evaluators', agenta.db.JSONDocument(), nullable=False),
    sa.Column('reviews_per_item', sa.Integer(), nullable=False),
    sa.Column('assignment', sa.String(length=20), nullable=False),
    sa.Column('annotators', agenta.db.JSONDocument(), nullable=False),
    sa.Column('source', agenta.db.JSONDocument(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.Column('deleted_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_annotation_queues_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annotation_queues'))
    )
    with op.batch_alter_table('annotation_queues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annotation_queues_project_id'), ['project_id'], unique=False)

    op.create_table('online_rules',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('filters', agenta.db.JSONDocument(), nullable=False),
    sa.Column('sampling_rate', sa.Float(), nullable=False),
    sa.Column('evaluator_ids', agenta.db.JSONDocument(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('paused_reason', sa.Text(), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('cursor', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_run_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('evaluated_count', sa.Integer(), nullable=False),
    sa.Column('failed_count', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.Column('deleted_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_online_rules_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_online_rules'))
    )
    with op.batch_alter_table('online_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_online_rules_project_id'), ['project_id'], unique=False)

    op.create_table('annotation_queue_items',
    sa.Column('queue_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('trace_id', sa.String(length=32), nullable=True),
    sa.Column('span_id', sa.String(length=16), nullable=True),
    sa.Column('run_id', sa.Uuid(), nullable=True),
    sa.Column('row_index', sa.Integer(), nullable=True),
    sa.Column('testcase_id', sa.Uuid(), nullable=True),
    sa.Column('content', agenta.db.JSONDocument(), nullable=False),
    sa.Column('review_count', sa.Integer(), nullable=False),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_annotation_queue_items_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['queue_id'], ['annotation_queues.id'], name=op.f('fk_annotation_queue_items_queue_id_annotation_queues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annotation_queue_items')),
    sa.UniqueConstraint('queue_id', 'position', name=op.f('uq_annotation_queue_items_queue_id_position'))
    )
    with op.batch_alter_table('annotation_queue_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annotation_queue_items_project_id'), ['project_id'], unique=False)

    op.create_table('online_evaluations',
    sa.Column('rule_id', sa.Uuid(), nullable=False),
    sa.Column('trace_id', sa.String(length=32), nullable=False),
    sa.Column('trace_time', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('claimed_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_online_evaluations_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['online_rules.id'], name=op.f('fk_online_evaluations_rule_id_online_rules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_online_evaluations')),
    sa.UniqueConstraint('rule_id', 'trace_id', name=op.f('uq_online_evaluations_rule_id_trace_id'))
    )
    with op.batch_alter_table('online_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_online_evaluations_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_online_evaluations_rule_time', ['rule_id', 'trace_time'], unique=False)

    op.create_table('annotation_assignments',
    sa.Column('queue_id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['annotation_queue_items.id'], name=op.f('fk_annotation_assignments_item_id_annotation_queue_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['queue_id'], ['annotation_queues.id'], name=op.f('fk_annotation_assignments_queue_id_annotation_queues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_annotation_assignments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annotation_assignments')),
    sa.UniqueConstraint('item_id', 'user_id', name=op.f('uq_annotation_assignments_item_id_user_id'))
    )
    with op.batch_alter_table('annotation_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_annotation_assignments_queue_user', ['queue_id', 'user_id'], unique=False)

    op.create_table('annotation_reviews',
    sa.Column('queue_id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('answers', agenta.db.JSONDocument(), nullable=False),
    sa.Column('vote', sa.String(length=10), nullable=True),
    sa.Column('b_first', sa.Boolean(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('annotation_trace_ids', agenta.db.JSONDocument(), nullable=False),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['annotation_queue_items.id'], name=op.f('fk_annotation_reviews_item_id_annotation_queue_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_annotation_reviews_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['queue_id'], ['annotation_queues.id'], name=op.f('fk_annotation_reviews_queue_id_annotation_queues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_annotation_reviews_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annotation_reviews')),
    sa.UniqueConstraint('item_id', 'user_id', name=op.f('uq_annotation_reviews_item_id_user_id'))
    )
    with op.batch_alter_table('annotation_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annotation_reviews_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_annotation_reviews_queue_user', ['queue_id', 'user_id'], unique=False)

    op.create_table('online_scores',
    sa.Column('rule_id', sa.Uuid(), nullable=False),
    sa.Column('evaluation_id', sa.Uuid(), nullable=False),
    sa.Column('evaluator_id', sa.Uuid(), nullable=False),
    sa.Column('evaluator_slug', sa.String(length=200), nullable=False),
    sa.Column('trace_id', sa.String(length=32), nullable=False),
    sa.Column('trace_time', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('success', sa.Boolean(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('details', agenta.db.JSONDocument(), nullable=False),
    sa.Column('annotation_trace_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['online_evaluations.id'], name=op.f('fk_online_scores_evaluation_id_online_evaluations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_online_scores_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['online_rules.id'], name=op.f('fk_online_scores_rule_id_online_rules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_online_scores')),
    sa.UniqueConstraint('evaluation_id', 'evaluator_id', name=op.f('uq_online_scores_evaluation_id_evaluator_id'))
    )
    with op.batch_alter_table('online_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_online_scores_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_online_scores_project_slug_time', ['project_id', 'evaluator_slug', 'trace_time'], unique=False)
        batch_op.create_index('ix_online_scores_rule_time', ['rule_id', 'trace_time'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('online_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_online_scores_rule_time')
        batch_op.drop_index('ix_online_scores_project_slug_time')
        batch_op.drop_index(batch_op.f('ix_online_scores_project_id'))

    op.drop_table('online_scores')
    with op.batch_alter_table('annotation_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_annotation_reviews_queue_user')
        batch_op.drop_index(batch_op.f('ix_annotation_reviews_project_id'))

    op.drop_table('annotation_reviews')
    with op.batch_alter_table('annotation_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_annotation_assignments_queue_user')

    op.drop_table('annotation_assignments')
    with op.batch_alter_table('online_evaluations', schema=None) as batch_op:
        batch_op.drop_index('ix_online_evaluations_rule_time')
        batch_op.drop_index(batch_op.f('ix_online_evaluations_project_id'))

    op.drop_table('online_evaluations')
    with op.batch_alter_table('annotation_queue_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annotation_queue_items_project_id'))

    op.drop_table('annotation_queue_items')
    with op.batch_alter_table('online_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_online_rules_project_id'))

    op.drop_table('online_rules')
    with op.batch_alter_table('annotation_queues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annotation_queues_project_id'))

    op.drop_table('annotation_queues')
