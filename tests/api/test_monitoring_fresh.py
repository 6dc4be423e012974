"""Monitoring figures are kept between requests while the data does not change
(:mod:`api.services.changes`): after every kind of write below each figure, for COA and for a
municipality, must be what a fresh computation gives, and the writes that change a figure must
show in the very next request (also one made on another connection, as another worker process
would).  Each test runs on SQLite and on PostgreSQL; the history is :mod:`test_monitoring`'s."""

from __future__ import annotations

from api_testing import API, household, ok, upsert
from sqlalchemy import text
from test_monitoring import history  # noqa: F401 - a fixture

from api.services import monitoring

QUERIES = [("lead-times", {}), ("lead-times", {"by": "municipality"}), ("realisation", {"as_of": "2023-12-31"}),
           ("regional", {}), ("regional", {"by": "location"}), ("predicted", {})]


def figures(client, headers) -> list:
    return [ok(client.get(f"{API}/monitoring/{name}", headers=headers, params=params)) for name, params in QUERIES]


def test_every_write_is_seen_by_the_next_request(client, history, service):  # noqa: F811
    auth = history

    def raw_sql():
        from api.db import make_engine

        other = make_engine(service.settings)
        try:
            with other.begin() as connection:
                connection.execute(text("UPDATE households SET housed_date = '2023-07-20' WHERE household_id = 'm1'"))
        finally:
            other.dispose()

    changes = [
        ("a move-in uploaded", lambda: upsert(client, auth, household(
            "m7", 2, permit_date="2023-06-01", state="housed", municipality="GM0153", coupling_date="2023-07-01",
            housed_date="2023-08-15"))),
        ("a coupling uploaded", lambda: upsert(client, auth, household(
            "m8", 3, location_id="azc-amsterdam", permit_date="2023-06-01", state="coupled", municipality="GM0164",
            coupling_date="2023-08-01"))),
        ("redistribution", lambda: ok(client.post(f"{API}/redistributions", headers=auth.coa, json={
            "reference": "r2", "from_municipality": "GM0164", "to_municipality": "GM0153", "persons": 3,
            "amv_persons": 0, "reason": "terug"}), 201)),
        ("quota patched", lambda: ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa,
                                                  json={"backlog": 4}))),
        ("raw SQL on another connection", raw_sql),
    ]
    for what, write in changes:
        before = {}
        for who, headers in (("coa", auth.coa), ("enschede", auth.enschede)):
            before[who] = figures(client, headers)
            hits = monitoring.FIGURES.hits
            assert figures(client, headers) == before[who]
            assert monitoring.FIGURES.hits >= hits + len(QUERIES), "the second requests were not served from the kept figures"
        write()
        for who, headers in (("coa", auth.coa), ("enschede", auth.enschede)):
            after = figures(client, headers)
            monitoring.FIGURES.clear()
            assert after == figures(client, headers), f"{what}: {who}"
        assert figures(client, auth.coa) != before["coa"], f"{what}: expected COA's figures to change"


def test_the_tables_a_figure_is_kept_by_are_every_table_it_reads():
    """A figure is kept across writes to tables not in :data:`api.services.monitoring.TABLES`: the
    module must read no other (each model it imports is in the list), or a write would go unseen."""
    import ast
    import inspect

    from api import models

    tree = ast.parse(inspect.getsource(monitoring))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == "api.models"
                for alias in node.names}
    read = {getattr(models, name).__tablename__ for name in imported}
    read.add("periods")  # current_period (api.services.municipalities)
    assert read <= set(monitoring.TABLES), read - set(monitoring.TABLES)
