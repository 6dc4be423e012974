"""data_changes: triggers note every write to the data, so a reader in any process can tell
cheaply whether what it computed still holds (:mod:`api.services.changes`).

PostgreSQL: a statement-level trigger on each table inserts one row per writing transaction
(its transaction id; ``ON CONFLICT DO NOTHING`` for its later statements), so concurrent writers
never wait on each other.  SQLite: row-level triggers bump the one row's counter and draw a new
token (SQLite has one writer at a time).

A table added later that holds data must get the same triggers in its own migration
(``tests/api/test_migrations.py`` checks every table but :data:`EXCLUDED` has them).  Note that
Alembic's batch mode on SQLite rebuilds a table without its triggers: a migration that uses it
on one of these tables must create them again (:func:`create_triggers`).

Revision ID: data_changes
Revises: family_arrivals
Create Date: 2026-12-03 08:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'data_changes'
down_revision = 'family_arrivals'
branch_labels = None
depends_on = None

EXCLUDED = ("tokens", "web_sessions", "audit_events", "data_changes")
"""Tables whose writes are not data: sign-ins, sessions, the audit trail, and this one."""

TABLES = ("bans", "family_arrivals", "homes", "households", "jobs", "locations", "locks", "move_ins",
          "municipalities", "periods", "proposal_lines", "quotas", "recouplings", "redistributions", "travel_times")
"""The tables of revision ``family_arrivals`` but :data:`EXCLUDED`."""

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION note_data_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO data_changes (tx) VALUES (txid_current()) ON CONFLICT (tx) DO NOTHING;
    RETURN NULL;
END
$$
"""

SQLITE_BODY = "UPDATE data_changes SET tx = tx + 1, token = lower(hex(randomblob(8))) WHERE id = 1"


def create_triggers(table: str) -> None:
    """The triggers that note a write to ``table`` (the function or row must exist)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER data_changes_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION note_data_change()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"CREATE TRIGGER data_changes_{table}_{event} AFTER {event.upper()} ON {table} "
                       f"BEGIN {SQLITE_BODY}; END")


def drop_triggers(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS data_changes_{table} ON {table}")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS data_changes_{table}_{event}")


def upgrade() -> None:
    op.create_table(
        'data_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tx', sa.BigInteger(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_changes')),
        sa.UniqueConstraint('tx', name=op.f('uq_data_changes_tx')),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
    else:
        op.execute("INSERT INTO data_changes (id, tx, token) VALUES (1, 1, lower(hex(randomblob(8))))")
    for table in TABLES:
        create_triggers(table)


def downgrade() -> None:
    for table in TABLES:
        drop_triggers(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS note_data_change()")
    op.drop_table('data_changes')
