"""evaluations: saved evaluator configurations (a revisioned kind), evaluation runs with their
scenarios and exactly-once cells, deployment gates and the model response cache

Revision ID: 0008_evaluations
Revises: 0002_accounts
Create Date: 2026-11-27 09:00:00.000000
"""


from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import agenta.db

revision: str = '0008_evaluations'
down_revision: str | Sequence[str] | None = '0002_accounts'
branch_labels: str | Sequence[str] | None = ('evaluations',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('evaluation_gates',
    sa.Column('environment_id', sa.Uuid(), nullable=False),
    sa.Column('testset_id', sa.Uuid(), nullable=False),
    sa.Column('testset_revision_id', sa.Uuid(), nullable=False),
    sa.Column('evaluator_ids', agenta.db.JSONDocument(), nullable=False),
    sa.Column('thresholds', agenta.db.JSONDocument(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.Column('deleted_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evaluation_gates_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_gates')),
    sa.UniqueConstraint('project_id', 'environment_id', name=op.f('uq_evaluation_gates_project_id_environment_id'))
    )
    with op.batch_alter_table('evaluation_gates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_gates_project_id'), ['project_id'], unique=False)

    op.create_table('evaluation_response_cache',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('completion', agenta.db.JSONDocument(), nullable=False),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evaluation_response_cache_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_response_cache')),
    sa.UniqueConstraint('project_id', 'key', name=op.f('uq_evaluation_response_cache_project_id_key'))
    )
    with op.batch_alter_table('evaluation_response_cache', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_response_cache_project_id'), ['project_id'], unique=False)

    op.create_table('evaluation_runs',
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('testset_id', sa.Uuid(), nullable=True),
    sa.Column('testset_revision_id', sa.Uuid(), nullable=True),
    sa.Column('config', agenta.db.JSONDocument(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('cells_total', sa.Integer(), nullable=False),
    sa.Column('cells_done', sa.Integer(), nullable=False),
    sa.Column('cells_failed', sa.Integer(), nullable=False),
    sa.Column('tokens_total', sa.Integer(), nullable=False),
    sa.Column('cost_total', sa.Float(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('flags', agenta.db.JSONDocument(), nullable=False),
    sa.Column('tags', agenta.db.JSONDocument(), nullable=False),
    sa.Column('meta', agenta.db.JSONDocument(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.Column('deleted_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evaluation_runs_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_runs'))
    )
    with op.batch_alter_table('evaluation_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_runs_project_id'), ['project_id'], unique=False)

    op.create_table('evaluator_artifacts',
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('flags', agenta.db.JSONDocument(), nullable=False),
    sa.Column('tags', agenta.db.JSONDocument(), nullable=False),
    sa.Column('meta', agenta.db.JSONDocument(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.Column('deleted_by_id', sa.Uuid(), nullable=True),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evaluator_artifacts_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluator_artifacts')),
    sa.UniqueConstraint('project_id', 'slug', name=op.f('uq_evaluator_artifacts_project_id_slug'))
    )
    with op.batch_alter_table('evaluator_artifacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluator_artifacts_project_id'), ['project_id'], unique=False)

    op.create_table('evaluation_cells',
    sa.Column('run_id', sa.Uuid(), nullable=False),
    sa.Column('row_index', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Uuid(), nullable=False),
    sa.Column('repeat', sa.Integer(), nullable=False),
    sa.Column('evaluator_id', sa.Uuid(), nullable=False),
    sa.Column('step_key', sa.String(length=300), nullable=False),
    sa.Column('testcase_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('output', agenta.db.JSONDocument(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('success', sa.Boolean(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('error_type', sa.String(length=200), nullable=True),
    sa.Column('trace_id', sa.String(length=64), nullable=True),
    sa.Column('latency_ms', sa.Float(), nullable=True),
    sa.Column('prompt_tokens', sa.Integer(), nullable=False),
    sa.Column('completion_tokens', sa.Integer(), nullable=False),
    sa.Column('total_tokens', sa.Integer(), nullable=False),
    sa.Column('cost', sa.Float(), nullable=False),
    sa.Column('cached', sa.Boolean(), nullable=False),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['evaluation_runs.id'], name=op.f('fk_evaluation_cells_run_id_evaluation_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_cells')),
    sa.UniqueConstraint('run_id', 'row_index', 'revision_id', 'repeat', 'evaluator_id', name=op.f('uq_evaluation_cells_run_id_row_index_revision_id_repeat_evaluator_id'))
    )
    op.create_table('evaluation_scenarios',
    sa.Column('run_id', sa.Uuid(), nullable=False),
    sa.Column('row_index', sa.Integer(), nullable=False),
    sa.Column('testcase_id', sa.Uuid(), nullable=True),
    sa.Column('inputs', agenta.db.JSONDocument(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('flags', agenta.db.JSONDocument(), nullable=False),
    sa.Column('tags', agenta.db.JSONDocument(), nullable=False),
    sa.Column('meta', agenta.db.JSONDocument(), nullable=False),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['evaluation_runs.id'], name=op.f('fk_evaluation_scenarios_run_id_evaluation_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_scenarios')),
    sa.UniqueConstraint('run_id', 'row_index', name=op.f('uq_evaluation_scenarios_run_id_row_index'))
    )
    op.create_table('evaluator_variants',
    sa.Column('forked_from_id', sa.Uuid(), nullable=True),
    sa.Column('artifact_id', sa.Uuid(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('flags', agenta.db.JSONDocument(), nullable=False),
    sa.Column('tags', agenta.db.JSONDocument(), nullable=False),
    sa.Column('meta', agenta.db.JSONDocument(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.Column('deleted_by_id', sa.Uuid(), nullable=True),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['evaluator_artifacts.id'], name=op.f('fk_evaluator_variants_artifact_id_evaluator_artifacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evaluator_variants_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluator_variants')),
    sa.UniqueConstraint('artifact_id', 'slug', name=op.f('uq_evaluator_variants_artifact_id_slug'))
    )
    with op.batch_alter_table('evaluator_variants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluator_variants_project_id'), ['project_id'], unique=False)

    op.create_table('evaluator_revisions',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('data', agenta.db.JSONDocument(), nullable=False),
    sa.Column('flags', agenta.db.JSONDocument(), nullable=False),
    sa.Column('tags', agenta.db.JSONDocument(), nullable=False),
    sa.Column('meta', agenta.db.JSONDocument(), nullable=False),
    sa.Column('artifact_id', sa.Uuid(), nullable=False),
    sa.Column('variant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', agenta.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', agenta.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('updated_by_id', sa.Uuid(), nullable=True),
    sa.Column('deleted_by_id', sa.Uuid(), nullable=True),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['evaluator_artifacts.id'], name=op.f('fk_evaluator_revisions_artifact_id_evaluator_artifacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evaluator_revisions_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['evaluator_variants.id'], name=op.f('fk_evaluator_revisions_variant_id_evaluator_variants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluator_revisions')),
    sa.UniqueConstraint('variant_id', 'version', name=op.f('uq_evaluator_revisions_variant_id_version'))
    )
    with op.batch_alter_table('evaluator_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluator_revisions_artifact_id'), ['artifact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluator_revisions_project_id'), ['project_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evaluator_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluator_revisions_project_id'))
        batch_op.drop_index(batch_op.f('ix_evaluator_revisions_artifact_id'))

    op.drop_table('evaluator_revisions')
    with op.batch_alter_table('evaluator_variants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluator_variants_project_id'))

    op.drop_table('evaluator_variants')
    op.drop_table('evaluation_scenarios')
    op.drop_table('evaluation_cells')
    with op.batch_alter_table('evaluator_artifacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluator_artifacts_project_id'))

    op.drop_table('evaluator_artifacts')
    with op.batch_alter_table('evaluation_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_runs_project_id'))

    op.drop_table('evaluation_runs')
    with op.batch_alter_table('evaluation_response_cache', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_response_cache_project_id'))

    op.drop_table('evaluation_response_cache')
    with op.batch_alter_table('evaluation_gates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_gates_project_id'))

    op.drop_table('evaluation_gates')
