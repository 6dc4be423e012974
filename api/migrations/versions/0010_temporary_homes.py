"""Temporary homes as a stage: a household ``temporary`` in a temporary home (``temporary_home``,
since ``housed_date``) moves on to a regular home; a move-in records the temporary home it leaves
(``from_home_id``, ``from_date``).

Revision ID: temporary_homes
Revises: safety_regions
Create Date: 2026-12-03 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'temporary_homes'
down_revision = 'safety_regions'
branch_labels = None
depends_on = None

OLD = "state IN ('waiting', 'coupled', 'moving_in', 'housed')"
NEW = "state IN ('waiting', 'coupled', 'moving_in', 'temporary', 'housed')"


def upgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('temporary_home', sa.String(length=64), nullable=True))
        batch_op.drop_constraint(op.f('ck_households_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_households_state'), NEW)
    with op.batch_alter_table('move_ins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_home_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('from_date', sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_move_ins_from_home_id_homes'), 'homes', ['from_home_id'], ['id'])


def downgrade() -> None:
    # Before temporary homes were a stage, a household housed there counted as housed for good.
    op.execute("UPDATE households SET state = 'housed' WHERE state = 'temporary'")
    with op.batch_alter_table('move_ins', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_move_ins_from_home_id_homes'), type_='foreignkey')
        batch_op.drop_column('from_date')
        batch_op.drop_column('from_home_id')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_households_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_households_state'), OLD)
        batch_op.drop_column('temporary_home')
