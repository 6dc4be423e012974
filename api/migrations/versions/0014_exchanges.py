"""Exchanges of status holders between two municipalities (uitwisseling): one request naming two
coupled households, approved or declined as one by COA (``exchanges``).

Revision ID: exchanges
Revises: data_changes
Create Date: 2026-12-03 08:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'exchanges'
down_revision = 'data_changes'
branch_labels = None
depends_on = None

SQLITE_BODY = "UPDATE data_changes SET tx = tx + 1, token = lower(hex(randomblob(8))) WHERE id = 1"
"""As in migration data_changes."""


def upgrade() -> None:
    op.create_table(
        'exchanges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=64), nullable=True),
        sa.Column('household_a', sa.String(length=64), nullable=False),
        sa.Column('municipality_a', sa.String(length=6), nullable=False),
        sa.Column('household_b', sa.String(length=64), nullable=False),
        sa.Column('municipality_b', sa.String(length=6), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_role', sa.String(length=16), nullable=False),
        sa.Column('requested_by', sa.String(length=6), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'approved', 'declined')", name=op.f('ck_exchanges_status')),
        sa.CheckConstraint("requested_role IN ('coa', 'municipality')", name=op.f('ck_exchanges_requested_role')),
        sa.CheckConstraint("status <> 'declined' OR decision_reason IS NOT NULL",
                           name=op.f('ck_exchanges_declined_reason')),
        sa.CheckConstraint("household_a <> household_b", name=op.f('ck_exchanges_two_households')),
        sa.CheckConstraint("municipality_a <> municipality_b", name=op.f('ck_exchanges_two_municipalities')),
        sa.CheckConstraint("(requested_role = 'municipality') = (requested_by IS NOT NULL)",
                           name=op.f('ck_exchanges_requested_by')),
        sa.ForeignKeyConstraint(['created_by'], ['tokens.id'], name=op.f('fk_exchanges_created_by_tokens')),
        sa.ForeignKeyConstraint(['decided_by'], ['tokens.id'], name=op.f('fk_exchanges_decided_by_tokens')),
        sa.ForeignKeyConstraint(['household_a'], ['households.household_id'],
                                name=op.f('fk_exchanges_household_a_households')),
        sa.ForeignKeyConstraint(['household_b'], ['households.household_id'],
                                name=op.f('fk_exchanges_household_b_households')),
        sa.ForeignKeyConstraint(['municipality_a'], ['municipalities.code'],
                                name=op.f('fk_exchanges_municipality_a_municipalities')),
        sa.ForeignKeyConstraint(['municipality_b'], ['municipalities.code'],
                                name=op.f('fk_exchanges_municipality_b_municipalities')),
        sa.ForeignKeyConstraint(['requested_by'], ['municipalities.code'],
                                name=op.f('fk_exchanges_requested_by_municipalities')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_exchanges')),
        sa.UniqueConstraint('reference', name=op.f('uq_exchanges_reference')),
    )
    for column in ('household_a', 'household_b', 'municipality_a', 'municipality_b', 'status'):
        op.create_index(op.f(f'ix_exchanges_{column}'), 'exchanges', [column], unique=False)
    # the triggers that note a write to the data (migration data_changes)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER data_changes_exchanges AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON exchanges "
                   "FOR EACH STATEMENT EXECUTE FUNCTION note_data_change()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"CREATE TRIGGER data_changes_exchanges_{event} AFTER {event.upper()} ON exchanges "
                       f"BEGIN {SQLITE_BODY}; END")


def downgrade() -> None:
    op.drop_table('exchanges')  # its triggers go with it
