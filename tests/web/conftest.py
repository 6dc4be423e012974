"""Fixtures of the page tests: one app on a temporary SQLite database for the module, a clean
database and fresh tokens per test, and a client that is not signed in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from web_testing import Secrets, make_secrets, reset, settings_for

from api.main import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(settings_for(tmp_path_factory.mktemp("web")))


@pytest.fixture(scope="module")
def started(app) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def secrets(app, started) -> Secrets:
    """A clean database (reference data and period 2023-II) and tokens."""
    reset(app.state.engine)
    return make_secrets(app.state.engine)


@pytest.fixture
def client(app, secrets) -> Iterator[TestClient]:
    """A fresh browser: no cookies (the app is already started by ``started``)."""
    fresh = TestClient(app)
    yield fresh
    fresh.close()
