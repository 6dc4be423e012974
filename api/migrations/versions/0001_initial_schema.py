"""Initial schema: municipalities, locations, periods and quotas, redistributions, tokens, homes,
households, proposal jobs and their lines, bans, and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 05:34:06.590468
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('municipalities',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('province', sa.String(length=50), nullable=False),
    sa.Column('inhabitants', sa.Integer(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('quota_executed_by', sa.String(length=6), nullable=True),
    sa.ForeignKeyConstraint(['quota_executed_by'], ['municipalities.code'], name=op.f('fk_municipalities_quota_executed_by_municipalities')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_municipalities'))
    )
    op.create_table('homes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=6), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('min_occupancy', sa.Integer(), nullable=False),
    sa.Column('accessible', sa.Boolean(), nullable=False),
    sa.Column('available_from', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'allocated', 'withdrawn')", name=op.f('ck_homes_status')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_homes_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_homes')),
    sa.UniqueConstraint('municipality_code', 'reference', name='uq_homes_municipality_reference')
    )
    with op.batch_alter_table('homes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_homes_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_homes_status'), ['status'], unique=False)

    op.create_table('locations',
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('municipality_code', sa.String(length=6), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_locations_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('location_id', name=op.f('pk_locations'))
    )
    op.create_table('tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('municipality_code', sa.String(length=6), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("(role = 'municipality') = (municipality_code IS NOT NULL)", name=op.f('ck_tokens_role_municipality')),
    sa.CheckConstraint("role IN ('coa', 'municipality')", name=op.f('ck_tokens_role')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_tokens_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_tokens_token_hash'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['tokens.id'], name=op.f('fk_audit_events_token_id_tokens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_token_id'), ['token_id'], unique=False)

    op.create_table('periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('opened_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['opened_by'], ['tokens.id'], name=op.f('fk_periods_opened_by_tokens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_periods')),
    sa.UniqueConstraint('name', name=op.f('uq_periods_name'))
    )
    op.create_table('households',
    sa.Column('household_id', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('adults', sa.Integer(), nullable=True),
    sa.Column('children', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.Column('permit_date', sa.Date(), nullable=False),
    sa.Column('amv', sa.Boolean(), nullable=False),
    sa.Column('needs_accessible', sa.Boolean(), nullable=False),
    sa.Column('expected_extra', sa.Integer(), nullable=False),
    sa.Column('tie_municipality', sa.String(length=6), nullable=True),
    sa.Column('document_ready', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('municipality_code', sa.String(length=6), nullable=True),
    sa.Column('coupling_date', sa.Date(), nullable=True),
    sa.Column('home_id', sa.Integer(), nullable=True),
    sa.Column('housed_date', sa.Date(), nullable=True),
    sa.Column('housed_period_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state IN ('waiting', 'coupled', 'housed')", name=op.f('ck_households_state')),
    sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_households_home_id_homes')),
    sa.ForeignKeyConstraint(['housed_period_id'], ['periods.id'], name=op.f('fk_households_housed_period_id_periods')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.location_id'], name=op.f('fk_households_location_id_locations')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_households_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['tie_municipality'], ['municipalities.code'], name=op.f('fk_households_tie_municipality_municipalities')),
    sa.PrimaryKeyConstraint('household_id', name=op.f('pk_households'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_home_id'), ['home_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_state'), ['state'], unique=False)

    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('solver', sa.String(length=32), nullable=False),
    sa.Column('time_limit', sa.Float(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('worker', sa.String(length=200), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_jobs_status')),
    sa.ForeignKeyConstraint(['created_by'], ['tokens.id'], name=op.f('fk_jobs_created_by_tokens')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_jobs_period_id_periods')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    sa.UniqueConstraint('reference', name=op.f('uq_jobs_reference'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_status'), ['status'], unique=False)

    op.create_table('quotas',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sa.String(length=6), nullable=False),
    sa.Column('taakstelling', sa.Integer(), nullable=False),
    sa.Column('amv_taakstelling', sa.Integer(), nullable=False),
    sa.Column('backlog', sa.Integer(), nullable=False),
    sa.Column('amv_backlog', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_quotas_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_quotas_period_id_periods')),
    sa.PrimaryKeyConstraint('period_id', 'municipality_code', name=op.f('pk_quotas'))
    )
    op.create_table('redistributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('from_code', sa.String(length=6), nullable=False),
    sa.Column('to_code', sa.String(length=6), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('amv_persons', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('from_code <> to_code', name=op.f('ck_redistributions_distinct')),
    sa.ForeignKeyConstraint(['created_by'], ['tokens.id'], name=op.f('fk_redistributions_created_by_tokens')),
    sa.ForeignKeyConstraint(['from_code'], ['municipalities.code'], name=op.f('fk_redistributions_from_code_municipalities')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_redistributions_period_id_periods')),
    sa.ForeignKeyConstraint(['to_code'], ['municipalities.code'], name=op.f('fk_redistributions_to_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redistributions')),
    sa.UniqueConstraint('reference', name=op.f('uq_redistributions_reference'))
    )
    with op.batch_alter_table('redistributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redistributions_period_id'), ['period_id'], unique=False)

    op.create_table('proposal_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('municipality_code', sa.String(length=6), nullable=True),
    sa.Column('home_id', sa.Integer(), nullable=True),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('km', sa.Float(), nullable=True),
    sa.Column('overdue_days', sa.Integer(), nullable=False),
    sa.Column('moves', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reason_kind', sa.String(length=32), nullable=True),
    sa.Column('was_state', sa.String(length=16), nullable=False),
    sa.Column('was_municipality', sa.String(length=6), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.CheckConstraint("decision IN ('none', 'pending', 'accepted', 'refused')", name=op.f('ck_proposal_lines_decision')),
    sa.ForeignKeyConstraint(['decided_by'], ['tokens.id'], name=op.f('fk_proposal_lines_decided_by_tokens')),
    sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_proposal_lines_home_id_homes')),
    sa.ForeignKeyConstraint(['household_id'], ['households.household_id'], name=op.f('fk_proposal_lines_household_id_households')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_proposal_lines_job_id_jobs')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_proposal_lines_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_lines')),
    sa.UniqueConstraint('job_id', 'household_id', name='uq_proposal_lines_job_household')
    )
    with op.batch_alter_table('proposal_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_lines_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_lines_job_id'), ['job_id'], unique=False)
        batch_op.create_index('ix_proposal_lines_municipality_decision', ['municipality_code', 'decision'], unique=False)

    op.create_table('bans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.String(length=64), nullable=False),
    sa.Column('municipality_code', sa.String(length=6), nullable=True),
    sa.Column('home_id', sa.Integer(), nullable=True),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('(municipality_code IS NULL) <> (home_id IS NULL)', name=op.f('ck_bans_one_target')),
    sa.ForeignKeyConstraint(['created_by'], ['tokens.id'], name=op.f('fk_bans_created_by_tokens')),
    sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_bans_home_id_homes')),
    sa.ForeignKeyConstraint(['household_id'], ['households.household_id'], name=op.f('fk_bans_household_id_households')),
    sa.ForeignKeyConstraint(['line_id'], ['proposal_lines.id'], name=op.f('fk_bans_line_id_proposal_lines')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_bans_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bans'))
    )
    with op.batch_alter_table('bans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bans_household_id'), ['household_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('bans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bans_household_id'))

    op.drop_table('bans')
    with op.batch_alter_table('proposal_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_lines_municipality_decision')
        batch_op.drop_index(batch_op.f('ix_proposal_lines_job_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_lines_household_id'))

    op.drop_table('proposal_lines')
    with op.batch_alter_table('redistributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redistributions_period_id'))

    op.drop_table('redistributions')
    op.drop_table('quotas')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_status'))

    op.drop_table('jobs')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_state'))
        batch_op.drop_index(batch_op.f('ix_households_municipality_code'))
        batch_op.drop_index(batch_op.f('ix_households_home_id'))

    op.drop_table('households')
    op.drop_table('periods')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_token_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')
    op.drop_table('tokens')
    op.drop_table('locations')
    with op.batch_alter_table('homes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_homes_status'))
        batch_op.drop_index(batch_op.f('ix_homes_municipality_code'))

    op.drop_table('homes')
    op.drop_table('municipalities')
