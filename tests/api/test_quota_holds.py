"""Every write that changes a municipality's quota left waits for a transaction holding the
municipality's row, as an accept does between checking the quota and committing: an upload of
couplings or housings, a quota change, a redistribution, opening a period (which carries the
backlogs over).  Otherwise one could slip in between an
accept's check and its commit and the accept would overrun the quota it just checked.

PostgreSQL only: SQLite runs every write transaction alone, so nothing can slip in there."""

from __future__ import annotations

import threading
import time

import pytest
from api_testing import API, household, ok, quota, upsert


def _upload_coupling(client, auth) -> None:
    upsert(client, auth, household("h-x", 3, state="coupled", municipality="GM0153", coupling_date="2023-07-01"))


def _lower_quota(client, auth) -> None:
    ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa, json={"taakstelling": 30}))


def _redistribute(client, auth) -> None:
    ok(client.post(f"{API}/redistributions", headers=auth.coa, json={
        "reference": "r-1", "from_municipality": "GM0153", "to_municipality": "GM0164", "persons": 5,
        "amv_persons": 0, "reason": "regional arrangement"}), 201)


def _open_period(client, auth) -> None:
    ok(client.post(f"{API}/periods", headers=auth.coa, json={"name": "2024-I", "starts_on": "2024-01-01",
                                                             "ends_on": "2024-06-30"}), 201)


WRITES = {"upload": _upload_coupling, "quota": _lower_quota, "redistribution": _redistribute, "period": _open_period}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_quota_change_waits_for_the_municipality_row(client, auth, service, database, write):
    """With Enschede's row held (as an accept holds it), the write blocks on exactly that
    transaction and finishes, with its effect, once the row is released."""
    if database != "postgres":
        pytest.skip("SQLite runs every write transaction alone; the row hold is PostgreSQL's")
    from sqlalchemy import select, text

    from api.models import Municipality

    before = quota(client, auth.coa, "GM0153")["quota"]
    finished = threading.Event()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            WRITES[write](client, auth)
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            failures.append(exc)
        finally:
            finished.set()

    thread = threading.Thread(target=run)
    with service.sessions() as holder:
        holder.execute(select(Municipality.code).where(Municipality.code == "GM0153").with_for_update(key_share=True))
        pid = holder.scalar(text("SELECT pg_backend_pid()"))
        thread.start()
        deadline = time.monotonic() + 20
        with service.engine.connect() as probe:
            while True:  # pg_stat_activity is read once per transaction: one transaction per look
                waiting = probe.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
                                       {"pid": pid})
                probe.rollback()
                if waiting:
                    break
                assert not finished.is_set(), f"the {write} did not wait for the municipality's row: {failures}"
                assert time.monotonic() < deadline, f"the {write} neither waited nor finished"
                time.sleep(0.05)
        time.sleep(0.2)
        assert not finished.is_set()
        holder.rollback()
    thread.join(30)
    assert finished.is_set() and not failures, failures
    after = quota(client, auth.coa, "GM0153")["quota"]
    if write == "period":  # the new period: the same taakstelling, nothing owed carried (nothing realised)
        assert ok(client.get(f"{API}/municipalities/GM0153", headers=auth.coa))["period"] == "2024-I"
        assert after["remaining"] == before["taakstelling"] + before["remaining"], (before, after)
    else:
        assert after["remaining"] < before["remaining"], (before, after)
