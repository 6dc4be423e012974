"""Locks: COA's instruction that every later proposal places a household in a municipality
and, for a house line, in a home (docs/contract.md §1, ``locks.csv``); at most one active lock per household.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('locks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.String(length=64), nullable=False),
    sa.Column('municipality_code', sa.String(length=6), nullable=True),
    sa.Column('home_id', sa.Integer(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('was_state', sa.String(length=16), nullable=False),
    sa.Column('was_municipality', sa.String(length=6), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ended_by', sa.Integer(), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.CheckConstraint('municipality_code IS NOT NULL OR home_id IS NOT NULL', name=op.f('ck_locks_target')),
    sa.CheckConstraint("end_reason IS NULL OR end_reason IN ('removed', 'accepted', 'refused', 'changed')", name=op.f('ck_locks_end_reason')),
    sa.CheckConstraint('(ended_at IS NULL) = (end_reason IS NULL)', name=op.f('ck_locks_ended')),
    sa.ForeignKeyConstraint(['created_by'], ['tokens.id'], name=op.f('fk_locks_created_by_tokens')),
    sa.ForeignKeyConstraint(['ended_by'], ['tokens.id'], name=op.f('fk_locks_ended_by_tokens')),
    sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_locks_home_id_homes')),
    sa.ForeignKeyConstraint(['household_id'], ['households.household_id'], name=op.f('fk_locks_household_id_households')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_locks_job_id_jobs')),
    sa.ForeignKeyConstraint(['line_id'], ['proposal_lines.id'], name=op.f('fk_locks_line_id_proposal_lines')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_locks_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locks'))
    )
    with op.batch_alter_table('locks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_locks_line_id'), ['line_id'], unique=False)
        batch_op.create_index('uq_locks_active_household', ['household_id'], unique=True,
                              sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('locks', schema=None) as batch_op:
        batch_op.drop_index('uq_locks_active_household', sqlite_where=sa.text('ended_at IS NULL'),
                            postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_locks_line_id'))

    op.drop_table('locks')
