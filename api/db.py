"""The database engine, sessions and migrations.

SQLite (the default, an embedded file) runs every transaction as ``BEGIN IMMEDIATE``: writers
take the lock when they start rather than upgrading to it halfway, so two transactions never
deadlock and a busy database makes the other wait (up to 30 s) instead of failing.
PostgreSQL is reached with psycopg 3; a ``postgresql://`` or ``postgres://`` URL is rewritten to
``postgresql+psycopg://``, and :attr:`Settings.db_schema` becomes the ``search_path``.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from api.config import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_MIGRATION_LOCK = 7_316_402_911
"""PostgreSQL advisory lock key held while migrating, so two starting servers take turns."""


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` URLs use psycopg 3; other URLs are left alone."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(settings: Settings) -> Engine:
    """An engine for ``settings.database_url`` with the per-dialect set-up described above."""
    url = normalise_url(settings.database_url)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None  # let the "begin" hook below open transactions
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    schema = settings.db_schema
    if schema is not None and not _SCHEMA_NAME.match(schema):
        raise ValueError(f"MATCHER_DB_SCHEMA {schema!r}: use lower-case letters, digits and _")
    # As many pooled connections as worker threads (a request uses one), plus a few for the
    # proposal worker; a connection opened beyond the pool is closed again when it is returned.
    engine = create_engine(url, pool_size=settings.concurrency, max_overflow=5, pool_pre_ping=True)
    if schema is not None:
        # Registered before the first connection, so that every pooled connection has it.
        @event.listens_for(engine, "connect")
        def _pg_connect(dbapi_connection, _record) -> None:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f'SET search_path TO "{schema}"')
            dbapi_connection.autocommit = autocommit

        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (responses are built after it)."""
    return sessionmaker(engine, expire_on_commit=False)


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest Alembic revision (creating it on an empty database)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
            connection.commit()
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
                connection.commit()


def describe(engine: Engine) -> str:
    """The database for humans, without a password."""
    return engine.url.render_as_string(hide_password=True)
