"""data_change_tables: which tables each writing transaction wrote (PostgreSQL), so that what is
kept from a few tables need not be computed afresh after a write to another one
(:meth:`api.services.changes.Fingerprint.of`).

The trigger function of migration ``data_changes`` (every data table's statement-level trigger
calls it) now also inserts one row per writing transaction and table (``TG_TABLE_NAME``;
``ON CONFLICT DO NOTHING`` for the transaction's later statements on the same table), so
concurrent writers still never wait on each other.  SQLite keeps its one counter row: there
every kept figure depends on every table, as before.

Revision ID: data_change_tables
Revises: data_change_weights
Create Date: 2026-12-03 13:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'data_change_tables'
down_revision = 'data_change_weights'
branch_labels = None
depends_on = None

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION note_data_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO data_changes (tx) VALUES (txid_current()) ON CONFLICT (tx) DO NOTHING;
    INSERT INTO data_change_tables (tx, table_name) VALUES (txid_current(), TG_TABLE_NAME)
        ON CONFLICT (tx, table_name) DO NOTHING;
    RETURN NULL;
END
$$
"""

PG_FUNCTION_BEFORE = """
CREATE OR REPLACE FUNCTION note_data_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO data_changes (tx) VALUES (txid_current()) ON CONFLICT (tx) DO NOTHING;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        'data_change_tables',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tx', sa.BigInteger(), nullable=False),
        sa.Column('table_name', sa.String(length=63), nullable=False),
        sa.Column('weight', sa.BigInteger(), server_default=sa.text('1'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_change_tables')),
        sa.UniqueConstraint('tx', 'table_name', name=op.f('uq_data_change_tables_tx')),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION_BEFORE)
    op.drop_table('data_change_tables')
