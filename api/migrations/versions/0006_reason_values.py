"""Reasons as data: each proposal line keeps its reason's kind and values, so a page, the API and
the exports render the sentence in the reader's language.

Revision ID: reason_values
Revises: travel_times
Create Date: 2026-12-02 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'reason_values'
down_revision = 'travel_times'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('proposal_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_values', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('proposal_lines', schema=None) as batch_op:
        batch_op.drop_column('reason_values')
