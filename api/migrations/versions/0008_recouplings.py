"""Re-coupling requests (omkoppeling): a municipality or COA asks, COA approves or declines, and
an approved household may be re-coupled by the next proposal (``recouplings``).

Revision ID: recouplings
Revises: move_ins
Create Date: 2026-12-03 00:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'recouplings'
down_revision = 'move_ins'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'recouplings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=64), nullable=True),
        sa.Column('household_id', sa.String(length=64), nullable=False),
        sa.Column('from_municipality', sa.String(length=6), nullable=False),
        sa.Column('to_municipality', sa.String(length=6), nullable=True),
        sa.Column('exchange_with', sa.String(length=64), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_role', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('done_line_id', sa.Integer(), nullable=True),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'approved', 'declined', 'done')", name=op.f('ck_recouplings_status')),
        sa.CheckConstraint("requested_role IN ('coa', 'municipality')", name=op.f('ck_recouplings_requested_role')),
        sa.CheckConstraint("status <> 'declined' OR decision_reason IS NOT NULL",
                           name=op.f('ck_recouplings_declined_reason')),
        sa.CheckConstraint("(status = 'done') = (done_line_id IS NOT NULL)", name=op.f('ck_recouplings_done_line')),
        sa.ForeignKeyConstraint(['created_by'], ['tokens.id'], name=op.f('fk_recouplings_created_by_tokens')),
        sa.ForeignKeyConstraint(['decided_by'], ['tokens.id'], name=op.f('fk_recouplings_decided_by_tokens')),
        sa.ForeignKeyConstraint(['done_line_id'], ['proposal_lines.id'],
                                name=op.f('fk_recouplings_done_line_id_proposal_lines')),
        sa.ForeignKeyConstraint(['exchange_with'], ['households.household_id'],
                                name=op.f('fk_recouplings_exchange_with_households')),
        sa.ForeignKeyConstraint(['from_municipality'], ['municipalities.code'],
                                name=op.f('fk_recouplings_from_municipality_municipalities')),
        sa.ForeignKeyConstraint(['household_id'], ['households.household_id'],
                                name=op.f('fk_recouplings_household_id_households')),
        sa.ForeignKeyConstraint(['to_municipality'], ['municipalities.code'],
                                name=op.f('fk_recouplings_to_municipality_municipalities')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recouplings')),
        sa.UniqueConstraint('reference', name=op.f('uq_recouplings_reference')),
    )
    with op.batch_alter_table('recouplings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recouplings_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recouplings_from_municipality'), ['from_municipality'], unique=False)
        batch_op.create_index(batch_op.f('ix_recouplings_to_municipality'), ['to_municipality'], unique=False)
        batch_op.create_index(batch_op.f('ix_recouplings_status'), ['status'], unique=False)
        batch_op.create_index('uq_recouplings_open_household', ['household_id'], unique=True,
                              sqlite_where=sa.text("status IN ('pending', 'approved')"),
                              postgresql_where=sa.text("status IN ('pending', 'approved')"))


def downgrade() -> None:
    op.drop_table('recouplings')
