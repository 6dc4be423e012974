"""Move-ins: an accepted house line makes the household ``moving_in`` until its municipality
confirms the move-in (housed, realised) or reports that it fell through (coupled again, a ban on
the home).  docs/contract.md §6; api/services/moveins.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api_testing import API, decide, enschede_world, household, line_of, lines, ok, propose, quota, upsert


def accepted(client, auth, run_jobs, date: str = "2023-07-05") -> dict[str, Any]:
    """enschede_world with h-single's house line accepted: its pending move-in, and the world."""
    world = enschede_world(client, auth, run_jobs)
    ok(decide(client, auth, world["job"]["id"], world["single"]["id"], date=date))
    found = ok(client.get(f"{API}/move-ins", headers=auth.enschede))
    assert found["total"] == 1, found
    return {**world, "move_in": found["items"][0]}


def events(client, auth, action: str) -> list[dict[str, Any]]:
    return ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": action}))["items"]


def test_an_accepted_house_line_is_a_pending_move_in(client, auth, run_jobs):
    world = accepted(client, auth, run_jobs)
    m = world["move_in"]
    assert (m["household_id"], m["municipality"], m["home_id"], m["home_reference"], m["line_id"], m["accepted_on"],
            m["status"], m["moved_in_on"], m["reason"], m["ban_id"]) == \
        ("h-single", "GM0153", world["home"]["id"], "E-1", world["single"]["id"], "2023-07-05", "pending", None, None, None)
    accept, = events(client, auth, "line.accept")
    assert accept["detail"]["move_in"] == m["id"]
    assert ok(client.get(f"{API}/move-ins/{m['id']}", headers=auth.coa)) == m  # COA sees it too


def test_confirming_houses_the_household_and_realises_the_quota(client, auth, run_jobs):
    world = accepted(client, auth, run_jobs)
    before = quota(client, auth.coa, "GM0153")["quota"]
    assert (before["realised"], before["coupled"]) == (0, 1)
    m = ok(client.post(f"{API}/move-ins/{world['move_in']['id']}/confirm", headers=auth.enschede, json={"date": "2023-07-20"}))
    assert (m["status"], m["moved_in_on"]) == ("confirmed", "2023-07-20") and m["decided_at"] is not None
    h = ok(client.get(f"{API}/households/h-single", headers=auth.enschede))
    assert (h["state"], h["home_id"], h["housed_date"], h["coupling_date"]) == ("housed", world["home"]["id"], "2023-07-20", "2023-07-05")
    after = quota(client, auth.coa, "GM0153")["quota"]
    assert (after["realised"], after["coupled"], after["remaining"]) == (1, 0, before["remaining"])
    confirm, = events(client, auth, "move_in.confirm")
    assert (confirm["object_id"], confirm["token_id"], confirm["detail"]["household"], confirm["detail"]["date"]) == \
        (str(m["id"]), auth.enschede_id, "h-single", "2023-07-20")


def test_a_repeated_confirm_is_harmless_another_date_or_a_fall_through_after_it_is_409(client, auth, run_jobs):
    url = f"{API}/move-ins/{accepted(client, auth, run_jobs)['move_in']['id']}"
    first = ok(client.post(f"{url}/confirm", headers=auth.enschede, json={"date": "2023-07-20"}))
    assert ok(client.post(f"{url}/confirm", headers=auth.enschede, json={"date": "2023-07-20"})) == first
    assert len(events(client, auth, "move_in.confirm")) == 1
    response = client.post(f"{url}/confirm", headers=auth.enschede, json={"date": "2023-07-21"})
    assert response.status_code == 409 and "2023-07-20" in response.json()["detail"], response.text
    response = client.post(f"{url}/fell-through", headers=auth.enschede, json={"reason": "weigert de woning"})
    assert response.status_code == 409 and "confirmed" in response.json()["detail"], response.text
    assert ok(client.get(f"{API}/households/h-single", headers=auth.coa))["state"] == "housed"
    assert ok(client.get(f"{API}/bans", headers=auth.coa))["total"] == 0


def test_a_fall_through_couples_the_household_again_bans_and_frees_the_home(client, auth, run_jobs):
    world = accepted(client, auth, run_jobs)
    url = f"{API}/move-ins/{world['move_in']['id']}"
    m = ok(client.post(f"{url}/fell-through", headers=auth.enschede, json={"reason": "te ver van school"}))
    assert (m["status"], m["reason"], m["moved_in_on"]) == ("fell_through", "te ver van school", None)
    h = ok(client.get(f"{API}/households/h-single", headers=auth.coa))
    assert (h["state"], h["municipality"], h["home_id"], h["housed_date"]) == ("coupled", "GM0153", None, None)
    assert ok(client.get(f"{API}/homes/{world['home']['id']}", headers=auth.enschede))["status"] == "open"
    bans = ok(client.get(f"{API}/bans", headers=auth.coa, params={"household_id": "h-single"}))["items"]
    assert [(b["id"], b["home_id"], b["municipality"], b["reason"]) for b in bans] == \
        [(m["ban_id"], world["home"]["id"], None, "te ver van school")]
    figures = quota(client, auth.coa, "GM0153")["quota"]
    assert (figures["realised"], figures["coupled"]) == (0, 1)  # still coupled: the coupling stands
    event, = events(client, auth, "move_in.fell_through")
    assert (event["detail"]["reason"], event["detail"]["ban"], event["detail"]["home_reopened"]) == ("te ver van school", m["ban_id"], True)
    # again: harmless; a confirm now: 409
    assert ok(client.post(f"{url}/fell-through", headers=auth.enschede, json={"reason": "anders"})) == m
    assert len(events(client, auth, "move_in.fell_through")) == 1
    response = client.post(f"{url}/confirm", headers=auth.enschede, json={"date": "2023-07-20"})
    assert response.status_code == 409 and "fell through" in response.json()["detail"], response.text
    # the next proposal never offers the refused home to h-single again; the home is free for others
    again = propose(client, auth, run_jobs)
    line = line_of(client, auth, again["id"], "h-single")
    assert line["home_id"] != world["home"]["id"], line


def test_a_household_moving_in_is_not_proposed_again_and_its_home_is_not_free(client, auth, run_jobs):
    world = accepted(client, auth, run_jobs)
    upsert(client, auth, household("h-other", 1, permit_date="2022-06-01"))  # waiting longer than anyone
    again = propose(client, auth, run_jobs)
    found = {line["household_id"]: line for line in lines(client, auth, again["id"])}
    assert "h-single" not in found, found["h-single"]
    assert found["h-other"]["home_id"] != world["home"]["id"], found["h-other"]


def test_an_upload_does_not_change_a_household_moving_in(client, auth, run_jobs):
    accepted(client, auth, run_jobs)
    row = household("h-single", 1, permit_date="2023-01-01", state="housed", municipality="GM0153",
                    coupling_date="2023-07-05", housed_date="2023-07-06")
    response = client.post(f"{API}/households/batch", headers=auth.coa, json={"households": [row]})
    assert response.status_code == 422, response.text
    error, = response.json()["detail"]
    assert error["loc"] == ["body", "households", 0, "state"] and "moving in" in error["msg"], error
    assert ok(client.get(f"{API}/households/h-single", headers=auth.coa))["state"] == "moving_in"


def test_who_may_decide_a_move_in(client, auth, run_jobs):
    """401 without a valid token, 403 for COA, 404 for another municipality and unknown ids."""
    url = f"{API}/move-ins/{accepted(client, auth, run_jobs)['move_in']['id']}"
    body = {"date": "2023-07-20"}
    for headers in ({}, auth.revoked):
        assert client.get(f"{API}/move-ins", headers=headers).status_code == 401
        assert client.post(f"{url}/confirm", headers=headers, json=body).status_code == 401
    assert client.post(f"{url}/confirm", headers=auth.coa, json=body).status_code == 403
    assert client.post(f"{url}/fell-through", headers=auth.coa, json={"reason": "x"}).status_code == 403
    assert client.get(url, headers=auth.hengelo).status_code == 404
    assert client.post(f"{url}/confirm", headers=auth.hengelo, json=body).status_code == 404
    assert client.post(f"{url}/fell-through", headers=auth.hengelo, json={"reason": "x"}).status_code == 404
    assert ok(client.get(f"{API}/move-ins", headers=auth.hengelo))["total"] == 0
    assert client.post(f"{API}/move-ins/999999/confirm", headers=auth.enschede, json=body).status_code == 404
    assert ok(client.get(f"{API}/move-ins/{url.rsplit('/', 1)[1]}", headers=auth.enschede))["status"] == "pending"


def test_bad_move_in_bodies_are_422_at_the_field(client, auth, run_jobs):
    url = f"{API}/move-ins/{accepted(client, auth, run_jobs)['move_in']['id']}"
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for path, body, loc in (("confirm", {}, ["body", "date"]), ("confirm", {"date": "2023-07-04"}, ["body", "date"]),
                            ("confirm", {"date": tomorrow}, ["body", "date"]),
                            ("confirm", {"date": "2023-07-20", "home": 1}, ["body", "home"]),
                            ("fell-through", {}, ["body", "reason"]), ("fell-through", {"reason": ""}, ["body", "reason"])):
        response = client.post(f"{url}/{path}", headers=auth.enschede, json=body)
        assert response.status_code == 422, (path, body, response.text)
        assert response.json()["detail"][0]["loc"] == loc, (path, body, response.json())
    assert client.post(f"{API}/move-ins/-1/confirm", headers=auth.enschede, json={"date": "2023-07-20"}).status_code == 422
    assert ok(client.get(url, headers=auth.enschede))["status"] == "pending"
    assert events(client, auth, "move_in.confirm") == [] and events(client, auth, "move_in.fell_through") == []
