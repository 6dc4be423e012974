"""Settings of the service, read from the environment (:meth:`Settings.from_env`).

| variable | default | meaning |
|---|---|---|
| ``DATABASE_URL`` | ``sqlite:///matcher.db`` | SQLAlchemy URL; ``postgresql://user@host/db`` uses psycopg 3 |
| ``MATCHER_DB_SCHEMA`` | none | PostgreSQL schema to work in (tests and benchmarks use a private one) |
| ``MATCHER_WORKER`` | ``1`` | run the proposal worker thread inside the server |
| ``MATCHER_SOLVE_IN_SUBPROCESS`` | ``1`` | solve each job in a child process (keeps the server responsive) |
| ``MATCHER_SOLVER`` | ``auto`` | default solver backend of a job |
| ``MATCHER_TIME_LIMIT`` | ``60`` | default time limit of a job, seconds |
| ``MATCHER_MAX_TIME_LIMIT`` | ``600`` | the largest time limit a request may ask for |
| ``MATCHER_STALE_AFTER`` | ``120`` | a running job whose worker sent no heartbeat for this long is failed |
| ``MATCHER_AUTO_MIGRATE`` | ``1`` | bring the database schema up to date when the app starts |
| ``MATCHER_CONCURRENCY`` | ``4`` | requests one server process works on at once (worker threads), and the PostgreSQL connections it keeps open for them |
| ``MATCHER_MAX_BODY_BYTES`` | ``1000000`` | the largest request body (413 beyond it), but for the two below |
| ``MATCHER_MAX_BATCH_BYTES`` | ``16000000`` | the largest ``POST /api/v1/households/batch`` body (50,000 households) |
| ``MATCHER_MAX_UPLOAD_BYTES`` | ``5000000`` | the largest CSV file of an upload (the request may be 64 kB larger) |
| ``MATCHER_SIGNAL_LARGE_HOME`` | ``5`` | signals: a home of at least this capacity is a large home |
| ``MATCHER_SIGNAL_WEEKS`` | ``4`` | signals: the whole weeks a province's couplings are counted over |
| ``MATCHER_SIGNAL_SHORTFALL`` | ``0.8`` | signals: a province below this share of its expected couplings is signalled |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

DEFAULT_DATABASE_URL = "sqlite:///matcher.db"
"""An embedded SQLite file in the working directory: ``matcher serve`` needs no set-up."""

_ENV = {
    "database_url": "DATABASE_URL",
    "db_schema": "MATCHER_DB_SCHEMA",
    "run_worker": "MATCHER_WORKER",
    "solve_in_subprocess": "MATCHER_SOLVE_IN_SUBPROCESS",
    "solver": "MATCHER_SOLVER",
    "default_time_limit": "MATCHER_TIME_LIMIT",
    "max_time_limit": "MATCHER_MAX_TIME_LIMIT",
    "stale_after": "MATCHER_STALE_AFTER",
    "auto_migrate": "MATCHER_AUTO_MIGRATE",
    "concurrency": "MATCHER_CONCURRENCY",
    "max_body_bytes": "MATCHER_MAX_BODY_BYTES",
    "max_batch_bytes": "MATCHER_MAX_BATCH_BYTES",
    "max_upload_bytes": "MATCHER_MAX_UPLOAD_BYTES",
    "signal_large_home": "MATCHER_SIGNAL_LARGE_HOME",
    "signal_weeks": "MATCHER_SIGNAL_WEEKS",
    "signal_shortfall": "MATCHER_SIGNAL_SHORTFALL",
}


@dataclass(frozen=True)
class Settings:
    """Everything the app factory :func:`api.main.create_app` needs to know."""

    database_url: str = DEFAULT_DATABASE_URL
    db_schema: str | None = None
    """PostgreSQL only: the schema the service's tables live in (set as ``search_path``)."""
    run_worker: bool = True
    """Start the proposal worker thread with the app."""
    solve_in_subprocess: bool = True
    """Solve in a child process that dies with the server; off, the worker thread solves itself."""
    solver: str = "auto"
    default_time_limit: float = 60.0
    max_time_limit: float = 600.0
    poll_interval: float = 1.0
    """Seconds between looks for queued jobs when nobody wakes the worker."""
    heartbeat_interval: float = 5.0
    stale_after: float = 120.0
    auto_migrate: bool = True
    max_upload_bytes: int = 5_000_000
    """The largest CSV upload accepted (the multipart request may be 64 kB larger)."""
    max_body_bytes: int = 1_000_000
    """The largest request body of every other route (:mod:`api.guard`: 413 beyond it)."""
    max_batch_bytes: int = 16_000_000
    """The largest body of ``POST /api/v1/households/batch`` (50,000 households of about 200 bytes)."""
    concurrency: int = 4
    """Worker threads of a server process (the routes run in them), and as many pooled
    PostgreSQL connections, so that no request waits for a connection and none is opened and
    closed per request.  More requests than this wait their turn in the event loop.  Few: a
    request is CPU work under the GIL with sub-millisecond database waits, so more threads only
    take the GIL from each other and from the event loop (benchmarks/results/load_homes.md: 50
    municipalities at once on 2 cores, 2 processes, 10,000 requests as fast as answered: 4
    threads 520-649 requests/s and p99 161-189 ms, 20 threads 466-542 requests/s and p99
    226-243 ms); use ``matcher serve --workers N`` for
    more processes."""

    signal_large_home: int = 5
    """Signals (:mod:`api.services.signals`): a home of at least this capacity is a large home [001:1870]."""
    signal_weeks: int = 4
    """Signals: the whole ISO weeks before this week over which a province's couplings are
    compared with its quota share [004:135-137]."""
    signal_shortfall: float = 0.8
    """Signals: a province receiving fewer than this times its quota share of the couplings is
    signalled (1.0: any shortfall at all)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from environment variables (see the module docstring); ``overrides`` win."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(cls)}
        for name, variable in _ENV.items():
            raw = environ.get(variable)
            if raw is None or raw == "":
                continue
            kind = types[name]
            if kind == "bool":
                values[name] = raw.strip().lower() not in ("0", "false", "no", "off")
            elif kind == "int":
                try:
                    values[name] = int(raw)
                except ValueError:
                    raise ValueError(f"{variable}={raw!r} is not a whole number") from None
                if values[name] < 1:
                    raise ValueError(f"{variable}={raw!r}: at least 1")
            elif kind == "float":
                try:
                    values[name] = float(raw)
                except ValueError:
                    raise ValueError(f"{variable}={raw!r} is not a number") from None
            else:
                values[name] = raw
        values.update(overrides)
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """A copy with some settings changed."""
        return replace(self, **changes)
