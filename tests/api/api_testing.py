"""Helpers of the service tests: databases (SQLite, PostgreSQL in a private schema), tokens,
request bodies and common sequences of calls.  Test modules import this module, never
``conftest`` (two conftest.py files share that name)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.config import Settings
from api.services import tokens
from api.services.bootstrap import seed

API = "/api/v1"
MATCHER = shutil.which("matcher", path=str(Path(sys.executable).parent)) or "matcher"
"""The `matcher` command of this virtual environment."""



def household(household_id: str, size: int = 1, location_id: str = "azc-enschede", permit_date: str = "2023-03-01",
              **fields: Any) -> dict[str, Any]:
    return {"household_id": household_id, "size": size, "location_id": location_id, "permit_date": permit_date, **fields}


def home(reference: str, kind: str = "regular", capacity: int = 4, available_from: str = "2023-07-01",
         **fields: Any) -> dict[str, Any]:
    return {"reference": reference, "kind": kind, "capacity": capacity, "available_from": available_from, **fields}


def ok(response, status: int = 200) -> Any:
    """The JSON body of a response that must have ``status``."""
    assert response.status_code == status, (response.status_code, response.text[:2000])
    return response.json() if response.headers.get("content-type", "").startswith("application/json") else response.content


def upsert(client, auth, *households: dict[str, Any]) -> dict[str, int]:
    return ok(client.post(f"{API}/households/batch", headers=auth.coa, json={"households": list(households)}))


def offer(client, headers, *homes: dict[str, Any]) -> list[dict[str, Any]]:
    return [ok(client.post(f"{API}/homes", headers=headers, json=h), 201) for h in homes]


def propose(client, auth, run_jobs, as_of: str = "2023-07-03", solver: str = "greedy", **body: Any) -> dict[str, Any]:
    """Ask for a proposal, run it, and return the finished job."""
    job = ok(client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": as_of, "solver": solver, **body}), 202)
    run_jobs()
    return ok(client.get(f"{API}/proposals/{job['id']}", headers=auth.coa))


def lines(client, auth, job_id: int, **filters: Any) -> list[dict[str, Any]]:
    return ok(client.get(f"{API}/proposals/{job_id}/lines", headers=auth.coa, params={"limit": 1000, **filters}))["items"]


def line_of(client, auth, job_id: int, household_id: str) -> dict[str, Any]:
    found = lines(client, auth, job_id, household_id=household_id)
    assert len(found) == 1, found
    return found[0]


def decide(client, auth, job_id: int, line_id: int, decision: str = "accept", **body: Any):
    return client.put(f"{API}/proposals/{job_id}/lines/{line_id}/decision", headers=auth.coa,
                      json={"decision": decision, **body})


def quota(client, headers, code: str) -> dict[str, Any]:
    return ok(client.get(f"{API}/municipalities/{code}", headers=headers))


def enschede_world(client, auth, run_jobs) -> dict[str, Any]:
    """Two households waiting in Enschede, one home there: greedy houses the longest waiting
    single (h-single) and couples the family (h-family) to Enschede."""
    upsert(client, auth, household("h-single", 1, permit_date="2023-01-01"),
           household("h-family", 4, permit_date="2023-03-01", adults=2, children=2))
    (home_,) = offer(client, auth.enschede, home("E-1", capacity=2))
    job = propose(client, auth, run_jobs)
    assert job["status"] == "done", job
    return {"job": job, "home": home_, "single": line_of(client, auth, job["id"], "h-single"),
            "family": line_of(client, auth, job["id"], "h-family")}


# --- databases and tokens -------------------------------------------------------------------

POSTGRES_URL = os.environ.get("MATCHER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("MATCHER_REQUIRE_POSTGRES", "") not in ("", "0", "false")

MUTABLE_TABLES = ("travel_times", "audit_events", "family_arrivals", "exchanges", "recouplings", "move_ins", "locks", "bans", "proposal_lines", "jobs", "households", "homes", "redistributions",
                  "quotas", "periods", "web_sessions", "tokens")
"""Emptied before each test, in an order the foreign keys allow; municipalities and locations stay."""


@cache
def postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used, or ``None`` when it can."""
    import psycopg

    try:
        with psycopg.connect(POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means: not reachable
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}: {str(exc).strip()[:200]}"
    return None


def require_postgres() -> None:
    """Skip (or, with MATCHER_REQUIRE_POSTGRES=1, fail) when PostgreSQL is not reachable."""
    reason = postgres_unreachable()
    if reason is None:
        return
    if REQUIRE_POSTGRES:
        pytest.fail(f"MATCHER_REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(reason)


def database_settings(kind: str, tmp: Path, **changes) -> Settings:
    """Settings for a fresh database of ``kind`` (``sqlite`` or ``postgres``)."""
    base = dict(run_worker=False, solve_in_subprocess=False, default_time_limit=20.0)
    base.update(changes)
    if kind == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp / 'matcher.db'}", **base)
    return Settings(database_url=POSTGRES_URL, db_schema=f"matcher_test_{uuid.uuid4().hex[:12]}", **base)


def drop_schema(settings: Settings) -> None:
    if settings.db_schema is None:
        return
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{settings.db_schema}" CASCADE')


def _empty(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"TRUNCATE {', '.join(MUTABLE_TABLES)} RESTART IDENTITY CASCADE"))
    else:
        for table in MUTABLE_TABLES:
            connection.execute(text(f"DELETE FROM {table}"))


def reset(engine: Engine) -> None:
    """Empty the mutable tables and seed period 2023-II again."""
    with engine.begin() as connection:
        _empty(connection)
    from api.db import session_factory

    with session_factory(engine)() as session:
        seed(session)


Snapshot = dict[str, list[dict]]


def snapshot(engine: Engine) -> Snapshot:
    """The rows of the mutable tables, to :func:`restore` later (for fixtures that are costly
    to build and reused by many tests)."""
    from api.models import Base

    with engine.connect() as connection:
        return {name: [dict(row._mapping) for row in connection.execute(Base.metadata.tables[name].select())]
                for name in MUTABLE_TABLES}


def restore(engine: Engine, rows: Snapshot) -> None:
    """Put the database back exactly as :func:`snapshot` found it (ids and sequences included)."""
    from api.models import Base

    with engine.begin() as connection:
        _empty(connection)
        for name in reversed(MUTABLE_TABLES):
            if rows[name]:
                connection.execute(Base.metadata.tables[name].insert(), rows[name])
        if connection.dialect.name == "postgresql":
            for name in MUTABLE_TABLES:
                if "id" in Base.metadata.tables[name].c and Base.metadata.tables[name].c.id.autoincrement is not False \
                        and Base.metadata.tables[name].c.id.type.python_type is int:
                    connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                            f"COALESCE((SELECT max(id) FROM {name}), 0) + 1, false)"))


@dataclass
class Service:
    """The app under test, its client and its settings."""

    app: object
    client: TestClient
    settings: Settings

    @property
    def engine(self) -> Engine:
        return self.app.state.engine

    def sessions(self):
        return self.app.state.sessions()


@dataclass(frozen=True)
class Tokens:
    """Authorization headers: a COA planner, Enschede, Hengelo, and a revoked Enschede token."""

    coa: dict[str, str]
    enschede: dict[str, str]
    hengelo: dict[str, str]
    revoked: dict[str, str]
    coa_id: int
    enschede_id: int


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def make_tokens(service: Service) -> Tokens:
    with service.sessions() as session:
        coa = tokens.create_token(session, "coa", label="planner")
        enschede = tokens.create_token(session, "municipality", "GM0153")
        hengelo = tokens.create_token(session, "municipality", "GM0164")
        revoked = tokens.create_token(session, "municipality", "GM0153", label="old")
        tokens.revoke_token(session, revoked.token.id)
    return Tokens(bearer(coa.secret), bearer(enschede.secret), bearer(hengelo.secret), bearer(revoked.secret),
                  coa.token.id, enschede.token.id)


# --- a national-sized database (the kill -9 tests) ---------------------------------------------

def seed_nl(settings: Settings) -> str:
    """The households and homes of the nl example (9,264 households, 2,400 homes) in a fresh
    database of ``settings``; the secret of a COA token."""
    from api.db import make_engine, session_factory
    from api.models import Home
    from api.services.bootstrap import prepare
    from api.services.errors import CLI
    from api.services.households import upsert_households
    from matcher.synth import make_example

    instance, _ = make_example("nl")
    engine = make_engine(settings)
    prepare(engine)
    sessions = session_factory(engine)
    rows = []
    for i, h in enumerate(instance.households):
        row = dict(household_id=h.household_id, size=h.size, location_id=h.location_id,
                   permit_date=h.permit_date.isoformat(), amv=h.amv, needs_accessible=h.needs_accessible,
                   expected_extra=h.expected_extra, tie_municipality=h.tie_municipality,
                   document_ready=h.document_ready)
        if h.coupled_to:
            row.update(state="coupled", municipality=h.coupled_to, coupling_date=h.coupling_date.isoformat())
        rows.append((("seed", i), row))
    with sessions() as session:
        upsert_households(session, CLI, rows)
        session.add_all([Home(municipality_code=d.municipality, reference=d.dwelling_id, kind=d.kind.value,
                              capacity=d.capacity, min_occupancy=d.min_occupancy, accessible=d.accessible,
                              available_from=d.available_from) for d in instance.dwellings])
        session.commit()
        secret = tokens.create_token(session, "coa", label="planner").secret
    engine.dispose()
    return secret


@contextlib.contextmanager
def serve_in_thread(app) -> Iterator[tuple[str, int]]:
    """``app`` served by uvicorn in a thread on a free loopback port; yields (host, port)."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
