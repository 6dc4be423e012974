"""data_changes.weight: how many writing transactions a row stands for (PostgreSQL), so that the
rows can be folded into one now and then (:func:`api.services.changes.compact`) and the table
stays small while their sum still grows with every commit.

Revision ID: data_change_weights
Revises: job_heartbeats
Create Date: 2026-12-03 09:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'data_change_weights'
down_revision = 'job_heartbeats'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # not batch mode: on SQLite it would rebuild the table, which every data trigger writes to
    op.add_column('data_changes', sa.Column('weight', sa.BigInteger(), server_default=sa.text('1'), nullable=False))


def downgrade() -> None:
    op.drop_column('data_changes', 'weight')
