"""Re-coupling requests (issue 14 item 3): a municipality or COA asks to re-couple a coupled
household, COA approves or declines with a reason, and the next proposal job may then house that
household in another municipality (the engine's ``may_recouple``); accepting the line is the
re-coupling, a move, audit-logged.  docs/contract.md §11; api/services/recouplings.py."""

from __future__ import annotations

from typing import Any

import pytest
from api_testing import API, decide, home, household, line_of, offer, ok, propose, upsert


def events(client, auth, action: str) -> list[dict[str, Any]]:
    return ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": action}))["items"]


def wmo_world(client, auth) -> None:
    """h-wmo (2 persons, needs an accessible home) is coupled to Enschede, which offers no home
    that fits it; Hengelo (within reach of azc Enschede) offers an accessible one."""
    upsert(client, auth, household("h-wmo", 2, permit_date="2023-02-01", needs_accessible=True, state="coupled",
                                   municipality="GM0153", coupling_date="2023-02-15"))
    offer(client, auth.enschede, home("E-1", capacity=2))
    offer(client, auth.hengelo, home("H-WMO", capacity=2, accessible=True))


ASK = {"household_id": "h-wmo", "reason": "needs a WMO-adapted home", "to_municipality": "GM0164"}


def test_without_an_approval_the_household_waits_in_its_own_municipality(client, auth, run_jobs):
    wmo_world(client, auth)
    job = propose(client, auth, run_jobs, solver="auto")
    line = line_of(client, auth, job["id"], "h-wmo")
    assert (line["action"], line["municipality"], line["moves"]) == ("wait", "GM0153", 0)


def test_request_approve_propose_accept_is_one_audited_move(client, auth, run_jobs):
    wmo_world(client, auth)
    asked = ok(client.post(f"{API}/recouplings", headers=auth.enschede, json={**ASK, "reference": "rc-1"}), 201)
    assert (asked["status"], asked["from_municipality"], asked["to_municipality"], asked["requested_role"]) == \
        ("pending", "GM0153", "GM0164", "municipality")
    assert ok(client.post(f"{API}/recouplings", headers=auth.enschede, json={**ASK, "reference": "rc-1"})) == asked
    request, = events(client, auth, "recoupling.request")
    assert request["object_id"] == str(asked["id"]) and request["detail"]["reason"] == ASK["reason"]
    # a pending request changes nothing for the engine
    pending = propose(client, auth, run_jobs, solver="auto")
    assert line_of(client, auth, pending["id"], "h-wmo")["action"] == "wait"

    approved = ok(client.post(f"{API}/recouplings/{asked['id']}/approve", headers=auth.coa, json={"reason": "agreed"}))
    assert (approved["status"], approved["decision_reason"]) == ("approved", "agreed")
    assert ok(client.post(f"{API}/recouplings/{asked['id']}/approve", headers=auth.coa, json={"reason": "agreed"})) == approved
    assert len(events(client, auth, "recoupling.approve")) == 1
    late = client.post(f"{API}/recouplings/{asked['id']}/decline", headers=auth.coa, json={"reason": "no"})
    assert late.status_code == 409 and late.json()["code"] == "recoupling_decided"

    job = propose(client, auth, run_jobs, solver="auto")  # the exact engine gets the permission
    line = line_of(client, auth, job["id"], "h-wmo")
    assert (line["action"], line["municipality"], line["home_reference"], line["moves"]) == ("house", "GM0164", "H-WMO", 2)
    assert "omgekoppeld van Enschede (GM0153)" in line["reason"]
    ok(decide(client, auth, job["id"], line["id"], date="2023-07-05"))
    h = ok(client.get(f"{API}/households/h-wmo", headers=auth.coa))
    assert (h["state"], h["municipality"], h["coupling_date"]) == ("moving_in", "GM0164", "2023-02-15")  # the clock stays
    done = ok(client.get(f"{API}/recouplings/{asked['id']}", headers=auth.hengelo))  # Hengelo is the one asked for
    assert (done["status"], done["done_line_id"]) == ("done", line["id"])
    move, = events(client, auth, "household.recouple")
    assert move["object_id"] == "h-wmo" and {k: move["detail"][k] for k in ("from_municipality", "to_municipality",
                                                                            "moves", "recoupling", "line")} == \
        {"from_municipality": "GM0153", "to_municipality": "GM0164", "moves": 2, "recoupling": asked["id"],
         "line": line["id"]}
    accept, = events(client, auth, "line.accept")
    assert accept["detail"]["recoupled_from"] == "GM0153"
    # done: nothing more to decide, and the household is no longer Enschede's to ask for
    assert client.post(f"{API}/recouplings/{asked['id']}/approve", headers=auth.coa, json={}).status_code == 409
    assert client.post(f"{API}/recouplings", headers=auth.enschede, json=ASK).status_code == 404


def test_greedy_honours_the_approval_too(client, auth, run_jobs):
    wmo_world(client, auth)
    asked = ok(client.post(f"{API}/recouplings", headers=auth.coa, json=ASK), 201)
    assert asked["requested_role"] == "coa"
    ok(client.post(f"{API}/recouplings/{asked['id']}/approve", headers=auth.coa, json={}))
    job = propose(client, auth, run_jobs, solver="greedy")
    assert line_of(client, auth, job["id"], "h-wmo")["municipality"] == "GM0164"


def test_a_declined_request_needs_a_reason_and_moves_nobody(client, auth, run_jobs):
    wmo_world(client, auth)
    asked = ok(client.post(f"{API}/recouplings", headers=auth.enschede, json=ASK), 201)
    missing = client.post(f"{API}/recouplings/{asked['id']}/decline", headers=auth.coa, json={})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "reason"]
    declined = ok(client.post(f"{API}/recouplings/{asked['id']}/decline", headers=auth.coa,
                              json={"reason": "an adapted home is coming in Enschede"}))
    assert (declined["status"], declined["decision_reason"]) == ("declined", "an adapted home is coming in Enschede")
    assert ok(client.post(f"{API}/recouplings/{asked['id']}/decline", headers=auth.coa,
                          json={"reason": "an adapted home is coming in Enschede"})) == declined
    assert len(events(client, auth, "recoupling.decline")) == 1
    assert client.post(f"{API}/recouplings/{asked['id']}/approve", headers=auth.coa, json={}).status_code == 409
    job = propose(client, auth, run_jobs, solver="auto")
    assert line_of(client, auth, job["id"], "h-wmo")["action"] == "wait"
    again = ok(client.post(f"{API}/recouplings", headers=auth.enschede, json=ASK), 201)  # a declined one is closed
    assert again["id"] != asked["id"]


def test_who_may_ask_see_and_decide(client, auth, run_jobs):
    wmo_world(client, auth)
    upsert(client, auth, household("h-waiting", 1))
    assert client.post(f"{API}/recouplings", json=ASK).status_code == 401
    assert client.post(f"{API}/recouplings", headers=auth.revoked, json=ASK).status_code == 401
    assert client.post(f"{API}/recouplings", headers=auth.hengelo, json=ASK).status_code == 404  # not its household
    waiting = client.post(f"{API}/recouplings", headers=auth.coa, json={**ASK, "household_id": "h-waiting"})
    assert waiting.status_code == 409 and waiting.json()["code"] == "recoupling_not_coupled"
    own = client.post(f"{API}/recouplings", headers=auth.enschede, json={**ASK, "to_municipality": "GM0153"})
    assert own.status_code == 422 and own.json()["detail"][0]["loc"] == ["body", "to_municipality"]
    unknown = client.post(f"{API}/recouplings", headers=auth.enschede, json={**ASK, "to_municipality": "GM9999"})
    assert unknown.status_code == 422
    exchange = client.post(f"{API}/recouplings", headers=auth.enschede, json={**ASK, "exchange_with": "h-waiting"})
    assert exchange.status_code == 422 and exchange.json()["detail"][0]["code"] == "recoupling_exchange"
    asked = ok(client.post(f"{API}/recouplings", headers=auth.enschede,
                           json={"household_id": "h-wmo", "reason": "exchange of status holders"}), 201)
    twice = client.post(f"{API}/recouplings", headers=auth.coa, json=ASK)
    assert twice.status_code == 409 and twice.json()["code"] == "recoupling_open"
    other = client.post(f"{API}/recouplings", headers=auth.enschede, json={**ASK, "reference": "x"})
    assert other.status_code == 409 and other.json()["code"] == "recoupling_open"
    for who in (auth.enschede, auth.hengelo):
        assert client.post(f"{API}/recouplings/{asked['id']}/approve", headers=who, json={}).status_code == 403
    assert client.get(f"{API}/recouplings/{asked['id']}", headers=auth.hengelo).status_code == 404  # no target: not Hengelo's
    assert ok(client.get(f"{API}/recouplings", headers=auth.hengelo))["total"] == 0
    assert ok(client.get(f"{API}/recouplings", headers=auth.enschede, params={"status": "pending"}))["total"] == 1
    assert ok(client.get(f"{API}/recouplings", headers=auth.coa, params={"household_id": "h-wmo"}))["total"] == 1
    assert client.get(f"{API}/recouplings/9999", headers=auth.coa).status_code == 404


def test_a_reference_names_one_request(client, auth, run_jobs):
    wmo_world(client, auth)
    asked = ok(client.post(f"{API}/recouplings", headers=auth.enschede, json={**ASK, "reference": "rc-2"}), 201)
    changed = client.post(f"{API}/recouplings", headers=auth.enschede, json={**ASK, "reference": "rc-2", "reason": "other"})
    assert changed.status_code == 409 and changed.json()["code"] == "recoupling_reference"
    assert ok(client.post(f"{API}/recouplings", headers=auth.coa, json={**ASK, "reference": "rc-2"}))["id"] == asked["id"]
    assert len(events(client, auth, "recoupling.request")) == 1


def test_the_municipality_asked_for_binds_the_approved_re_coupling(client, auth, run_jobs, service):
    """The request names Almelo: once approved the engine houses h-wmo in Almelo's adapted home,
    not in Hengelo's nearer one (recouple_to); a request naming no municipality goes to the nearest."""
    from api.schemas import HomeIn
    from api.services import homes
    from api.services.errors import Actor

    wmo_world(client, auth)
    with service.sessions() as session:
        homes.create_home(session, Actor(None, "test", "municipality", "GM0141"),
                          HomeIn(reference="A-WMO", kind="regular", capacity=2, accessible=True, available_from="2023-07-01"))
    asked = ok(client.post(f"{API}/recouplings", headers=auth.enschede, json={**ASK, "to_municipality": "GM0141"}), 201)
    ok(client.post(f"{API}/recouplings/{asked['id']}/approve", headers=auth.coa, json={}))
    for solver in ("auto", "greedy"):
        job = propose(client, auth, run_jobs, solver=solver)
        line = line_of(client, auth, job["id"], "h-wmo")
        assert (line["action"], line["municipality"], line["home_reference"]) == ("house", "GM0141", "A-WMO"), (solver, line)
    free = ok(client.post(f"{API}/recouplings/{asked['id']}/decline", headers=auth.coa, json={"reason": "x"}), 409)
    assert free["code"] == "recoupling_decided"


def test_a_retry_at_the_same_moment_answers_the_request_made_meanwhile(client, auth, run_jobs, service, database):
    """The same request (the same reference) sent twice at once makes one: the second waits for the
    household's row, then reads the reference again.  PostgreSQL only (SQLite writes one at a time)."""
    import threading
    import time

    from sqlalchemy import select, text

    from api.models import Household, Recoupling

    if database != "postgres":
        pytest.skip("SQLite runs every write transaction alone; the row hold is PostgreSQL's")
    wmo_world(client, auth)
    body = {**ASK, "reference": "rc-at-once"}
    answers: list[Any] = []
    thread = threading.Thread(target=lambda: answers.append(client.post(f"{API}/recouplings", headers=auth.enschede,
                                                                        json=body)))
    with service.sessions() as holder:
        holder.execute(select(Household).where(Household.household_id == "h-wmo").with_for_update())
        first = Recoupling(reference="rc-at-once", household_id="h-wmo", from_municipality="GM0153",
                           to_municipality="GM0164", reason=ASK["reason"], status="pending", requested_role="municipality")
        holder.add(first)
        holder.flush()
        first_id, pid = first.id, holder.scalar(text("SELECT pg_backend_pid()"))
        thread.start()
        deadline = time.monotonic() + 20
        with service.engine.connect() as probe:
            while not probe.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
                                   {"pid": pid}):
                probe.rollback()
                assert not answers, answers[0].text
                assert time.monotonic() < deadline
                time.sleep(0.05)
        holder.commit()
    thread.join(30)
    (answer,) = answers
    assert answer.status_code == 200 and answer.json()["id"] == first_id, answer.text
