"""Move-in confirmation: an accepted house line makes a household ``moving_in`` until its
municipality confirms the move-in or reports that it fell through (``move_ins``).

Revision ID: move_ins
Revises: reason_values
Create Date: 2026-12-02 20:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'move_ins'
down_revision = 'reason_values'
branch_labels = None
depends_on = None

OLD = "state IN ('waiting', 'coupled', 'housed')"
NEW = "state IN ('waiting', 'coupled', 'moving_in', 'housed')"


def upgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_households_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_households_state'), NEW)
    op.create_table(
        'move_ins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.String(length=64), nullable=False),
        sa.Column('municipality_code', sa.String(length=6), nullable=False),
        sa.Column('home_id', sa.Integer(), nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=False),
        sa.Column('accepted_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('moved_in_on', sa.Date(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('ban_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'fell_through')", name=op.f('ck_move_ins_status')),
        sa.CheckConstraint("(status = 'confirmed') = (moved_in_on IS NOT NULL)", name=op.f('ck_move_ins_confirmed_date')),
        sa.CheckConstraint("(status = 'fell_through') = (reason IS NOT NULL)",
                           name=op.f('ck_move_ins_fell_through_reason')),
        sa.ForeignKeyConstraint(['ban_id'], ['bans.id'], name=op.f('fk_move_ins_ban_id_bans')),
        sa.ForeignKeyConstraint(['decided_by'], ['tokens.id'], name=op.f('fk_move_ins_decided_by_tokens')),
        sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_move_ins_home_id_homes')),
        sa.ForeignKeyConstraint(['household_id'], ['households.household_id'],
                                name=op.f('fk_move_ins_household_id_households')),
        sa.ForeignKeyConstraint(['line_id'], ['proposal_lines.id'], name=op.f('fk_move_ins_line_id_proposal_lines')),
        sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'],
                                name=op.f('fk_move_ins_municipality_code_municipalities')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_move_ins')),
    )
    with op.batch_alter_table('move_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_move_ins_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_move_ins_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_move_ins_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_move_ins_status'), ['status'], unique=False)
        batch_op.create_index('uq_move_ins_pending_household', ['household_id'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    # Before move-ins, an accepted house line housed the household at once: so it is again.
    op.execute("UPDATE households SET state = 'housed', housed_date = coupling_date WHERE state = 'moving_in'")
    op.drop_table('move_ins')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_households_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_households_state'), OLD)
