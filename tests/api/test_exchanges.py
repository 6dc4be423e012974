"""Exchanges of status holders between two municipalities (issue 14 item 3): one request naming
two coupled households, approved or declined by COA for both at once; approving re-couples each
household to the other's municipality, one audit event linking both.  docs/contract.md §11;
api/services/exchanges.py.  Every test runs on SQLite and on PostgreSQL (tests/api/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from api_testing import API, decide, home, household, line_of, offer, ok, propose, quota, upsert


def events(client, auth, action: str) -> list[dict[str, Any]]:
    return ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": action}))["items"]


def swap_world(client, auth, size_e: int = 2, size_h: int = 2) -> None:
    """h-e is coupled to Enschede (GM0153), h-h to Hengelo (GM0164); h-e2 to Enschede too, h-wait waits."""
    upsert(client, auth,
           household("h-e", size_e, permit_date="2023-02-01", state="coupled", municipality="GM0153",
                     coupling_date="2023-02-10"),
           household("h-h", size_h, permit_date="2023-02-01", state="coupled", municipality="GM0164",
                     coupling_date="2023-02-20"),
           household("h-e2", 1, permit_date="2023-02-01", state="coupled", municipality="GM0153",
                     coupling_date="2023-02-10"),
           household("h-wait", 1))


ASK = {"household_a": "h-e", "household_b": "h-h", "reason": "each fits a home the other municipality has"}


def coupled(client, auth, code: str) -> int:
    return quota(client, auth.coa, code)["quota"]["coupled"]


def test_request_approve_re_couples_both_at_once_in_one_audit_event(client, auth, run_jobs):
    swap_world(client, auth)
    before = {code: quota(client, auth.coa, code)["quota"] for code in ("GM0153", "GM0164")}
    asked = ok(client.post(f"{API}/exchanges", headers=auth.enschede, json={**ASK, "reference": "ruil-1"}), 201)
    assert {k: asked[k] for k in ("household_a", "municipality_a", "household_b", "municipality_b", "status",
                                  "requested_role", "requested_by")} == \
        {"household_a": "h-e", "municipality_a": "GM0153", "household_b": "h-h", "municipality_b": "GM0164",
         "status": "pending", "requested_role": "municipality", "requested_by": "GM0153"}
    # a retry with the same reference is the same request, from either side's municipality or COA
    assert ok(client.post(f"{API}/exchanges", headers=auth.enschede, json={**ASK, "reference": "ruil-1"})) == asked
    assert ok(client.post(f"{API}/exchanges", headers=auth.coa, json={**ASK, "reference": "ruil-1"})) == asked
    request, = events(client, auth, "exchange.request")
    assert request["object_id"] == str(asked["id"]) and request["detail"]["households"] == ["h-e", "h-h"]
    # the other municipality sees it, through the list and by id
    assert ok(client.get(f"{API}/exchanges", headers=auth.hengelo))["items"] == [asked]
    assert ok(client.get(f"{API}/exchanges/{asked['id']}", headers=auth.hengelo)) == asked
    # pending: nothing moved
    assert ok(client.get(f"{API}/households/h-e", headers=auth.coa))["municipality"] == "GM0153"

    approved = ok(client.post(f"{API}/exchanges/{asked['id']}/approve", headers=auth.coa, json={"reason": "agreed"}))
    assert (approved["status"], approved["decision_reason"]) == ("approved", "agreed")
    assert ok(client.post(f"{API}/exchanges/{asked['id']}/approve", headers=auth.coa, json={"reason": "agreed"})) == approved
    e = ok(client.get(f"{API}/households/h-e", headers=auth.coa))
    h = ok(client.get(f"{API}/households/h-h", headers=auth.coa))
    assert (e["state"], e["municipality"], e["coupling_date"]) == ("coupled", "GM0164", "2023-02-10")  # the clock stays
    assert (h["state"], h["municipality"], h["coupling_date"]) == ("coupled", "GM0153", "2023-02-20")
    # two households of the same size: each municipality's quota is as it was
    assert {code: quota(client, auth.coa, code)["quota"] for code in ("GM0153", "GM0164")} == before
    move, = events(client, auth, "exchange.approve")
    assert move["object_type"] == "exchange" and move["object_id"] == str(asked["id"])
    assert {k: move["detail"][k] for k in ("households", "household_a", "municipality_a", "household_b",
                                           "municipality_b", "persons_a", "persons_b", "moves", "reason")} == \
        {"households": ["h-e", "h-h"], "household_a": "h-e", "municipality_a": "GM0153", "household_b": "h-h",
         "municipality_b": "GM0164", "persons_a": 2, "persons_b": 2, "moves": 4, "reason": "agreed"}
    late = client.post(f"{API}/exchanges/{asked['id']}/decline", headers=auth.coa, json={"reason": "no"})
    assert late.status_code == 409 and late.json()["code"] == "exchange_decided"
    # each household is now its new municipality's: Hengelo sees h-e, Enschede no longer does
    assert ok(client.get(f"{API}/households/h-e", headers=auth.hengelo))["household_id"] == "h-e"
    assert client.get(f"{API}/households/h-e", headers=auth.enschede).status_code == 404


def test_the_next_proposal_houses_each_household_in_its_new_municipality(client, auth, run_jobs):
    swap_world(client, auth, size_e=4, size_h=1)
    offer(client, auth.enschede, home("E-1", capacity=1), home("E-2", capacity=1))  # h-e2 takes one
    offer(client, auth.hengelo, home("H-4", capacity=4))
    asked = ok(client.post(f"{API}/exchanges", headers=auth.hengelo,
                           json={"household_a": "h-h", "household_b": "h-e", "reason": "home sizes"}), 201)
    assert (asked["household_a"], asked["municipality_a"], asked["requested_by"]) == ("h-h", "GM0164", "GM0164")
    stale = propose(client, auth, run_jobs, solver="auto")  # before the approval: each in its own municipality
    line = line_of(client, auth, stale["id"], "h-e")
    assert (line["action"], line["municipality"]) == ("wait", "GM0153")
    ok(client.post(f"{API}/exchanges/{asked['id']}/approve", headers=auth.coa, json={"reason": "agreed", "over_quota": True}))
    # the stale job's lines no longer stand
    changed = decide(client, auth, stale["id"], line_of(client, auth, stale["id"], "h-h")["id"], date="2023-07-05")
    assert changed.status_code == 409
    job = propose(client, auth, run_jobs, solver="auto")
    for household_id, code, references in (("h-e", "GM0164", {"H-4"}), ("h-h", "GM0153", {"E-1", "E-2"})):
        line = line_of(client, auth, job["id"], household_id)
        assert (line["action"], line["municipality"], line["moves"]) == ("house", code, 0), line
        assert line["home_reference"] in references


def test_a_swap_of_unequal_households_moves_the_difference_and_checks_the_quota(client, auth, run_jobs):
    swap_world(client, auth, size_e=4, size_h=1)
    enschede, hengelo = coupled(client, auth, "GM0153"), coupled(client, auth, "GM0164")
    remaining = quota(client, auth.coa, "GM0164")["quota"]["remaining"]
    # Hengelo gets 4 persons for 1: leave it 2 places, fewer than the 3 it gains
    ok(client.patch(f"{API}/municipalities/GM0164/quota", headers=auth.coa,
                    json={"backlog": quota(client, auth.coa, "GM0164")["quota"]["backlog"] - remaining + 2}))
    asked = ok(client.post(f"{API}/exchanges", headers=auth.coa, json=ASK), 201)
    assert (asked["requested_role"], asked["requested_by"]) == ("coa", None)
    short = client.post(f"{API}/exchanges/{asked['id']}/approve", headers=auth.coa, json={})
    assert short.status_code == 409 and short.json()["code"] == "exchange_over_quota"
    assert "Hengelo (O.) (GM0164)" in short.json()["detail"] and "3 persons" in short.json()["detail"]
    nl = client.post(f"{API}/exchanges/{asked['id']}/approve", headers=auth.coa, json={}, params={"lang": "nl"})
    assert "3 personen" in nl.json()["detail"] and "nog maar 2 plaatsen" in nl.json()["detail"]
    assert ok(client.get(f"{API}/exchanges/{asked['id']}", headers=auth.coa))["status"] == "pending"
    assert not events(client, auth, "exchange.approve")
    needs = client.post(f"{API}/exchanges/{asked['id']}/approve", headers=auth.coa, json={"over_quota": True})
    assert needs.status_code == 422 and needs.json()["detail"][0]["loc"] == ["body"]
    ok(client.post(f"{API}/exchanges/{asked['id']}/approve", headers=auth.coa,
                   json={"over_quota": True, "reason": "regional arrangement"}))
    assert (coupled(client, auth, "GM0153"), coupled(client, auth, "GM0164")) == (enschede - 3, hengelo + 3)
    assert quota(client, auth.coa, "GM0164")["quota"]["remaining"] == -1
    move, = events(client, auth, "exchange.approve")
    assert move["detail"]["over_quota"] == [{"municipality": "GM0164", "persons": 3, "remaining": 2, "amv_persons": 0,
                                             "amv_remaining": move["detail"]["over_quota"][0]["amv_remaining"],
                                             "period": "2023-II"}]


def test_a_declined_exchange_needs_a_reason_and_moves_nobody(client, auth, run_jobs):
    swap_world(client, auth)
    asked = ok(client.post(f"{API}/exchanges", headers=auth.hengelo, json=ASK), 201)
    missing = client.post(f"{API}/exchanges/{asked['id']}/decline", headers=auth.coa, json={})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "reason"]
    declined = ok(client.post(f"{API}/exchanges/{asked['id']}/decline", headers=auth.coa, json={"reason": "not agreed"}))
    assert (declined["status"], declined["decision_reason"]) == ("declined", "not agreed")
    assert ok(client.post(f"{API}/exchanges/{asked['id']}/decline", headers=auth.coa, json={"reason": "not agreed"})) == declined
    decline, = events(client, auth, "exchange.decline")
    assert decline["detail"]["households"] == ["h-e", "h-h"]
    assert client.post(f"{API}/exchanges/{asked['id']}/approve", headers=auth.coa, json={}).status_code == 409
    assert ok(client.get(f"{API}/households/h-e", headers=auth.coa))["municipality"] == "GM0153"
    assert ok(client.get(f"{API}/households/h-h", headers=auth.coa))["municipality"] == "GM0164"
    again = ok(client.post(f"{API}/exchanges", headers=auth.enschede, json=ASK), 201)  # a declined one is closed
    assert again["id"] != asked["id"]


def test_who_may_ask_see_and_decide(client, auth, run_jobs):
    swap_world(client, auth)
    assert client.post(f"{API}/exchanges", json=ASK).status_code == 401
    assert client.post(f"{API}/exchanges", headers=auth.revoked, json=ASK).status_code == 401
    # neither household is Groningen's ... nor a household that does not exist
    upsert(client, auth, household("h-other", 2, state="coupled", municipality="GM0014", coupling_date="2023-03-01"))
    assert client.post(f"{API}/exchanges", headers=auth.coa, json={**ASK, "household_b": "nobody"}).status_code == 404
    assert client.post(f"{API}/exchanges", headers=auth.hengelo,
                       json={**ASK, "household_a": "h-other", "household_b": "h-e"}).status_code == 404
    asked = ok(client.post(f"{API}/exchanges", headers=auth.enschede, json=ASK), 201)
    for who in (auth.enschede, auth.hengelo):
        assert client.post(f"{API}/exchanges/{asked['id']}/approve", headers=who, json={}).status_code == 403
        assert client.post(f"{API}/exchanges/{asked['id']}/decline", headers=who, json={"reason": "x"}).status_code == 403
    assert client.get(f"{API}/exchanges/9999", headers=auth.coa).status_code == 404
    assert client.post(f"{API}/exchanges/9999/approve", headers=auth.coa, json={}).status_code == 404
    assert ok(client.get(f"{API}/exchanges", headers=auth.coa, params={"household_id": "h-h"}))["total"] == 1
    assert ok(client.get(f"{API}/exchanges", headers=auth.enschede, params={"status": "pending"}))["total"] == 1
    assert ok(client.get(f"{API}/exchanges", headers=auth.enschede, params={"status": "approved"}))["total"] == 0
    # a third municipality sees nothing of it
    other = client.post(f"{API}/exchanges", headers=auth.coa, json={**ASK, "household_b": "h-other"})
    assert other.status_code == 409 and other.json()["code"] == "exchange_open"


def test_what_cannot_be_exchanged(client, auth, run_jobs):
    swap_world(client, auth)

    def refused(who, body, status, where=None, code=None):
        response = client.post(f"{API}/exchanges", headers=who, json={**ASK, **body})
        assert response.status_code == status, response.text
        if where:
            assert response.json()["detail"][0]["loc"] == ["body", where], response.json()
        if code:
            found = response.json()["detail"][0]["code"] if status == 422 else response.json()["code"]
            assert found == code, response.json()
        return response

    refused(auth.enschede, {"household_b": "h-e"}, 422, "household_b", "exchange_self")
    refused(auth.enschede, {"household_b": "h-e2"}, 422, "household_b", "exchange_same_municipality")
    refused(auth.coa, {"household_b": "h-e2"}, 422, "household_b", "exchange_same_municipality")
    refused(auth.coa, {"household_b": "h-wait"}, 409, code="recoupling_not_coupled")
    # Enschede does not learn what another household is: not coupled, or unknown, reads the same
    waiting = refused(auth.enschede, {"household_b": "h-wait"}, 422, "household_b", "exchange_partner").json()
    unknown = refused(auth.enschede, {"household_b": "nobody"}, 422, "household_b", "exchange_partner").json()
    assert waiting["detail"][0]["msg"].replace("h-wait", "nobody") == unknown["detail"][0]["msg"]
    refused(auth.enschede, {"household_a": "h-h", "household_b": "h-wait"}, 404)  # neither is Enschede's
    refused(auth.enschede, {"reason": ""}, 422, "reason")
    refused(auth.enschede, {"reason": "x" * 501}, 422, "reason")
    refused(auth.enschede, {"household_b": "has space"}, 422, "household_b")
    refused(auth.enschede, {"reference": "x" * 65}, 422, "reference")
    refused(auth.enschede, {"colour": "red"}, 422, "colour")
    # housed or moving in: not coupled any more
    upsert(client, auth, household("h-housed", 1, permit_date="2023-01-01", state="housed", municipality="GM0164", coupling_date="2023-02-01",
                                   housed_date="2023-03-01"))
    refused(auth.coa, {"household_b": "h-housed"}, 409, code="recoupling_not_coupled")
    refused(auth.enschede, {"household_b": "h-housed"}, 422, "household_b", "exchange_partner")
    # an open re-coupling request, or another pending exchange, holds the household
    single = ok(client.post(f"{API}/recouplings", headers=auth.hengelo,
                            json={"household_id": "h-h", "reason": "WMO home elsewhere"}), 201)
    refused(auth.enschede, {}, 409, code="recoupling_open")
    ok(client.post(f"{API}/recouplings/{single['id']}/decline", headers=auth.coa, json={"reason": "no"}))
    asked = ok(client.post(f"{API}/exchanges", headers=auth.enschede, json=ASK), 201)
    refused(auth.coa, {"household_a": "h-e2"}, 409, code="exchange_open")
    both = client.post(f"{API}/recouplings", headers=auth.hengelo, json={"household_id": "h-h", "reason": "x"})
    assert both.status_code == 409 and both.json()["code"] == "recoupling_in_exchange"
    # the same reference for other households is another request
    ok(client.post(f"{API}/exchanges/{asked['id']}/decline", headers=auth.coa, json={"reason": "no"}))
    ok(client.post(f"{API}/exchanges", headers=auth.enschede, json={**ASK, "reference": "r-1"}), 201)
    changed = client.post(f"{API}/exchanges", headers=auth.enschede, json={**ASK, "reference": "r-1", "reason": "other"})
    assert changed.status_code == 409 and changed.json()["code"] == "exchange_reference"
    assert len(events(client, auth, "exchange.request")) == 2


def test_an_exchange_whose_household_changed_cannot_be_approved(client, auth, run_jobs):
    swap_world(client, auth)
    asked = ok(client.post(f"{API}/exchanges", headers=auth.enschede, json=ASK), 201)
    upsert(client, auth, household("h-h", 2, permit_date="2023-02-01", state="housed", municipality="GM0164",
                                   coupling_date="2023-02-20", housed_date="2023-03-01"))
    stale = client.post(f"{API}/exchanges/{asked['id']}/approve", headers=auth.coa, json={})
    assert stale.status_code == 409 and stale.json()["code"] == "exchange_changed" and "h-h" in stale.json()["detail"]
    assert ok(client.get(f"{API}/households/h-e", headers=auth.coa))["municipality"] == "GM0153"  # neither moved
    assert ok(client.post(f"{API}/exchanges/{asked['id']}/decline", headers=auth.coa,
                          json={"reason": "h-h was housed meanwhile"}))["status"] == "declined"


def test_approving_ends_the_households_locks(client, auth, run_jobs):
    swap_world(client, auth)
    offer(client, auth.enschede, home("E-1", capacity=2))
    job = propose(client, auth, run_jobs, solver="greedy")
    line = line_of(client, auth, job["id"], "h-e")
    assert line["action"] == "house"
    lock = ok(client.post(f"{API}/proposals/{job['id']}/lines/{line['id']}/lock", headers=auth.coa, json={}), 201)
    asked = ok(client.post(f"{API}/exchanges", headers=auth.enschede, json=ASK), 201)
    ok(client.post(f"{API}/exchanges/{asked['id']}/approve", headers=auth.coa, json={}))
    ended = ok(client.get(f"{API}/locks/{lock['id']}", headers=auth.coa))
    assert ended["end_reason"] == "changed"
    stale = decide(client, auth, job["id"], line["id"], date="2023-07-05")
    assert stale.status_code == 409 and stale.json()["code"] == "household_changed"


@pytest.mark.parametrize("retry", [False, True], ids=["another", "a-retry"])
def test_two_requests_at_once_cannot_both_take_one_household(client, auth, service, database, retry):
    """A request holds both households' rows while it checks that neither is in an open request:
    one made meanwhile (here: held open in another transaction) is seen once it commits, and the
    second is a 409, or, when it is the same request again (the same reference), answers that one.
    PostgreSQL only: SQLite runs every write transaction alone."""
    if database != "postgres":
        pytest.skip("SQLite runs every write transaction alone; the row hold is PostgreSQL's")
    import threading
    import time

    from sqlalchemy import select, text

    from api.models import Exchange, Household

    swap_world(client, auth)
    upsert(client, auth, household("h-g", 2, state="coupled", municipality="GM0014", coupling_date="2023-03-01"))
    body = {**ASK, "reference": "ruil-at-once"} if retry else ASK
    answers: list[Any] = []
    thread = threading.Thread(target=lambda: answers.append(client.post(f"{API}/exchanges", headers=auth.enschede,
                                                                        json=body)))
    with service.sessions() as holder:  # another request for h-e, between its check and its commit
        holder.execute(select(Household).where(Household.household_id == "h-e").with_for_update())
        first = Exchange(household_a="h-e", municipality_a="GM0153", reason=body["reason"], status="pending",
                         requested_role="municipality", requested_by="GM0153", reference=body.get("reference"),
                         **({"household_b": "h-h", "municipality_b": "GM0164"} if retry else
                            {"household_b": "h-g", "municipality_b": "GM0014"}))
        holder.add(first)
        holder.flush()
        first_id = first.id
        pid = holder.scalar(text("SELECT pg_backend_pid()"))
        thread.start()
        deadline = time.monotonic() + 20
        with service.engine.connect() as probe:
            while not probe.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
                                   {"pid": pid}):
                probe.rollback()
                assert not answers, f"the request did not wait for the household's row: {answers[0].text}"
                assert time.monotonic() < deadline, "the request neither waited nor finished"
                time.sleep(0.05)
        holder.commit()
    thread.join(30)
    (answer,) = answers
    if retry:
        assert answer.status_code == 200 and answer.json()["id"] == first_id, answer.text
    else:
        assert answer.status_code == 409 and answer.json()["code"] == "exchange_open", answer.text
    assert ok(client.get(f"{API}/exchanges", headers=auth.coa, params={"household_id": "h-e"}))["total"] == 1


def test_an_unaccompanied_minor_needs_the_amv_quota_of_the_municipality_it_goes_to(client, auth, run_jobs):
    """h-amv (1, AMV) of Hengelo for h-e1 (1) of Enschede: the persons even out, but Enschede gains
    an AMV person, which its AMV quota left (set to 0 here) must hold."""
    upsert(client, auth,
           household("h-e1", 1, permit_date="2023-02-01", state="coupled", municipality="GM0153", coupling_date="2023-02-10"),
           household("h-amv", 1, permit_date="2023-02-01", amv=True, state="coupled", municipality="GM0164",
                     coupling_date="2023-02-10"))
    amv, persons = quota(client, auth.coa, "GM0153")["amv"], quota(client, auth.coa, "GM0153")["quota"]["coupled"]
    ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa,
                    json={"amv_backlog": amv["backlog"] - amv["remaining"]}))
    asked = ok(client.post(f"{API}/exchanges", headers=auth.coa,
                           json={"household_a": "h-e1", "household_b": "h-amv", "reason": "a Nidos unit elsewhere"}), 201)
    short = client.post(f"{API}/exchanges/{asked['id']}/approve", headers=auth.coa, json={})
    assert short.status_code == 409 and short.json()["code"] == "exchange_over_quota"
    assert "AMV" in short.json()["detail"] and "h-amv" in short.json()["detail"]
    ok(client.post(f"{API}/exchanges/{asked['id']}/approve", headers=auth.coa,
                   json={"over_quota": True, "reason": "Nidos agreed"}))
    assert quota(client, auth.coa, "GM0153")["amv"]["remaining"] == -1
    assert quota(client, auth.coa, "GM0153")["quota"]["coupled"] == persons  # one person for one
