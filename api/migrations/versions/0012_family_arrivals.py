"""Family reunification: households.expected_extra_date (when the nareizigers are expected) and
the family members who arrived (``family_arrivals``).

Revision ID: family_arrivals
Revises: job_error_values
Create Date: 2026-12-03 01:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'family_arrivals'
down_revision = 'job_error_values'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_extra_date', sa.Date(), nullable=True))
    op.create_table(
        'family_arrivals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=64), nullable=True),
        sa.Column('household_id', sa.String(length=64), nullable=False),
        sa.Column('municipality_code', sa.String(length=6), nullable=True),
        sa.Column('persons', sa.Integer(), nullable=False),
        sa.Column('adults', sa.Integer(), nullable=True),
        sa.Column('children', sa.Integer(), nullable=True),
        sa.Column('arrived_on', sa.Date(), nullable=False),
        sa.Column('size_before', sa.Integer(), nullable=False),
        sa.Column('size_after', sa.Integer(), nullable=False),
        sa.Column('expected_before', sa.Integer(), nullable=False),
        sa.Column('expected_after', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.CheckConstraint('persons >= 1', name=op.f('ck_family_arrivals_persons')),
        sa.CheckConstraint('size_after = size_before + persons', name=op.f('ck_family_arrivals_sizes')),
        sa.ForeignKeyConstraint(['created_by'], ['tokens.id'], name=op.f('fk_family_arrivals_created_by_tokens')),
        sa.ForeignKeyConstraint(['household_id'], ['households.household_id'],
                                name=op.f('fk_family_arrivals_household_id_households')),
        sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'],
                                name=op.f('fk_family_arrivals_municipality_code_municipalities')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_family_arrivals')),
        sa.UniqueConstraint('reference', name=op.f('uq_family_arrivals_reference')),
    )
    with op.batch_alter_table('family_arrivals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_arrivals_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_family_arrivals_municipality_code'), ['municipality_code'], unique=False)


def downgrade() -> None:
    op.drop_table('family_arrivals')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_column('expected_extra_date')
