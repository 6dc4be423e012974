"""Fixtures of the service tests: one app per database, a clean database per test, tokens.

Every test that uses ``client`` runs twice: against SQLite (a temporary file) and against
PostgreSQL in a private schema that is dropped afterwards.  PostgreSQL is
``MATCHER_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``); when it
cannot be reached those runs are skipped with the reason, unless ``MATCHER_REQUIRE_POSTGRES=1``,
which turns the skip into a failure (CI on the project machine sets it).

The app runs without its worker thread and solves in-process: tests run queued jobs with
``run_jobs()`` when they want them run, so every test is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from api_testing import (
    Service,
    Tokens,
    database_settings,
    drop_schema,
    make_tokens,
    require_postgres,
    reset,
)
from fastapi.testclient import TestClient

from api.main import create_app
from api.worker import run_pending


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database(request, tmp_path_factory) -> Iterator[str]:
    """The kind of database the test runs against."""
    if request.param == "postgres":
        require_postgres()
    yield request.param


@pytest.fixture(scope="session")
def service(database, tmp_path_factory) -> Iterator[Service]:
    settings = database_settings(database, tmp_path_factory.mktemp(database))
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            yield Service(app, client, settings)
    finally:
        drop_schema(settings)


@pytest.fixture
def client(service: Service) -> TestClient:
    """A client on a clean database (the reference data and period 2023-II only)."""
    reset(service.engine)
    return service.client


@pytest.fixture
def auth(client: TestClient, service: Service) -> Tokens:
    return make_tokens(service)


@pytest.fixture
def run_jobs(service: Service) -> Callable[[], list[int]]:
    """Run the queued proposal jobs now, in this thread; returns their ids."""
    return lambda: run_pending(service.app.state.sessions, service.settings)
