"""Alembic migrations: they build exactly the tables of api/models.py, on SQLite and PostgreSQL,
and go down and up again."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from api_testing import database_settings, drop_schema, require_postgres
from sqlalchemy import inspect

from api.db import MIGRATIONS, make_engine, migrate
from api.models import Base


@pytest.fixture(params=["sqlite", "postgres"])
def fresh(request, tmp_path):
    if request.param == "postgres":
        require_postgres()
    settings = database_settings(request.param, tmp_path)
    engine = make_engine(settings)
    try:
        yield engine, settings
    finally:
        engine.dispose()
        drop_schema(settings)


def test_migrations_match_the_models(fresh):
    """After `upgrade head` autogenerate finds no difference between database and models."""
    engine, settings = fresh
    migrate(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    if settings.db_schema:  # PostgreSQL: everything in the private schema, nothing in public
        assert "jobs" in inspect(engine).get_table_names(schema=settings.db_schema)


def test_down_and_up_again(fresh):
    """`downgrade base` removes every table; `upgrade head` builds them again; migrating twice is a no-op."""
    engine, _ = fresh
    migrate(engine)
    migrate(engine)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
    migrate(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_one_active_lock_per_household_is_a_partial_unique_index(fresh):
    """``uq_locks_active_household`` is unique over ``household_id`` where ``ended_at IS NULL``
    (autogenerate does not compare the WHERE clause, so it is checked here)."""
    engine, _ = fresh
    migrate(engine)
    (index,) = [i for i in inspect(engine).get_indexes("locks") if i["name"] == "uq_locks_active_household"]
    assert index["unique"] and index["column_names"] == ["household_id"]
    where = index["dialect_options"].get(f"{engine.dialect.name}_where")
    assert "ended_at IS NULL" in str(getattr(where, "text", where))


def test_every_table_of_data_has_the_change_triggers(fresh):
    """Each table but those :data:`api.services.changes.UNWATCHED` notes its writes in
    ``data_changes`` (what the kept signals and figures are checked against): a new table, or
    one rebuilt by Alembic's batch mode on SQLite, without them would let a reader miss a write."""
    from sqlalchemy import text

    from api.services.changes import UNWATCHED

    engine, _ = fresh
    migrate(engine)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            rows = connection.execute(text(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                "AND t.tgname LIKE 'data_changes_%'")).all()
            expected = {(table, f"data_changes_{table}") for table in Base.metadata.tables if table not in UNWATCHED}
        else:
            rows = connection.execute(text(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_changes_%'")).all()
            expected = {(table, f"data_changes_{table}_{event}") for table in Base.metadata.tables
                        if table not in UNWATCHED for event in ("insert", "update", "delete")}
    assert set(map(tuple, rows)) == expected


def test_a_job_heartbeat_alone_is_not_a_change_of_the_data(fresh):
    """The trigger on ``jobs`` notes updates of every column but ``heartbeat_at`` (migration
    ``job_heartbeats``): a column added to ``jobs`` without being added there would go unnoted."""
    import re

    from sqlalchemy import text

    engine, _ = fresh
    migrate(engine)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            definition = connection.execute(text(
                "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                "AND t.tgname = 'data_changes_jobs'")).scalar_one()
        else:
            definition = connection.execute(text(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'data_changes_jobs_update'")).scalar_one()
    found = re.search(r"UPDATE OF (.+?) (OR|ON) ", definition)
    assert found, definition
    columns = {c.strip().strip('"') for c in found.group(1).split(",")}
    assert columns == {c.name for c in Base.metadata.tables["jobs"].columns} - {"heartbeat_at"}
