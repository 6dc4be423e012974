"""Proposal jobs: 202 and polling, lines, decisions and what they record, bans, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import time

from api_testing import (
    API,
    decide,
    enschede_world,
    home,
    household,
    line_of,
    lines,
    offer,
    ok,
    propose,
    quota,
    upsert,
)
from openpyxl import load_workbook

from api.services.exports import EXPORT_HEADER, people_header
from api.worker import Worker, claim_next


def test_post_answers_202_at_once_and_the_job_is_polled_until_done(client, auth, run_jobs):
    """POST queues (202 + Location), GET shows queued, then done with the engine's summary."""
    upsert(client, auth, household("h1", 2))
    response = client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": "2023-07-03", "solver": "greedy"})
    job = ok(response, 202)
    assert job["status"] == "queued" and response.headers["location"] == f"{API}/proposals/{job['id']}"
    assert ok(client.get(f"{API}/proposals/{job['id']}", headers=auth.coa))["status"] == "queued"
    assert run_jobs() == [job["id"]]
    done = ok(client.get(f"{API}/proposals/{job['id']}", headers=auth.coa))
    assert done["status"] == "done" and done["summary"]["status"] == "feasible" and done["error"] is None
    assert done["lines"] == {"total": 1, "wait": 0, "pending": 1, "accepted": 0, "refused": 0}
    assert done["started_at"] <= done["finished_at"]
    listed = ok(client.get(f"{API}/proposals", headers=auth.coa))
    assert listed["total"] == 1 and listed["items"][0]["id"] == job["id"]


def test_an_exact_solver_proves_the_proposal(client, auth, run_jobs):
    """The default solver (auto) is exact: the stored summary says optimal."""
    upsert(client, auth, household("h1", 2), household("h2", 3, permit_date="2023-01-02"))
    offer(client, auth.enschede, home("E-1", capacity=3))
    job = propose(client, auth, run_jobs, solver="auto", time_limit=20)
    assert job["summary"]["status"] == "optimal", job["summary"]
    assert job["summary"]["actions"]["house"]["households"] == 1


def test_reference_makes_the_request_idempotent(client, auth, run_jobs):
    """The same reference returns the same job (200); with other parameters it is a 409."""
    body = {"as_of": "2023-07-03", "solver": "greedy", "reference": "week-27"}
    first = ok(client.post(f"{API}/proposals", headers=auth.coa, json=body), 202)
    again = client.post(f"{API}/proposals", headers=auth.coa, json=body)
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert client.post(f"{API}/proposals", headers=auth.coa, json={**body, "as_of": "2023-07-10"}).status_code == 409
    assert ok(client.get(f"{API}/proposals", headers=auth.coa))["total"] == 1


def test_bad_parameters_are_422_naming_the_field(client, auth):
    """Unknown parameter, negative value, bad date, too long a time limit: 422 with the field."""
    for body, field in (({"as_of": "2023-07-03", "params": {"max_kms": 10}}, "max_kms"),
                        ({"as_of": "2023-07-03", "params": {"max_km": -1}}, "max_km"),
                        ({"as_of": "03-07-2023"}, "as_of"),
                        ({"as_of": "2023-07-03", "time_limit": 100000}, "time_limit"),
                        ({"as_of": "2023-07-03", "solver": "simplex"}, "solver")):
        response = client.post(f"{API}/proposals", headers=auth.coa, json=body)
        assert response.status_code == 422, body
        assert any(field in map(str, e["loc"]) for e in response.json()["detail"]), response.json()


def test_accepting_a_couple_line_records_the_coupling_and_updates_the_quota(client, auth, run_jobs):
    """Accept couple: the household is coupled on the date given, Enschede's coupled and remaining move."""
    world = enschede_world(client, auth, run_jobs)
    family = world["family"]
    assert family["action"] == "couple" and family["municipality"] == "GM0153"
    before = quota(client, auth.coa, "GM0153")["quota"]
    line = ok(decide(client, auth, world["job"]["id"], family["id"], date="2023-07-04", reason="called the family"))
    assert line["decision"] == "accepted" and line["decision_date"] == "2023-07-04"
    h = ok(client.get(f"{API}/households/h-family", headers=auth.coa))
    assert (h["state"], h["municipality"], h["coupling_date"]) == ("coupled", "GM0153", "2023-07-04")
    after = quota(client, auth.coa, "GM0153")["quota"]
    assert after["coupled"] == before["coupled"] + 4
    assert after["remaining"] == before["remaining"] - 4


def test_accepting_a_house_line_makes_the_household_move_in_and_allocates_the_home(client, auth, run_jobs):
    """Accept house: moving in to the home (allocated), counted as coupled for Enschede, not yet
    realised (that waits for the municipality's confirmation: test_move_ins.py)."""
    world = enschede_world(client, auth, run_jobs)
    single = world["single"]
    assert single["action"] == "house" and single["home_id"] == world["home"]["id"]
    ok(decide(client, auth, world["job"]["id"], single["id"], date="2023-07-05"))
    h = ok(client.get(f"{API}/households/h-single", headers=auth.coa))
    assert (h["state"], h["home_id"], h["housed_date"], h["coupling_date"]) == ("moving_in", world["home"]["id"], None, "2023-07-05")
    assert ok(client.get(f"{API}/homes/{world['home']['id']}", headers=auth.enschede))["status"] == "allocated"
    figures = quota(client, auth.coa, "GM0153")["quota"]
    assert (figures["realised"], figures["coupled"]) == (0, 1) and figures["remaining"] == figures["taakstelling"] - 1


def test_deciding_again_the_same_way_changes_nothing_the_other_way_is_409(client, auth, run_jobs):
    """Accept twice: 200 both, one coupling; refuse after accept: 409; a wait line: 409."""
    world = enschede_world(client, auth, run_jobs)
    job_id, line_id = world["job"]["id"], world["family"]["id"]
    first = ok(decide(client, auth, job_id, line_id, date="2023-07-04"))
    second = ok(decide(client, auth, job_id, line_id, date="2023-07-04"))
    assert first == second
    assert quota(client, auth.coa, "GM0153")["quota"]["coupled"] == 4
    assert decide(client, auth, job_id, line_id, "refuse", reason="changed my mind").status_code == 409
    events = ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": "line.accept"}))
    assert events["total"] == 1


def test_a_refusal_becomes_a_ban_that_later_runs_keep(client, auth, run_jobs):
    """Refuse the house line: a ban on that home; the next run does not propose it again."""
    world = enschede_world(client, auth, run_jobs)
    single = world["single"]
    refused = ok(decide(client, auth, world["job"]["id"], single["id"], "refuse", reason="too far from school"))
    assert refused["decision"] == "refused" and refused["decision_reason"] == "too far from school"
    bans = ok(client.get(f"{API}/bans", headers=auth.coa, params={"household_id": "h-single"}))["items"]
    assert [(b["home_id"], b["municipality"]) for b in bans] == [(world["home"]["id"], None)]
    again = propose(client, auth, run_jobs)
    line = line_of(client, auth, again["id"], "h-single")
    assert line["home_id"] != world["home"]["id"]


def test_refusing_a_couple_line_bans_the_municipality(client, auth, run_jobs):
    """Refuse couple: a municipality ban; the household is not coupled to Enschede again."""
    world = enschede_world(client, auth, run_jobs)
    ok(decide(client, auth, world["job"]["id"], world["family"]["id"], "refuse", reason="family ties elsewhere"))
    again = propose(client, auth, run_jobs)
    assert line_of(client, auth, again["id"], "h-family")["municipality"] != "GM0153"
    assert decide(client, auth, world["job"]["id"], world["family"]["id"], "refuse").status_code == 422  # no reason


def test_a_line_whose_household_changed_since_cannot_be_accepted(client, auth, run_jobs):
    """Two jobs propose the same household; accepting one makes the other's line a 409."""
    world = enschede_world(client, auth, run_jobs)
    second = propose(client, auth, run_jobs)
    ok(decide(client, auth, world["job"]["id"], world["family"]["id"]))
    stale = line_of(client, auth, second["id"], "h-family")
    response = decide(client, auth, second["id"], stale["id"])
    assert response.status_code == 409 and "changed" in response.json()["detail"]


def test_a_withdrawn_home_cannot_be_accepted(client, auth, run_jobs):
    """The municipality withdraws the home after the proposal: accepting the house line is a 409."""
    world = enschede_world(client, auth, run_jobs)
    ok(client.post(f"{API}/homes/{world['home']['id']}/withdraw", headers=auth.enschede))
    assert decide(client, auth, world["job"]["id"], world["single"]["id"]).status_code == 409


def test_lines_filter_and_unknown_ids_are_404(client, auth, run_jobs):
    """Lines filter by action and decision; an unknown job or a line of another job is a 404."""
    world = enschede_world(client, auth, run_jobs)
    job_id = world["job"]["id"]
    assert [line["household_id"] for line in lines(client, auth, job_id, action="couple")] == ["h-family"]
    assert len(lines(client, auth, job_id, decision="pending")) == 2
    assert client.get(f"{API}/proposals/999/lines", headers=auth.coa).status_code == 404
    other = propose(client, auth, run_jobs)
    foreign = line_of(client, auth, other["id"], "h-single")
    assert decide(client, auth, job_id, foreign["id"]).status_code == 404


def test_export_csv_and_xlsx_carry_the_lines_and_decisions(client, auth, run_jobs):
    """The CSV has the proposal.csv columns plus the decisions; the XLSX the same rows."""
    world = enschede_world(client, auth, run_jobs)
    job_id = world["job"]["id"]
    ok(decide(client, auth, job_id, world["family"]["id"], date="2023-07-04"))
    response = client.get(f"{API}/proposals/{job_id}/export.csv", headers=auth.coa)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["household_id"]: r["decision"] for r in rows} == {"h-single": "pending", "h-family": "accepted"}
    assert list(rows[0])[:10] == ["line_id", "household_id", "action", "municipality", "dwelling_id", "persons", "km",
                                  "overdue_days", "moves", "reason"]
    response = client.get(f"{API}/proposals/{job_id}/export.xlsx", headers=auth.coa)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)  # for people: Dutch unless asked otherwise
    sheet = list(book["voorstel"].values)
    assert sheet[0][:4] == ("regel", "huishouden", "actie", "gemeente") and len(sheet) == 3
    assert ("status", "feasible") in list(book["samenvatting"].values)
    english = load_workbook(io.BytesIO(client.get(f"{API}/proposals/{job_id}/export.xlsx", headers=auth.coa,
                                                  params={"lang": "en"}).content), read_only=True)
    assert list(english["proposal"].values)[0][:4] == ("line", "household", "action", "municipality")
    assert [r[:9] for r in list(english["proposal"].values)[1:]] == [r[:9] for r in sheet[1:]]  # the same lines
    assert ("solver", "greedy") in list(english["summary"].values) and ("rekenmethode", "greedy") in list(book["samenvatting"].values)


def test_exports_as_dutch_csv_and_with_dates_for_people(client, auth, run_jobs):
    """The Dutch CSV: byte-order mark, semicolons, decimal commas, ISO dates, the same rows as the
    comma CSV; the XLSX: km a number, the decision date a date cell shown as a Dutch long date."""
    world = enschede_world(client, auth, run_jobs)
    job_id = world["job"]["id"]
    ok(decide(client, auth, job_id, world["family"]["id"], date="2023-07-04"))
    plain = list(csv.DictReader(io.StringIO(client.get(f"{API}/proposals/{job_id}/export.csv", headers=auth.coa).text)))
    response = client.get(f"{API}/proposals/{job_id}/export.csv", headers=auth.coa, params={"dialect": "nl"})
    assert response.status_code == 200 and 'proposal-' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.startswith("regel;huishouden;actie;gemeente;woning-id;personen;km;dagen over de norm;")  # for people
    machine = dict(zip(people_header("nl"), EXPORT_HEADER, strict=True))
    dutch = [{machine[k]: v for k, v in row.items()} for row in csv.DictReader(io.StringIO(text), delimiter=";")]
    assert [r["household_id"] for r in dutch] == [r["household_id"] for r in plain]
    english = client.get(f"{API}/proposals/{job_id}/export.csv", headers=auth.coa, params={"dialect": "nl", "lang": "en"})
    assert english.content.decode("utf-8-sig").startswith("line;household;action;municipality;home id;")
    for a, b in zip(plain, dutch):
        assert b["km"] == a["km"].replace(".", ",") and b["decision_date"] == a["decision_date"]
        assert {k: v for k, v in a.items() if k != "km"} == {k: v for k, v in b.items() if k != "km"}
    assert any("," in r["km"] for r in dutch) and "2023-07-04" in [r["decision_date"] for r in dutch]
    assert client.get(f"{API}/proposals/{job_id}/export.csv", headers=auth.coa, params={"dialect": "x"}).status_code == 422
    book = load_workbook(io.BytesIO(client.get(f"{API}/proposals/{job_id}/export.xlsx", headers=auth.coa).content))
    sheet = book["voorstel"]
    header = [c.value for c in sheet[1]]
    family = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("huishouden")].value == "h-family")
    decided, km = family[header.index("datum van het besluit")], family[header.index("km")]
    assert decided.is_date and decided.value.date() == dt.date(2023, 7, 4) and decided.number_format == "[$-413]d mmmm yyyy"
    assert isinstance(km.value, (int, float)) and km.data_type == "n"  # a number, not the text "0.0"
    as_of = next(r for r in book["samenvatting"].iter_rows() if r[0].value == "peildatum")[1]
    assert as_of.is_date and as_of.number_format == "[$-413]d mmmm yyyy"


def test_export_of_an_unfinished_job_is_409(client, auth):
    """A queued job has nothing to export yet."""
    job = ok(client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": "2023-07-03"}), 202)
    assert client.get(f"{API}/proposals/{job['id']}/export.csv", headers=auth.coa).status_code == 409


def test_an_engine_failure_is_reported_on_the_job(client, auth, run_jobs, monkeypatch):
    """If the engine raises, the job is failed with the reason, not lost."""
    import api.worker

    def broken(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(api.worker, "run", broken)
    upsert(client, auth, household("h1"))
    job = propose(client, auth, run_jobs)
    assert job["status"] == "failed" and "solver exploded" in job["error"]


def test_two_workers_never_claim_the_same_job(client, auth, service):
    """Eight threads race for three queued jobs: each job is claimed exactly once."""
    for week in range(3):
        ok(client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": f"2023-07-0{week + 3}"}), 202)
    claims: list[int] = []
    barrier = threading.Barrier(8)

    def race(n: int) -> None:
        barrier.wait()
        with service.sessions() as session:
            job = claim_next(session, f"test:{n}:x")
        if job is not None:
            claims.append(job)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claims) == sorted(set(claims)) and len(claims) <= 3
    jobs = ok(client.get(f"{API}/proposals", headers=auth.coa, params={"status": "running"}))["items"]
    assert sorted(j["id"] for j in jobs) == sorted(claims)


def test_two_runs_at_once_both_finish_and_decisions_stay_consistent(client, auth, service):
    """Two workers solve two jobs at the same time; both are stored; accepting a household in
    one makes its line in the other stale (409), so no household is coupled twice."""
    upsert(client, auth, *(household(f"h{i}", 1 + i % 3) for i in range(6)))
    offer(client, auth.enschede, home("E-1", capacity=3), home("E-2", capacity=2))
    jobs = [ok(client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": "2023-07-03", "solver": s}), 202)["id"]
            for s in ("greedy", "auto")]
    workers = [Worker(service.app.state.sessions, service.settings) for _ in range(2)]
    threads = [threading.Thread(target=w.run_once) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a, b = (ok(client.get(f"{API}/proposals/{j}", headers=auth.coa)) for j in jobs)
    assert a["status"] == b["status"] == "done"
    first = lines(client, auth, jobs[0], decision="pending")
    for line in first:
        ok(decide(client, auth, jobs[0], line["id"]))
    for line in lines(client, auth, jobs[1], decision="pending"):
        if line["household_id"] in {x["household_id"] for x in first}:
            assert decide(client, auth, jobs[1], line["id"]).status_code == 409
    coupled = ok(client.get(f"{API}/households", headers=auth.coa, params={"limit": 100}))["items"]
    assert sum(h["state"] != "waiting" for h in coupled) == len(first)


# --- the quota left when a line is accepted ---------------------------------------------------

def two_couplings(client, auth, run_jobs, taakstelling: int) -> tuple[int, dict, dict]:
    """Two households of 3 waiting in Enschede, no home: the proposal couples both to Enschede
    (quota 6); then COA lowers Enschede's taakstelling to ``taakstelling``."""
    ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa, json={"taakstelling": 6, "backlog": 0, "amv_taakstelling": 0}))
    upsert(client, auth, household("h-a", 3, permit_date="2023-01-01"), household("h-b", 3, permit_date="2023-01-02"))
    job = propose(client, auth, run_jobs)
    a, b = line_of(client, auth, job["id"], "h-a"), line_of(client, auth, job["id"], "h-b")
    assert (a["action"], a["municipality"], b["action"], b["municipality"]) == ("couple", "GM0153", "couple", "GM0153")
    ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa, json={"taakstelling": taakstelling}))
    return job["id"], a, b


def test_an_accept_over_the_quota_left_is_409_naming_the_municipality(client, auth, run_jobs):
    """Quota 4 after the proposal: the first coupling of 3 fits, the second does not (409 saying
    Enschede has 1 place left, nothing recorded); over_quota with a reason accepts it, audited."""
    job_id, a, b = two_couplings(client, auth, run_jobs, taakstelling=4)
    ok(decide(client, auth, job_id, a["id"], date="2023-07-04"))
    assert quota(client, auth.coa, "GM0153")["quota"]["remaining"] == 1
    response = decide(client, auth, job_id, b["id"], date="2023-07-04")
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert "Enschede (GM0153)" in detail and "only 1 place of its quota left" in detail and "over_quota" in detail
    assert ok(client.get(f"{API}/households/h-b", headers=auth.coa))["state"] == "waiting"
    assert line_of(client, auth, job_id, "h-b")["decision"] == "pending"
    # Overriding needs a reason, and is an accept only.
    assert decide(client, auth, job_id, b["id"], over_quota=True).status_code == 422
    assert decide(client, auth, job_id, b["id"], "refuse", reason="x", over_quota=True).status_code == 422
    ok(decide(client, auth, job_id, b["id"], date="2023-07-04", over_quota=True, reason="agreed with Enschede by phone"))
    assert quota(client, auth.coa, "GM0153")["quota"]["remaining"] == -2
    events = ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": "line.accept"}))["items"]
    over = {e["object_id"]: e["detail"].get("over_quota") for e in events}
    assert over[str(a["id"])] is None
    assert over[str(b["id"])] == {"persons": 3, "remaining": 1, "amv_remaining": 0, "slack": 0, "period": "2023-II"}


def test_the_slack_a_job_was_made_with_counts_when_accepting(client, auth, run_jobs):
    """A job run with quota_slack 2 may couple 2 persons over the quota; so may its accepts."""
    ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa, json={"taakstelling": 1, "backlog": 0, "amv_taakstelling": 0}))
    upsert(client, auth, household("h-a", 3))
    job = propose(client, auth, run_jobs, params={"quota_slack": 2})
    line = line_of(client, auth, job["id"], "h-a")
    assert (line["action"], line["municipality"]) == ("couple", "GM0153"), line
    ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa, json={"taakstelling": 0}))
    response = decide(client, auth, job["id"], line["id"])
    assert response.status_code == 409 and "plus the slack of 2" in response.json()["detail"]


def test_housing_a_household_already_coupled_there_uses_no_quota(client, auth, run_jobs):
    """Coupled to Enschede, whose quota is then used up: housing it in Enschede is still accepted."""
    job_id, a, _ = two_couplings(client, auth, run_jobs, taakstelling=3)
    ok(decide(client, auth, job_id, a["id"], date="2023-07-04"))
    assert quota(client, auth.coa, "GM0153")["quota"]["remaining"] == 0
    (home_,) = offer(client, auth.enschede, home("E-1", capacity=3))
    again = propose(client, auth, run_jobs)
    line = line_of(client, auth, again["id"], "h-a")
    assert (line["action"], line["home_id"]) == ("house", home_["id"]), line
    ok(decide(client, auth, again["id"], line["id"], date="2023-07-10"))
    assert ok(client.get(f"{API}/households/h-a", headers=auth.coa))["state"] == "moving_in"


def test_an_amv_coupling_needs_amv_quota_left(client, auth, run_jobs):
    """An unaccompanied minor needs a place in the AMV part too: 409 when it is used up."""
    ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa,
                    json={"taakstelling": 10, "backlog": 0, "amv_taakstelling": 1, "amv_backlog": 0}))
    upsert(client, auth, household("m-1", 1, amv=True))
    job = propose(client, auth, run_jobs)
    line = line_of(client, auth, job["id"], "m-1")
    assert (line["action"], line["municipality"]) == ("couple", "GM0153"), line
    ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa, json={"amv_taakstelling": 0}))
    response = decide(client, auth, job["id"], line["id"])
    assert response.status_code == 409 and "AMV quota" in response.json()["detail"]


def test_two_accepts_at_once_cannot_both_take_the_last_places(client, auth, run_jobs, service, database):
    """Quota 3, two couplings of 3 accepted at the same moment by two sessions: exactly one
    passes.  On PostgreSQL both accepts are first made to wait on the municipality's row (held
    by a third transaction), so they check the quota right after each other: the second must
    see the first's coupling."""
    from sqlalchemy import select, text

    from api.models import Municipality
    from api.schemas import DecisionIn
    from api.services import proposals
    from api.services.errors import Actor, Conflict

    job_id, a, b = two_couplings(client, auth, run_jobs, taakstelling=3)
    actor = Actor(auth.coa_id, "planner", "coa")
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def accept(line_id: int) -> None:
        with service.sessions() as session:
            barrier.wait()
            try:
                proposals.decide(session, actor, job_id, line_id, DecisionIn(decision="accept", date="2023-07-04"))
                outcomes.append("accepted")
            except Conflict as exc:
                outcomes.append("409" if "quota" in str(exc) else str(exc))

    threads = [threading.Thread(target=accept, args=(line["id"],)) for line in (a, b)]
    if database == "postgres":
        with service.sessions() as blocker:
            blocker.execute(select(Municipality.code).where(Municipality.code == "GM0153").with_for_update())
            pid = blocker.scalar(text("SELECT pg_backend_pid()"))
            for t in threads:
                t.start()
            deadline = time.monotonic() + 20
            with service.engine.connect() as probe:
                while True:  # pg_stat_activity is read once per transaction: one transaction per look
                    blocked = dict(probe.execute(text("SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity "
                                                      "WHERE cardinality(pg_blocking_pids(pid)) > 0")).all())
                    probe.rollback()
                    behind = {pid}  # the second accept waits behind the first, which waits on the blocker
                    while new := {p for p, by in blocked.items() if p not in behind and behind & set(by)}:
                        behind |= new
                    if len(behind) == 3:
                        break
                    assert time.monotonic() < deadline, "the accepts did not wait on the municipality's row"
                    time.sleep(0.05)
            blocker.rollback()
    else:
        for t in threads:
            t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["409", "accepted"], outcomes
    figures = quota(client, auth.coa, "GM0153")["quota"]
    assert (figures["coupled"], figures["remaining"]) == (3, 0)
    assert ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": "line.accept"}))["total"] == 1
