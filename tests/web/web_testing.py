"""Helpers of the page tests: an app on a temporary SQLite database, tokens, the data of the two
journeys, signing in with a test client, and a real server for the browser.

Test modules import this module, never ``conftest`` (several conftest.py files share that name).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.config import Settings
from api.db import session_factory
from api.schemas import HomeIn
from api.services import homes, households, tokens
from api.services.bootstrap import seed
from api.services.errors import Actor

MUTABLE_TABLES = ("audit_events", "family_arrivals", "exchanges", "recouplings", "move_ins", "locks", "bans", "proposal_lines", "jobs", "households", "homes", "redistributions",
                  "quotas", "periods", "web_sessions", "tokens")
"""Emptied before each test, in an order the foreign keys allow; municipalities and locations stay."""

ENSCHEDE, HENGELO = "GM0153", "GM0164"

HOMES_CSV_BAD = ("reference,kind,capacity,available_from\n"
                 "E-101,regular,4,2023-07-01\n"
                 "E-102,regular,0,2023-07-01\n"
                 "E-103,shared,3,2023-07-03\n")
"""Row 3 is bad: a home for nobody."""
HOMES_CSV_FIXED = HOMES_CSV_BAD.replace("E-102,regular,0,", "E-102,regular,2,")


def settings_for(tmp: Path, **changes) -> Settings:
    base = dict(database_url=f"sqlite:///{tmp / 'matcher.db'}", run_worker=False, solve_in_subprocess=False,
                default_time_limit=20.0)
    base.update(changes)
    return Settings(**base)


def reset(engine: Engine) -> None:
    """Empty the mutable tables and seed period 2023-II again."""
    with engine.begin() as connection:
        for table in MUTABLE_TABLES:
            connection.execute(text(f"DELETE FROM {table}"))
    with session_factory(engine)() as session:
        seed(session)


@dataclass(frozen=True)
class Secrets:
    """Tokens to paste into the sign-in form."""

    coa: str
    enschede: str
    hengelo: str
    revoked: str


def make_secrets(engine: Engine) -> Secrets:
    with session_factory(engine)() as session:
        coa = tokens.create_token(session, "coa", label="planner").secret
        enschede = tokens.create_token(session, "municipality", ENSCHEDE, label="Enschede wonen").secret
        hengelo = tokens.create_token(session, "municipality", HENGELO, label="Hengelo wonen").secret
        old = tokens.create_token(session, "municipality", ENSCHEDE, label="old")
        tokens.revoke_token(session, old.token.id)
    return Secrets(coa, enschede, hengelo, old.secret)


def planner_world(engine: Engine) -> None:
    """Four households waiting in Twente and two homes in Enschede: enough for a proposal with
    house, couple and (perhaps) wait lines."""
    with session_factory(engine)() as session:
        coa = Actor(None, "test", "coa")
        households.upsert_batch(session, coa, {"households": [
            {"household_id": "h-single", "size": 1, "location_id": "azc-enschede", "permit_date": "2023-01-01"},
            {"household_id": "h-family", "size": 4, "adults": 2, "children": 2, "location_id": "azc-enschede",
             "permit_date": "2023-03-01"},
            {"household_id": "h-couple", "size": 2, "location_id": "azc-enschede", "permit_date": "2023-02-01"},
            {"household_id": "h-late", "size": 3, "location_id": "azc-enschede", "permit_date": "2022-11-01"},
        ]})
        enschede = Actor(None, "test", "municipality", ENSCHEDE)
        for reference, capacity in (("E-1", 2), ("E-2", 3)):
            homes.create_home(session, enschede, HomeIn(reference=reference, kind="regular", capacity=capacity,
                                                        available_from="2023-07-01"))


HAAKSBERGEN = "GM0158"


def signal_world(engine: Engine) -> None:
    """A signal of each kind on 3 July 2023: Enschede's large home E-BIG (6 places) fits h-big
    (6) and h-four (4); Haaksbergen, its taakstelling set to 0, offers K-2 (2 places), which
    h-pair would take: idle for lack of quota, 2 persons short, Hengelo the nearest with quota
    to spare; c-recent (3, coupled to Enschede on 20 June) is the only coupling of the four
    weeks before, so every province but Overijssel is short."""
    from api.services import municipalities

    with session_factory(engine)() as session:
        coa = Actor(None, "test", "coa")
        households.upsert_batch(session, coa, {"households": [
            {"household_id": "h-big", "size": 6, "location_id": "azc-enschede", "permit_date": "2023-01-01"},
            {"household_id": "h-four", "size": 4, "location_id": "azc-enschede", "permit_date": "2023-03-01"},
            {"household_id": "h-pair", "size": 2, "location_id": "azc-enschede", "permit_date": "2023-02-01"},
            {"household_id": "c-recent", "size": 3, "location_id": "azc-enschede", "permit_date": "2023-05-01",
             "state": "coupled", "municipality": ENSCHEDE, "coupling_date": "2023-06-20"},
        ]})
        municipalities.update_quota(session, coa, HAAKSBERGEN, {"taakstelling": 0, "amv_taakstelling": 0})
        homes.create_home(session, Actor(None, "test", "municipality", ENSCHEDE),
                          HomeIn(reference="E-BIG", kind="regular", capacity=6, min_occupancy=4, available_from="2023-07-01"))
        homes.create_home(session, Actor(None, "test", "municipality", HAAKSBERGEN),
                          HomeIn(reference="K-2", kind="regular", capacity=2, available_from="2023-07-01"))


def csrf_of(html: str) -> str:
    """The CSRF secret in a page's forms."""
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html[:2000]
    return match.group(1)


def sign_in(client: TestClient, secret: str) -> str:
    """Sign ``client`` in with a token; returns the session's CSRF secret."""
    form = client.get("/ui/sign-in")
    response = client.post("/ui/sign-in", data={"token": secret, "csrf": csrf_of(form.text)}, follow_redirects=False)
    assert response.status_code == 303, response.text[:2000]
    return csrf_of(client.get(response.headers["location"]).text)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The app served by uvicorn on a free local port, in a background thread."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", loop="asyncio",
                                lifespan="on", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="live-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def recoupling_world(engine: Engine) -> None:
    """h-wmo (2 persons, needs an accessible home) coupled to Enschede, which offers no home that
    fits it; Hengelo offers an accessible one: only a re-coupling houses it."""
    with session_factory(engine)() as session:
        households.upsert_batch(session, Actor(None, "test", "coa"), {"households": [
            {"household_id": "h-wmo", "size": 2, "location_id": "azc-enschede", "permit_date": "2023-02-01",
             "needs_accessible": True, "state": "coupled", "municipality": ENSCHEDE, "coupling_date": "2023-02-15"}]})
        homes.create_home(session, Actor(None, "test", "municipality", ENSCHEDE),
                          HomeIn(reference="E-1", kind="regular", capacity=2, available_from="2023-07-01"))
        homes.create_home(session, Actor(None, "test", "municipality", HENGELO),
                          HomeIn(reference="H-WMO", kind="regular", capacity=2, accessible=True, available_from="2023-07-01"))


def exchange_world(engine: Engine) -> None:
    """h-e (2 persons) coupled to Enschede and h-h (3 persons) coupled to Hengelo: the two
    municipalities may exchange them."""
    with session_factory(engine)() as session:
        households.upsert_batch(session, Actor(None, "test", "coa"), {"households": [
            {"household_id": "h-e", "size": 2, "location_id": "azc-enschede", "permit_date": "2023-02-01",
             "state": "coupled", "municipality": ENSCHEDE, "coupling_date": "2023-02-15"},
            {"household_id": "h-h", "size": 3, "location_id": "azc-enschede", "permit_date": "2023-02-01",
             "state": "coupled", "municipality": HENGELO, "coupling_date": "2023-02-20"}]})
