"""Travel times from a reception location to a municipality, uploaded by COA (rule 5's minutes).

Revision ID: travel_times
Revises: 0004
Create Date: 2026-12-02 20:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'travel_times'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'travel_times',
        sa.Column('location_id', sa.String(length=64), nullable=False),
        sa.Column('municipality_code', sa.String(length=6), nullable=False),
        sa.Column('minutes', sa.Float(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['location_id'], ['locations.location_id'],
                                name=op.f('fk_travel_times_location_id_locations')),
        sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'],
                                name=op.f('fk_travel_times_municipality_code_municipalities')),
        sa.PrimaryKeyConstraint('location_id', 'municipality_code', name=op.f('pk_travel_times')),
    )


def downgrade() -> None:
    op.drop_table('travel_times')
