"""Locks also end when their home goes: ``withdrawn`` (the municipality withdrew the locked home)
and ``taken`` (an accept gave the locked home to another household).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

OLD = "end_reason IS NULL OR end_reason IN ('removed', 'accepted', 'refused', 'changed')"
NEW = "end_reason IS NULL OR end_reason IN ('removed', 'accepted', 'refused', 'changed', 'withdrawn', 'taken')"


def upgrade() -> None:
    with op.batch_alter_table('locks', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_locks_end_reason'), type_='check')
        batch_op.create_check_constraint(op.f('ck_locks_end_reason'), NEW)


def downgrade() -> None:
    op.execute("UPDATE locks SET end_reason = 'removed' WHERE end_reason IN ('withdrawn', 'taken')")
    with op.batch_alter_table('locks', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_locks_end_reason'), type_='check')
        batch_op.create_check_constraint(op.f('ck_locks_end_reason'), OLD)
