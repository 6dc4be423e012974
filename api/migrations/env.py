"""Alembic environment.  :func:`api.db.migrate` passes an open connection; the ``alembic``
command line (``alembic upgrade head`` with the repository's ``alembic.ini``) connects to
``DATABASE_URL`` (default ``sqlite:///matcher.db``) itself."""

from __future__ import annotations

from alembic import context

from api.models import Base

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _configure_and_run(connection)
elif context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them against a database")
else:
    from api.config import Settings
    from api.db import make_engine

    engine = make_engine(Settings.from_env())
    with engine.connect() as conn:
        _configure_and_run(conn)
        conn.commit()
    engine.dispose()
