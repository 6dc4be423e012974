"""Family reunification in the service: family members (nareizigers) who join a household make it
grow (size, composition, expected_extra); it keeps its state and municipality, and the housing
check says whether its home, or the home offered to it, still fits.  docs/contract.md §11;
api/services/arrivals.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api_testing import API, decide, enschede_world, household, line_of, ok, propose, upsert


def arrive(client, headers, household_id: str, persons: int, date: str = "2023-08-01", **body: Any):
    return client.post(f"{API}/households/{household_id}/arrivals", headers=headers,
                       json={"persons": persons, "date": date, **body})


def events(client, auth) -> list[dict[str, Any]]:
    return ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": "household.arrival"}))["items"]


def coupled_family(client, auth, run_jobs) -> dict[str, Any]:
    """enschede_world with h-family's couple line accepted: coupled to Enschede, no home."""
    world = enschede_world(client, auth, run_jobs)
    ok(decide(client, auth, world["job"]["id"], world["family"]["id"], date="2023-07-05"))
    return world


def test_an_arrival_grows_a_coupled_household_which_keeps_its_municipality(client, auth, run_jobs):
    coupled_family(client, auth, run_jobs)
    a = ok(arrive(client, auth.enschede, "h-family", 2, adults=1, children=1), 201)
    assert (a["household_id"], a["municipality"], a["persons"], a["size_before"], a["size_after"], a["date"],
            a["housing_check"]) == ("h-family", "GM0153", 2, 4, 6, "2023-08-01", None)
    h = ok(client.get(f"{API}/households/h-family", headers=auth.enschede))
    assert (h["size"], h["adults"], h["children"], h["state"], h["municipality"], h["coupling_date"]) == \
        (6, 3, 3, "coupled", "GM0153", "2023-07-05")
    event, = events(client, auth)
    assert (event["object_id"], event["token_id"], event["detail"]["size_before"], event["detail"]["size_after"],
            event["detail"]["arrival"]) == ("h-family", auth.enschede_id, 4, 6, a["id"])
    listed = ok(client.get(f"{API}/households/h-family/arrivals", headers=auth.coa))
    assert [x["id"] for x in listed["items"]] == [a["id"]] and listed["total"] == 1


def test_expected_members_with_a_date_and_their_arrival(client, auth):
    upsert(client, auth, household("h-wait", 2, expected_extra=3, expected_extra_date="2023-09-01"))
    h = ok(client.get(f"{API}/households/h-wait", headers=auth.coa))
    assert (h["expected_extra"], h["expected_extra_date"]) == (3, "2023-09-01")
    a = ok(arrive(client, auth.coa, "h-wait", 2), 201)
    assert (a["expected_before"], a["expected_after"]) == (3, 1)
    assert ok(client.get(f"{API}/households/h-wait", headers=auth.coa))["expected_extra_date"] == "2023-09-01"
    ok(arrive(client, auth.coa, "h-wait", 2, date="2023-08-02"), 201)  # one more than expected
    h = ok(client.get(f"{API}/households/h-wait", headers=auth.coa))
    assert (h["size"], h["expected_extra"], h["expected_extra_date"], h["state"]) == (6, 0, None, "waiting")
    for row, code in ((household("h-bad", 2, expected_extra_date="2023-09-01"), "expected_date_needs_extra"),
                      (household("h-bad", 2, expected_extra=1, expected_extra_date="2023-01-01"), "expected_date_before_permit")):
        response = client.post(f"{API}/households/batch", headers=auth.coa, json={"households": [row]})
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["code"] == code, response.json()


def test_the_housing_check_of_a_household_moving_in_that_grows(client, auth, run_jobs):
    world = enschede_world(client, auth, run_jobs)
    ok(decide(client, auth, world["job"]["id"], world["single"]["id"], date="2023-07-05"))  # moving in to E-1 (2 places)
    check = ok(arrive(client, auth.enschede, "h-single", 1), 201)["housing_check"]
    assert (check["source"], check["home_id"], check["home_reference"], check["capacity"], check["persons"],
            check["fits"], check["problem"]) == ("moving_in", world["home"]["id"], "E-1", 2, 2, True, None)
    check = ok(arrive(client, auth.enschede, "h-single", 1, date="2023-08-02"), 201)["housing_check"]
    assert (check["persons"], check["fits"], check["problem"]) == (3, False, "too_large")
    assert ok(client.get(f"{API}/households/h-single/housing-check", headers=auth.enschede)) == check
    h = ok(client.get(f"{API}/households/h-single", headers=auth.enschede))
    assert (h["state"], h["home_id"], h["size"]) == ("moving_in", world["home"]["id"], 3)
    assert client.get(f"{API}/households/h-family/housing-check", headers=auth.coa).json() is None


def test_a_household_grown_past_its_offered_home_cannot_take_it_and_the_next_proposal_says_so(client, auth, run_jobs):
    world = enschede_world(client, auth, run_jobs)  # h-single's pending house line offers E-1 (2 places)
    check = ok(arrive(client, auth.coa, "h-single", 2), 201)["housing_check"]
    assert (check["source"], check["home_id"], check["persons"], check["fits"], check["problem"]) == \
        ("offered", world["home"]["id"], 3, False, "too_large")
    response = decide(client, auth, world["job"]["id"], world["single"]["id"], date="2023-07-05")
    assert response.status_code == 409 and response.json()["code"] == "home_full", response.text
    again = propose(client, auth, run_jobs)
    line = line_of(client, auth, again["id"], "h-single")
    assert line["home_id"] != world["home"]["id"], line
    grown, = [n for n in line["reason_values"].get("notes", []) if n["key"] == "note.grown_past_home"]
    assert (grown["before"], grown["size"], grown["capacity"]) == (1, 3, 2)
    nl = ok(client.get(f"{API}/proposals/{again['id']}/lines", headers=auth.coa, params={"lang": "nl"}))["items"]
    assert "gegroeid van 1 persoon naar 3 personen" in next(x for x in nl if x["household_id"] == "h-single")["reason"]


def test_a_repeated_arrival_with_its_reference_is_harmless_other_content_is_409(client, auth, run_jobs):
    coupled_family(client, auth, run_jobs)
    first = ok(arrive(client, auth.enschede, "h-family", 1, reference="nareis-1"), 201)
    again = arrive(client, auth.enschede, "h-family", 1, reference="nareis-1")
    assert again.status_code == 200 and again.json()["id"] == first["id"], again.text
    assert ok(client.get(f"{API}/households/h-family", headers=auth.coa))["size"] == 5
    assert len(events(client, auth)) == 1
    other = arrive(client, auth.enschede, "h-family", 2, reference="nareis-1")
    assert other.status_code == 409 and other.json()["code"] == "arrival_reference", other.text


def test_who_may_record_an_arrival(client, auth, run_jobs):
    """401 without a valid token; 404 for a municipality that does not see the household and for
    an unknown one; 403 for a municipality that sees it only through a proposal."""
    world = enschede_world(client, auth, run_jobs)  # h-single waiting, proposed to Enschede
    ok(decide(client, auth, world["job"]["id"], world["family"]["id"], date="2023-07-05"))
    for headers in ({}, auth.revoked):
        assert arrive(client, headers, "h-family", 1).status_code == 401
    assert arrive(client, auth.hengelo, "h-family", 1).status_code == 404
    assert client.get(f"{API}/households/h-family/housing-check", headers=auth.hengelo).status_code == 404
    assert arrive(client, auth.enschede, "h-nobody", 1).status_code == 404
    forbidden = arrive(client, auth.enschede, "h-single", 1)
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "arrival_not_yours", forbidden.text
    assert ok(client.get(f"{API}/households/h-single", headers=auth.coa))["size"] == 1
    assert events(client, auth) == []


def test_bad_arrivals_are_422_at_the_field(client, auth, run_jobs):
    coupled_family(client, auth, run_jobs)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for body, loc in (({"date": "2023-08-01"}, ["body", "persons"]),
                      ({"persons": 0, "date": "2023-08-01"}, ["body", "persons"]),
                      ({"persons": 101, "date": "2023-08-01"}, ["body", "persons"]),
                      ({"persons": 1}, ["body", "date"]),
                      ({"persons": 1, "date": tomorrow}, ["body", "date"]),
                      ({"persons": 1, "date": "2023-02-01"}, ["body", "date"]),
                      ({"persons": 2, "date": "2023-08-01", "adults": 1}, ["body"]),
                      ({"persons": 2, "date": "2023-08-01", "adults": 1, "children": 2}, ["body"]),
                      ({"persons": 1, "date": "2023-08-01", "name": "x"}, ["body", "name"]),
                      ({"persons": 97, "date": "2023-08-01"}, ["body", "persons"])):
        response = client.post(f"{API}/households/h-family/arrivals", headers=auth.enschede, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"][0]["loc"] == loc, (body, response.json())
    assert ok(client.get(f"{API}/households/h-family", headers=auth.coa))["size"] == 4
    assert events(client, auth) == []
