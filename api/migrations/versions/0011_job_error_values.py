"""A failed job keeps its error as data (``error_values``: a catalogue code and its values), so the
pages show it in the reader's language; ``error`` keeps the English sentence.

Revision ID: job_error_values
Revises: temporary_homes
Create Date: 2026-12-03 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'job_error_values'
down_revision = 'temporary_homes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_values', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('error_values')
