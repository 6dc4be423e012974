"""`matcher serve --workers 2`: each process keeps its own signals (:mod:`api.services.changes`),
and a write made through one process shows in the very next answer of the other.

Each request goes over a new connection, so the kernel hands it to either process: both have
kept the large home's signal before the write; after it, no answer of either may still list it."""

from __future__ import annotations

import http.client
import json

from api_testing import home, household
from test_serve_workers import Serve

from api.config import Settings
from api.db import make_engine, session_factory
from api.services import tokens
from api.services.bootstrap import prepare

AS_OF = "2023-07-05"


def call(server: Serve, method: str, path: str, secret: str, body: object = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
    headers = {"Authorization": f"Bearer {secret}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = connection.getresponse()
    answer = json.loads(response.read() or b"null")
    connection.close()
    return response.status, answer


def test_a_write_through_one_process_shows_in_the_other(tmp_path):
    import os

    url = f"sqlite:///{tmp_path / 'matcher.db'}"
    engine = make_engine(Settings(database_url=url))
    prepare(engine)
    with session_factory(engine)() as session:
        coa = tokens.create_token(session, "coa", label="COA").secret
        enschede = tokens.create_token(session, "municipality", "GM0153", label="Enschede").secret
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "MATCHER_"))}
    env.update(DATABASE_URL=url, MATCHER_WORKER="0")
    server = Serve(tmp_path, env, workers=2)
    try:
        status, _ = call(server, "POST", "/api/v1/households/batch", coa, {"households": [
            household("f6", 6, permit_date="2023-01-01"), household("f4", 4, permit_date="2023-03-01")]})
        assert status == 200
        status, made = call(server, "POST", "/api/v1/homes", enschede, home("E-BIG", capacity=6, min_occupancy=4))
        assert status == 201, made
        feed = f"/api/v1/signals?as_of={AS_OF}&kind=large_home"

        def ids() -> list[str]:
            status, answer = call(server, "GET", feed, coa)
            assert status == 200, answer
            return [item["id"] for item in answer["items"]]

        assert all(ids() == [f"large-home-{made['id']}"] for _ in range(12))  # both processes keep it
        status, _ = call(server, "PATCH", f"/api/v1/homes/{made['id']}", enschede, {"capacity": 4})
        assert status == 200
        assert [ids() for _ in range(12)] == [[]] * 12
    finally:
        server.stop()
