"""Each municipality's veiligheidsregio (safety region), so the realisation figure can sum per
region in the layout of Tabel 1; existing rows are filled from the embedded data.

Revision ID: safety_regions
Revises: recouplings
Create Date: 2026-12-03 00:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'safety_regions'
down_revision = 'recouplings'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from matcher.data import load_safety_regions

    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safety_region_code', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('safety_region', sa.String(length=64), nullable=True))
    table = sa.table('municipalities', sa.column('code', sa.String), sa.column('safety_region_code', sa.String),
                     sa.column('safety_region', sa.String))
    for r in load_safety_regions():
        op.execute(table.update().where(table.c.code == r.code)
                   .values(safety_region_code=r.region_code, safety_region=r.region))


def downgrade() -> None:
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.drop_column('safety_region')
        batch_op.drop_column('safety_region_code')
