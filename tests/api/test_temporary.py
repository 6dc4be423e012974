"""Temporary homes as a stage: a household housed in a temporary home is ``temporary`` (realised for
the quota at once [004:151]), the engine gives it a regular home of its municipality, and accepting
that onward line moves it out of the temporary home (its place freed) without using quota again;
an onward move that falls through puts it back.  docs/contract.md §1, §11; api/services/moveins.py."""

from __future__ import annotations

import csv
import io
from typing import Any

from api_testing import API, decide, home, household, line_of, offer, ok, propose, quota, upsert


def events(client, auth, action: str) -> list[dict[str, Any]]:
    return ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": action}))["items"]


def move_in_of(client, auth, household_id: str) -> dict[str, Any]:
    found = [m for m in ok(client.get(f"{API}/move-ins", headers=auth.enschede))["items"]
             if m["household_id"] == household_id and m["status"] == "pending"]
    assert len(found) == 1, found
    return found[0]


def in_temporary(client, auth, run_jobs) -> dict[str, Any]:
    """h-temp (2 persons) housed through the service in Enschede's temporary home T-1 on 2023-07-10."""
    upsert(client, auth, household("h-temp", 2, permit_date="2023-01-01"))
    (tuvo,) = offer(client, auth.enschede, home("T-1", kind="temporary", capacity=2))
    job = propose(client, auth, run_jobs)
    line = line_of(client, auth, job["id"], "h-temp")
    assert (line["action"], line["home_id"]) == ("house", tuvo["id"]), line
    ok(decide(client, auth, job["id"], line["id"], date="2023-07-05"))
    assert ok(client.get(f"{API}/homes/{tuvo['id']}", headers=auth.enschede))["status"] == "allocated"  # full
    m = move_in_of(client, auth, "h-temp")
    ok(client.post(f"{API}/move-ins/{m['id']}/confirm", headers=auth.enschede, json={"date": "2023-07-10"}))
    return {"tuvo": tuvo}


def onward(client, auth, run_jobs) -> dict[str, Any]:
    """in_temporary, then Enschede offers regular home E-2 and the next job moves h-temp on to it."""
    world = in_temporary(client, auth, run_jobs)
    (regular,) = offer(client, auth.enschede, home("E-2", capacity=3))
    job = propose(client, auth, run_jobs, as_of="2023-07-17")
    line = line_of(client, auth, job["id"], "h-temp")
    return {**world, "regular": regular, "job": job, "line": line}


def test_a_move_in_to_a_temporary_home_makes_the_household_temporary_and_realised(client, auth, run_jobs):
    world = in_temporary(client, auth, run_jobs)
    h = ok(client.get(f"{API}/households/h-temp", headers=auth.enschede))
    assert (h["state"], h["home_id"], h["temporary_home"], h["housed_date"], h["coupling_date"], h["temporary_until"]) == \
        ("temporary", world["tuvo"]["id"], "T-1", "2023-07-10", "2023-07-05", "2024-07-09")
    assert isinstance(h["temporary_days_left"], int)
    assert h["deadlines"]["housing"]["status"] == "met"  # the housing counted when it moved in
    figures = quota(client, auth.coa, "GM0153")["quota"]
    assert (figures["realised"], figures["coupled"]) == (2, 0)
    assert ok(client.get(f"{API}/homes/{world['tuvo']['id']}", headers=auth.enschede))["occupied"] == 2
    confirm, = events(client, auth, "move_in.confirm")
    assert confirm["detail"]["state"] == "temporary"
    listed = ok(client.get(f"{API}/households", headers=auth.enschede, params={"state": "temporary"}))
    assert [x["household_id"] for x in listed["items"]] == ["h-temp"]


def test_the_engine_moves_it_on_to_a_regular_home_of_its_municipality(client, auth, run_jobs):
    world = onward(client, auth, run_jobs)
    line = world["line"]
    assert (line["action"], line["home_id"], line["moves"]) == ("house", world["regular"]["id"], 2), line
    en = line_of_lang(client, auth, world["job"]["id"], "h-temp", "en")
    assert "It moves on from temporary home T-1, where it has lived since 2023-07-10" in en["reason"], en["reason"]
    nl = line_of_lang(client, auth, world["job"]["id"], "h-temp", "nl")
    assert "Het verhuist door uit tijdelijke woning T-1, waar het sinds 10 juli 2023 woont" in nl["reason"], nl["reason"]
    exported = ok(client.get(f"{API}/proposals/{world['job']['id']}/export.csv", headers=auth.coa)).decode("utf-8-sig")
    row, = [r for r in csv.DictReader(io.StringIO(exported)) if r["household_id"] == "h-temp"]
    assert (row["action"], row["temporary_home"], row["moves"]) == ("house", "T-1", "2"), row
    summary = world["job"]["summary"]["temporary"]
    assert (summary["households"], summary["onward"]["persons"], summary["staying"]["households"]) == (1, 2, 0), summary


def line_of_lang(client, auth, job_id: int, household_id: str, lang: str) -> dict[str, Any]:
    found = ok(client.get(f"{API}/proposals/{job_id}/lines", headers=auth.coa,
                          params={"household_id": household_id, "lang": lang}))["items"]
    assert len(found) == 1, found
    return found[0]


def test_accepting_the_onward_line_frees_the_temporary_place_and_uses_no_quota(client, auth, run_jobs):
    world = onward(client, auth, run_jobs)
    before = quota(client, auth.coa, "GM0153")["quota"]
    ok(decide(client, auth, world["job"]["id"], world["line"]["id"], date="2023-07-18"))
    h = ok(client.get(f"{API}/households/h-temp", headers=auth.coa))
    assert (h["state"], h["home_id"], h["temporary_home"], h["coupling_date"]) == \
        ("moving_in", world["regular"]["id"], "T-1", "2023-07-05")
    tuvo = ok(client.get(f"{API}/homes/{world['tuvo']['id']}", headers=auth.enschede))
    assert (tuvo["occupied"], tuvo["status"]) == (0, "open")  # its place is free again
    after = quota(client, auth.coa, "GM0153")["quota"]
    assert (after["realised"], after["coupled"], after["remaining"]) == (2, 0, before["remaining"])
    accept, = [e for e in events(client, auth, "line.accept") if e["detail"]["job"] == world["job"]["id"]]
    assert accept["detail"]["onward_from"] == world["tuvo"]["id"]
    m = move_in_of(client, auth, "h-temp")
    ok(client.post(f"{API}/move-ins/{m['id']}/confirm", headers=auth.enschede, json={"date": "2023-07-20"}))
    h = ok(client.get(f"{API}/households/h-temp", headers=auth.coa))
    # housed in the regular home; the housing (and its period) stays that of the temporary home
    assert (h["state"], h["home_id"], h["temporary_home"], h["housed_date"], h["temporary_until"]) == \
        ("housed", world["regular"]["id"], None, "2023-07-10", None)
    assert quota(client, auth.coa, "GM0153")["quota"]["realised"] == 2
    # a later job reads it no more
    later = propose(client, auth, run_jobs, as_of="2023-07-24")
    assert [x for x in ok(client.get(f"{API}/proposals/{later['id']}/lines", headers=auth.coa))["items"]
            if x["household_id"] == "h-temp"] == []


def test_an_onward_move_that_falls_through_puts_it_back_in_its_temporary_home(client, auth, run_jobs):
    world = onward(client, auth, run_jobs)
    ok(decide(client, auth, world["job"]["id"], world["line"]["id"], date="2023-07-18"))
    m = move_in_of(client, auth, "h-temp")
    ok(client.post(f"{API}/move-ins/{m['id']}/fell-through", headers=auth.enschede, json={"reason": "te klein"}))
    h = ok(client.get(f"{API}/households/h-temp", headers=auth.coa))
    assert (h["state"], h["home_id"], h["temporary_home"], h["housed_date"]) == \
        ("temporary", world["tuvo"]["id"], "T-1", "2023-07-10")
    tuvo = ok(client.get(f"{API}/homes/{world['tuvo']['id']}", headers=auth.enschede))
    assert (tuvo["occupied"], tuvo["status"]) == (2, "allocated")  # full again
    assert ok(client.get(f"{API}/homes/{world['regular']['id']}", headers=auth.enschede))["status"] == "open"
    assert quota(client, auth.coa, "GM0153")["quota"]["realised"] == 2
    again = propose(client, auth, run_jobs, as_of="2023-07-24")
    line = line_of(client, auth, again["id"], "h-temp")
    assert line["action"] == "wait" and line["home_id"] is None, line  # E-2 is banned for it now


def test_an_uploaded_temporary_household_is_moved_on_by_the_engine(client, auth, run_jobs):
    row = household("h-tuvo", 3, permit_date="2022-05-01", state="temporary", municipality="GM0153",
                    coupling_date="2022-06-01", housed_date="2022-07-01", temporary_home="TuVo-Enschede")
    assert upsert(client, auth, row)["created"] == 1
    assert upsert(client, auth, row)["unchanged"] == 1  # idempotent
    h = ok(client.get(f"{API}/households/h-tuvo", headers=auth.enschede))
    assert (h["state"], h["temporary_home"], h["temporary_until"]) == ("temporary", "TuVo-Enschede", "2023-07-01")
    (regular,) = offer(client, auth.enschede, home("E-3", capacity=3))
    offer(client, auth.hengelo, home("H-1", capacity=3))
    job = propose(client, auth, run_jobs)
    line = line_of_lang(client, auth, job["id"], "h-tuvo", "en")
    assert (line["action"], line["home_id"], line["municipality"]) == ("house", regular["id"], "GM0153"), line
    assert "days past the year it may stay in the temporary home" in line["reason"], line["reason"]


def test_bad_temporary_rows_are_422_at_the_row(client, auth):
    base = household("h-bad", 2, permit_date="2023-01-01", state="temporary", municipality="GM0153",
                     coupling_date="2023-02-01", housed_date="2023-03-01", temporary_home="T-9")
    for change, code in (({"temporary_home": None}, "temporary_needs"), ({"housed_date": None}, "temporary_needs"),
                         ({"amv": True}, "temporary_no_amv"),
                         ({"state": "coupled", "housed_date": None}, "temporary_home_only")):
        row = {k: v for k, v in {**base, **change}.items() if v is not None}
        response = client.post(f"{API}/households/batch", headers=auth.coa, json={"households": [row]})
        assert response.status_code == 422, (change, response.text)
        error = response.json()["detail"][0]
        assert error["loc"][:3] == ["body", "households", 0] and error["code"] in (code, "missing"), (change, error)
    assert ok(client.get(f"{API}/households", headers=auth.coa))["total"] == 0
    # a housed household does not go back to a temporary home
    upsert(client, auth, {k: v for k, v in base.items() if k != "temporary_home"} | {"state": "housed"})
    response = client.post(f"{API}/households/batch", headers=auth.coa, json={"households": [base]})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "state", response.text


def test_who_may_upload_and_see_a_temporary_household(client, auth):
    row = household("h-t", 1, permit_date="2023-01-01", state="temporary", municipality="GM0153",
                    coupling_date="2023-02-01", housed_date="2023-03-01", temporary_home="T-9")
    for headers in ({}, auth.revoked):
        assert client.post(f"{API}/households/batch", headers=headers, json={"households": [row]}).status_code == 401
    assert client.post(f"{API}/households/batch", headers=auth.enschede, json={"households": [row]}).status_code == 403
    upsert(client, auth, row)
    assert ok(client.get(f"{API}/households/h-t", headers=auth.enschede))["temporary_home"] == "T-9"
    assert client.get(f"{API}/households/h-t", headers=auth.hengelo).status_code == 404
    upload, = events(client, auth, "households.upsert")
    assert upload["detail"]["household_ids"] == ["h-t"]
