"""The service's boundary with the engine (``api.engine``): the solver's child process imports
no database or web code, and what is stored from the ``Proposal`` is what ``proposal.csv``
would say for it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys

from api_testing import API, home, household, offer, ok, upsert

from api import engine as boundary
from api.services import jobs
from matcher.reasons import render
from matcher.rules import Rules
from matcher.write import PROPOSAL_HEADER, REASON_COLUMNS, proposal_rows


def test_the_solver_child_imports_no_database_or_web_code():
    """``start_child`` spawns a process that imports ``api.engine``: it must stay light."""
    code = ("import sys, api.engine; heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sqlalchemy', 'fastapi', 'starlette', 'pydantic', 'openpyxl') or m in ('api.models', 'api.schemas')); "
            "print(heavy); sys.exit(1 if heavy else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_stored_lines_are_the_proposal_csv_of_the_proposal(client, auth, service):
    """Snapshot, run and store one job by hand: its export, column by column of
    ``proposal.csv``, equals ``proposal_rows`` of the very proposal the engine returned; storing
    it a second time is refused and adds nothing."""
    upsert(client, auth, household("h1", 1, location_id="azc-almelo", permit_date="2023-01-01"), household("h2", 3, permit_date="2023-02-01"),
           household("h3", 2, location_id="azc-almelo", permit_date="2023-04-01"), household("h4", 5))
    offer(client, auth.enschede, home("E-1", capacity=1), home("E-2", capacity=3))
    offer(client, auth.hengelo, home("H-1", capacity=2, available_from="2023-07-02"))
    job_id = ok(client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": "2023-07-03", "solver": "highspy"}),
                202)["id"]
    with service.sessions() as session:
        assert jobs.claim_next(session, "host:1:a") == job_id
        snap = boundary.snapshot(session, jobs.get_job(session, job_id))
        session.rollback()
    solved = boundary.run(snap.instance, snap.params, "highspy", 30.0)
    with service.sessions() as session:
        assert boundary.store_result(session, job_id, "host:1:a", snap, solved)
    with service.sessions() as session:
        assert not boundary.store_result(session, job_id, "host:1:a", snap, solved)

    columns = PROPOSAL_HEADER + REASON_COLUMNS
    expected = [{k: str(row[k]) for k in columns} for row in proposal_rows(Rules(snap.instance, snap.params), solved.proposal)]
    assert {row["action"] for row in expected} >= {"house", "couple"}
    assert any(row["km"] not in ("", "0.0") for row in expected)
    exported = list(csv.DictReader(io.StringIO(ok(client.get(f"{API}/proposals/{job_id}/export.csv",
                                                             headers=auth.coa)).decode())))
    # the sentence names the municipality's own home reference where proposal.csv has the home id
    references = {row["dwelling_id"]: row["home_reference"] for row in exported if row["dwelling_id"]}
    assert set(references.values()) <= {"E-1", "E-2", "H-1"} and references
    for row in expected:
        row["reason"] = render(json.loads(row["reason_values"]), "nl", homes=references)
    assert [{k: row[k] for k in columns} for row in exported] == expected
    assert all(f"woning {references[row['dwelling_id']]} in" in row["reason"] for row in exported if row["action"] == "house")
    kinds = {a.household_id: a.reason_kind.value for a in solved.proposal.assignments}
    assert {row["household_id"]: row["reason_kind"] for row in exported} == kinds
    job = ok(client.get(f"{API}/proposals/{job_id}", headers=auth.coa))
    assert job["status"] == "done" and job["lines"]["total"] == 4
    assert job["summary"]["levels"] == solved.proposal.levels.as_dict()


def test_lines_and_exports_speak_the_readers_language(client, auth, run_jobs):
    """The API renders each line's reason from its stored values: Dutch by default, English by
    ``lang=en`` or ``Accept-Language: en`` (``lang`` wins), with the home's own reference; the
    exports likewise."""
    upsert(client, auth, household("h1", 1, permit_date="2023-01-01"), household("h2", 4, permit_date="2023-01-02"))
    offer(client, auth.enschede, home("Kerkstraat-5", capacity=1))
    job_id = ok(client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": "2023-07-03", "solver": "highspy"}),
                202)["id"]
    run_jobs()
    url = f"{API}/proposals/{job_id}/lines"
    dutch = ok(client.get(url, headers=auth.coa))["items"]
    english = ok(client.get(url + "?lang=en", headers=auth.coa))["items"]
    by_header = ok(client.get(url, headers={**auth.coa, "Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"}))["items"]
    query_wins = ok(client.get(url + "?lang=nl", headers={**auth.coa, "Accept-Language": "en"}))["items"]
    assert [line["reason"] for line in by_header] == [line["reason"] for line in english]
    assert [line["reason"] for line in query_wins] == [line["reason"] for line in dutch]
    housed = next(line for line in dutch if line["action"] == "house")
    assert housed["home_reference"] == "Kerkstraat-5"
    assert housed["reason"].startswith("Gehuisvest in gewone woning Kerkstraat-5 in ")
    assert next(line for line in english if line["action"] == "house")["reason"].startswith(
        "Housed in regular home Kerkstraat-5 in ")
    for nl, en in zip(dutch, english, strict=True):
        assert nl["reason_values"] == en["reason_values"] and nl["reason_values"]["kind"] == nl["reason_kind"]
        assert nl["reason"] == render(nl["reason_values"], "nl", homes={str(housed["home_id"]): "Kerkstraat-5"})
        assert en["reason"] == render(en["reason_values"], "en", homes={str(housed["home_id"]): "Kerkstraat-5"})
    assert ok(client.get(url + "?lang=de", headers=auth.coa), 422)
    export = ok(client.get(f"{API}/proposals/{job_id}/export.csv?lang=en", headers=auth.coa)).decode()
    rows = list(csv.DictReader(io.StringIO(export)))
    assert [row["reason"] for row in rows] == [line["reason"] for line in english]
    assert {row["home_reference"] for row in rows} == {"", "Kerkstraat-5"}


def test_the_snapshot_carries_the_expected_arrival_date(client, auth, service):
    """A household with family members expected on a known day (nareizigers, issue 14 item 2)
    enters the engine's instance with that day; one without a date with none. (The snapshot once
    read every column but this one, and every job of such a database crashed in the worker.)"""
    upsert(client, auth, household("h-date", 2, expected_extra=3, expected_extra_date="2023-09-01"),
           household("h-nodate", 1, expected_extra=1), household("h-none", 4))
    job_id = ok(client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": "2023-07-03", "solver": "greedy"}),
                202)["id"]
    with service.sessions() as session:
        snap = boundary.snapshot(session, jobs.get_job(session, job_id))
        session.rollback()
    got = {h.household_id: (h.expected_extra, h.expected_extra_date) for h in snap.instance.households}
    assert {k: got[k] for k in ("h-date", "h-nodate", "h-none")} == {
        "h-date": (3, dt.date(2023, 9, 1)), "h-nodate": (1, None), "h-none": (0, None)}
