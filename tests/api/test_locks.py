"""Locks: COA locks a pending line; later proposals place the household exactly there; a lock
is idempotent, one per household, and ends when removed, accepted, refused (its place banned),
when the household changes, or when its home is withdrawn or given to another household; locks that
cannot all hold fail the job with the engine's message.  Access rules and malformed input of
the routes are in ``test_routes.py``."""

from __future__ import annotations

import pytest
from api_testing import (
    API,
    decide,
    enschede_world,
    home,
    household,
    line_of,
    offer,
    ok,
    propose,
    upsert,
)
from sqlalchemy import select

from api.models import AuditEvent


def lock(client, auth, line: dict, **body):
    return client.post(f"{API}/proposals/{line['job_id']}/lines/{line['id']}/lock", headers=auth.coa,
                       json=body or None)


def get_lock(client, auth, lock_id: int) -> dict:
    return ok(client.get(f"{API}/locks/{lock_id}", headers=auth.coa))


def events(service, action: str) -> list[dict]:
    with service.sessions() as session:
        return [e.detail for e in session.scalars(select(AuditEvent).where(AuditEvent.action == action))]


@pytest.mark.parametrize("solver", ["greedy", "auto"])
def test_a_locked_house_line_is_what_the_next_proposal_gives(solver, client, auth, run_jobs):
    """h-a is housed in E-1 and locked there; h-b, far more overdue, arrives: the next proposal
    still houses h-a in E-1 (reason: locked).  Without the lock h-b gets E-1."""
    upsert(client, auth, household("h-a", 2, permit_date="2023-03-01"))
    (e1,) = offer(client, auth.enschede, home("E-1", capacity=2))
    first = propose(client, auth, run_jobs, solver=solver)
    line = line_of(client, auth, first["id"], "h-a")
    assert (line["action"], line["home_id"]) == ("house", e1["id"])
    made = lock(client, auth, line, note="school nearby")
    assert made.status_code == 201, made.text
    body = made.json()
    assert made.headers["location"] == f"{API}/locks/{body['id']}"
    assert {k: body[k] for k in ("household_id", "municipality", "home_id", "job_id", "line_id", "note", "active",
                                 "end_reason", "created_by")} == {
        "household_id": "h-a", "municipality": "GM0153", "home_id": e1["id"], "job_id": first["id"],
        "line_id": line["id"], "note": "school nearby", "active": True, "end_reason": None, "created_by": auth.coa_id}

    upsert(client, auth, household("h-b", 2, permit_date="2022-06-01"))
    second = propose(client, auth, run_jobs, solver=solver)
    assert second["status"] == "done", second
    assert second["summary"]["locks"] == {"applied": 1, "skipped": []}
    locked = line_of(client, auth, second["id"], "h-a")
    assert (locked["action"], locked["municipality"], locked["home_id"]) == ("house", "GM0153", e1["id"])
    assert locked["reason_kind"] == "locked" and "vastgezet" in locked["reason"]  # Dutch, the default
    assert line_of(client, auth, second["id"], "h-b")["home_id"] != e1["id"]
    # Locking the new line, which proposes the same place, is the same lock.
    again = lock(client, auth, locked)
    assert again.status_code == 200 and again.json() == body

    removed = ok(client.delete(f"{API}/locks/{body['id']}", headers=auth.coa))
    assert removed["active"] is False and removed["end_reason"] == "removed" and removed["ended_by"] == auth.coa_id
    third = propose(client, auth, run_jobs, solver=solver)
    assert third["summary"]["locks"] == {"applied": 0, "skipped": []}
    assert line_of(client, auth, third["id"], "h-b")["home_id"] == e1["id"]


def test_a_couple_line_locks_the_municipality_only(client, auth, run_jobs):
    """The family's couple line: a lock on Enschede, no home; the next proposal places it in Enschede."""
    world = enschede_world(client, auth, run_jobs)
    body = ok(lock(client, auth, world["family"]), 201)
    assert (body["municipality"], body["home_id"]) == ("GM0153", None)
    job = propose(client, auth, run_jobs)
    line = line_of(client, auth, job["id"], "h-family")
    assert line["action"] in ("couple", "house") and line["municipality"] == "GM0153"
    assert job["summary"]["locks"]["applied"] == 1


def test_locking_twice_is_one_lock_and_one_audit_event(client, auth, run_jobs, service):
    """The same line twice: 201 then 200 with the same body; one lock.create event; one active lock listed."""
    world = enschede_world(client, auth, run_jobs)
    first = lock(client, auth, world["single"], note="first")
    second = lock(client, auth, world["single"], note="second")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json() and second.json()["note"] == "first"
    assert len(events(service, "lock.create")) == 1
    listed = ok(client.get(f"{API}/locks", headers=auth.coa))
    assert listed["total"] == 1 and listed["items"][0] == first.json()
    assert ok(client.get(f"{API}/locks", headers=auth.coa, params={"household_id": "h-family"}))["total"] == 0


def test_a_household_locked_elsewhere_is_a_409_until_that_lock_is_removed(client, auth, run_jobs):
    """Family locked to Enschede (couple line); a later line houses it in E-2: locking that one
    is a 409 naming the lock; after removing it, the new lock is made (a new id; the old one stays, ended)."""
    world = enschede_world(client, auth, run_jobs)
    couple = ok(lock(client, auth, world["family"]), 201)
    offer(client, auth.enschede, home("E-2", capacity=4))
    job = propose(client, auth, run_jobs)
    house = line_of(client, auth, job["id"], "h-family")
    assert house["action"] == "house"
    refused = lock(client, auth, house)
    assert refused.status_code == 409 and f"lock {couple['id']}" in refused.json()["detail"]
    ok(client.delete(f"{API}/locks/{couple['id']}", headers=auth.coa))
    made = ok(lock(client, auth, house), 201)
    assert made["id"] != couple["id"] and made["home_id"] == house["home_id"]
    assert ok(client.get(f"{API}/locks", headers=auth.coa, params={"state": "all"}))["total"] == 2
    assert [x["id"] for x in ok(client.get(f"{API}/locks", headers=auth.coa, params={"state": "ended"}))["items"]] == [couple["id"]]


def test_only_a_pending_line_with_an_unchanged_household_and_an_open_home_can_be_locked(client, auth, run_jobs):
    """Accepted or refused lines, and a line whose home was withdrawn: 409, no lock."""
    world = enschede_world(client, auth, run_jobs)
    ok(decide(client, auth, world["job"]["id"], world["family"]["id"], "refuse", reason="family elsewhere"))
    assert lock(client, auth, world["family"]).status_code == 409
    ok(client.post(f"{API}/homes/{world['home']['id']}/withdraw", headers=auth.enschede))
    withdrawn = lock(client, auth, world["single"])
    assert withdrawn.status_code == 409 and "withdrawn" in withdrawn.json()["detail"]
    assert ok(client.get(f"{API}/locks", headers=auth.coa, params={"state": "all"}))["total"] == 0


def test_a_lock_ends_when_its_household_is_accepted(client, auth, run_jobs, service):
    world = enschede_world(client, auth, run_jobs)
    body = ok(lock(client, auth, world["single"]), 201)
    ok(decide(client, auth, world["job"]["id"], world["single"]["id"], date="2023-07-04"))
    ended = get_lock(client, auth, body["id"])
    assert ended["active"] is False and ended["end_reason"] == "accepted"
    assert ok(client.get(f"{API}/locks", headers=auth.coa))["total"] == 0
    assert events(service, "lock.end")[0]["as_locked"] is True
    # An accepted line cannot be locked; removing the ended lock changes nothing.
    assert lock(client, auth, world["single"]).status_code == 409
    assert ok(client.delete(f"{API}/locks/{body['id']}", headers=auth.coa)) == ended


def test_a_lock_ends_when_a_refusal_bans_its_place_but_not_a_ban_elsewhere(client, auth, run_jobs):
    """Refusing the locked line (a ban on Enschede) ends the lock with end_reason refused."""
    world = enschede_world(client, auth, run_jobs)
    body = ok(lock(client, auth, world["family"]), 201)
    ok(decide(client, auth, world["job"]["id"], world["family"]["id"], "refuse", reason="family elsewhere"))
    assert get_lock(client, auth, body["id"])["end_reason"] == "refused"


def test_a_lock_ends_when_an_upload_changes_the_household(client, auth, run_jobs):
    """h-single coupled to Hengelo by a batch: its lock on E-1 ends (changed); a batch that
    changes something else (its tie) leaves a lock be."""
    world = enschede_world(client, auth, run_jobs)
    family = ok(lock(client, auth, world["family"]), 201)
    single = ok(lock(client, auth, world["single"]), 201)
    upsert(client, auth, household("h-family", 4, permit_date="2023-03-01", adults=2, children=2,
                                   tie_municipality="GM0164"))
    upsert(client, auth, household("h-single", 1, permit_date="2023-01-01", state="coupled", municipality="GM0164",
                                   coupling_date="2023-07-01"))
    assert get_lock(client, auth, single["id"])["end_reason"] == "changed"
    assert get_lock(client, auth, family["id"])["active"] is True


def test_removing_twice_is_one_removal(client, auth, run_jobs, service):
    world = enschede_world(client, auth, run_jobs)
    body = ok(lock(client, auth, world["single"]), 201)
    first = ok(client.delete(f"{API}/locks/{body['id']}", headers=auth.coa))
    second = ok(client.delete(f"{API}/locks/{body['id']}", headers=auth.coa))
    assert first == second and first["end_reason"] == "removed"
    assert len(events(service, "lock.remove")) == 1


def test_a_lock_ends_when_its_home_is_withdrawn(client, auth, run_jobs, service):
    """E-1 withdrawn after the lock: the lock ends (withdrawn, audited in the withdrawal's
    transaction), and the next proposal is made without it, with nothing to skip."""
    world = enschede_world(client, auth, run_jobs)
    body = ok(lock(client, auth, world["single"]), 201)
    ok(client.post(f"{API}/homes/{world['home']['id']}/withdraw", headers=auth.enschede))
    ended = get_lock(client, auth, body["id"])
    assert (ended["active"], ended["end_reason"], ended["ended_by"]) == (False, "withdrawn", auth.enschede_id)
    assert events(service, "lock.end") == [{"household": "h-single", "reason": "withdrawn", "home": world["home"]["id"]}]
    job = propose(client, auth, run_jobs)
    assert job["status"] == "done", job
    assert job["summary"]["locks"] == {"applied": 0, "skipped": []}


def test_a_lock_ends_when_a_csv_withdraws_its_home_and_not_when_the_csv_is_refused(client, auth, run_jobs):
    """A CSV with a bad row withdraws nothing, so the lock stays; the same CSV fixed ends it."""
    world = enschede_world(client, auth, run_jobs)
    body = ok(lock(client, auth, world["single"]), 201)
    header = "reference,kind,capacity,min_occupancy,accessible,available_from,status\n"
    withdraw = "E-1,regular,2,1,0,2023-07-01,withdrawn\n"
    bad = header + withdraw + "E-2,castle,2,1,0,2023-07-01,open\n"
    response = client.post(f"{API}/homes/upload", headers=auth.enschede, files={"file": ("homes.csv", bad.encode(), "text/csv")})
    assert response.status_code == 422
    assert get_lock(client, auth, body["id"])["active"] is True
    ok(client.post(f"{API}/homes/upload", headers=auth.enschede,
                   files={"file": ("homes.csv", (header + withdraw).encode(), "text/csv")}))
    assert get_lock(client, auth, body["id"])["end_reason"] == "withdrawn"


def test_a_lock_ends_when_its_home_is_given_to_another_household(client, auth, run_jobs, service):
    """h-single is locked to E-1 (a later job's line); COA accepts an earlier job's line giving
    E-1 to h-early: the home is allocated and h-single's lock ends (taken); h-early had none."""
    upsert(client, auth, household("h-early", 1, permit_date="2023-02-01"))
    (home_,) = offer(client, auth.enschede, home("E-1", capacity=2))
    first = propose(client, auth, run_jobs)
    early = line_of(client, auth, first["id"], "h-early")
    assert (early["action"], early["home_id"]) == ("house", home_["id"]), early
    upsert(client, auth, household("h-single", 1, permit_date="2023-01-01"))
    second = propose(client, auth, run_jobs)
    single = line_of(client, auth, second["id"], "h-single")
    assert (single["action"], single["home_id"]) == ("house", home_["id"]), single
    body = ok(lock(client, auth, single), 201)
    ok(decide(client, auth, first["id"], early["id"], date="2023-07-04"))
    ended = get_lock(client, auth, body["id"])
    assert (ended["active"], ended["end_reason"]) == (False, "taken")
    assert events(service, "lock.end") == [{"household": "h-single", "reason": "taken", "home": home_["id"]}]
    assert ok(client.get(f"{API}/locks", headers=auth.coa))["total"] == 0


def test_locks_that_cannot_hold_fail_the_job_with_the_engines_message(client, auth, run_jobs):
    """The family (4 persons) locked to Enschede, whose quota is then set to nothing: the job
    fails saying the locks cannot all hold."""
    world = enschede_world(client, auth, run_jobs)
    ok(lock(client, auth, world["family"]), 201)
    ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa,
                    json={"taakstelling": 0, "backlog": 0, "amv_taakstelling": 0, "amv_backlog": 0}))
    job = propose(client, auth, run_jobs)
    assert job["status"] == "failed" and "locks cannot all hold" in job["error"], job


def test_a_lock_left_out_says_why_in_english_and_as_a_message(client, auth, run_jobs, service):
    """An active lock whose home has no room for its household any more is left out of the next
    job: the summary names it with the English reason and the catalogue message the pages render
    in Dutch."""
    from api.messages import render_data
    from api.models import Home

    upsert(client, auth, household("h-a", 2, permit_date="2023-03-01"))
    (e1,) = offer(client, auth.enschede, home("E-1", capacity=2))
    first = propose(client, auth, run_jobs)
    made = lock(client, auth, line_of(client, auth, first["id"], "h-a"))
    assert made.status_code == 201, made.text
    with service.sessions() as session:  # the home got smaller (no route does this: the worker must still cope)
        session.get(Home, e1["id"]).capacity = 1
        session.commit()
    second = propose(client, auth, run_jobs)
    (skipped,) = second["summary"]["locks"]["skipped"]
    assert skipped["lock_id"] == made.json()["id"] and skipped["household_id"] == "h-a"
    assert skipped["reason"] == f"home {e1['id']} has 1 place(s) left, household h-a is 2 persons"
    assert render_data("en", skipped["reason_values"]) == skipped["reason"]
    assert render_data("nl", skipped["reason_values"]) == f"woning {e1['id']} heeft nog 1 plaats(en), huishouden h-a telt 2 personen"
