"""data_changes: a running job's heartbeat (an update of ``jobs.heartbeat_at`` alone, every few
seconds while it solves) is not a change of the data, so it no longer makes every kept signal
and figure be computed afresh (:mod:`api.services.changes`).  Every other write to ``jobs`` is
still noted.

The trigger names the columns whose update is noted: a migration that adds a column to ``jobs``
must add it here too (``tests/api/test_migrations.py`` checks the list is every column but
``heartbeat_at``).

Revision ID: job_heartbeats
Revises: exchanges
Create Date: 2026-12-03 09:45:00
"""

from __future__ import annotations

from alembic import op

revision = 'job_heartbeats'
down_revision = 'exchanges'
branch_labels = None
depends_on = None

NOTED = ("id", "reference", "status", "as_of", "params", "solver", "time_limit", "period_id", "created_at",
         "created_by", "started_at", "finished_at", "worker", "error", "error_values", "summary")
"""Every column of ``jobs`` but ``heartbeat_at``."""

SQLITE_BODY = "UPDATE data_changes SET tx = tx + 1, token = lower(hex(randomblob(8))) WHERE id = 1"


def _update_trigger(columns: tuple[str, ...] | None) -> None:
    """The trigger on ``jobs`` noting updates of ``columns`` (``None``: of any column)."""
    update = "UPDATE" if columns is None else f"UPDATE OF {', '.join(columns)}"
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS data_changes_jobs ON jobs")
        op.execute(f"CREATE TRIGGER data_changes_jobs AFTER INSERT OR {update} OR DELETE OR TRUNCATE ON jobs "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION note_data_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS data_changes_jobs_update")
        op.execute(f"CREATE TRIGGER data_changes_jobs_update AFTER {update} ON jobs BEGIN {SQLITE_BODY}; END")


def upgrade() -> None:
    _update_trigger(NOTED)


def downgrade() -> None:
    _update_trigger(None)
