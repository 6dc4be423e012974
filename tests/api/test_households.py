"""Households: batches (JSON and CSV) all or nothing, states forward only, and what a
municipality may see of them."""

from __future__ import annotations

from api_testing import API, decide, enschede_world, household, line_of, ok, upsert


def test_batch_creates_then_updates_then_changes_nothing(client, auth):
    """The same batch twice: created, then unchanged; a change: updated."""
    batch = [household("h1", 2), household("h2", 1, amv=True)]
    assert upsert(client, auth, *batch) == {"created": 2, "updated": 0, "unchanged": 0}
    assert upsert(client, auth, *batch) == {"created": 0, "updated": 0, "unchanged": 2}
    assert upsert(client, auth, household("h1", 3), batch[1]) == {"created": 0, "updated": 1, "unchanged": 1}
    assert ok(client.get(f"{API}/households/h1", headers=auth.coa))["size"] == 3


def test_a_batch_with_bad_rows_writes_nothing_and_lists_every_bad_row(client, auth):
    """Malformed rows and rows that do not resolve are all reported at once; nothing is written."""
    batch = [household("ok-1"),
             household("bad-size", 0),
             household("bad-location", location_id="azc-atlantis"),
             household("bad-state", state="coupled"),
             household("ok-2", tie_municipality="GM0153"),
             household("bad-code", tie_municipality="GM9999"),
             household("ok-1")]
    response = client.post(f"{API}/households/batch", headers=auth.coa, json={"households": batch})
    assert response.status_code == 422
    locs = [tuple(e["loc"]) for e in response.json()["detail"]]
    assert locs == [("body", "households", 1, "size"), ("body", "households", 2, "location_id"),
                    ("body", "households", 3), ("body", "households", 5, "tie_municipality"),
                    ("body", "households", 6, "household_id")]
    assert all(e["msg"] for e in response.json()["detail"])
    assert ok(client.get(f"{API}/households", headers=auth.coa))["total"] == 0


def test_malformed_bodies_are_422(client, auth):
    """Not an object, no list, an empty list, a row that is not an object, unknown fields."""
    for body in ([], {"households": []}, {"rows": []}, {"households": ["h1"]},
                 {"households": [{**household("h1"), "name": "Jan"}]}):
        response = client.post(f"{API}/households/batch", headers=auth.coa, json=body)
        assert response.status_code == 422, (body, response.text)
    response = client.post(f"{API}/households/batch", headers={**auth.coa, "content-type": "application/json"},
                           content=b"{not json")
    assert response.status_code == 422


def test_states_move_forward_with_their_dates(client, auth):
    """waiting -> coupled -> housed; going back is a 422; each state needs its dates."""
    upsert(client, auth, household("h1", 2))
    upsert(client, auth, household("h1", 2, state="coupled", municipality="GM0153", coupling_date="2023-05-01"))
    h = ok(client.get(f"{API}/households/h1", headers=auth.coa))
    assert (h["state"], h["municipality"], h["coupling_date"]) == ("coupled", "GM0153", "2023-05-01")
    upsert(client, auth, household("h1", 2, state="housed", municipality="GM0153", coupling_date="2023-05-01",
                                   housed_date="2023-08-01"))
    response = client.post(f"{API}/households/batch", headers=auth.coa, json={"households": [household("h1", 2)]})
    assert response.status_code == 422 and "cannot go back" in response.text
    for bad in (household("x", state="housed", municipality="GM0153"),
                household("x", municipality="GM0153"),
                household("x", state="coupled", municipality="GM0153", coupling_date="2022-01-01"),
                household("x", size=3, adults=1, children=1)):
        assert client.post(f"{API}/households/batch", headers=auth.coa, json={"households": [bad]}).status_code == 422


def test_housed_and_coupled_households_count_for_the_quota(client, auth):
    """A household housed in 2023-II counts as realised, a coupled one as coupled (AMV too)."""
    before = ok(client.get(f"{API}/municipalities/GM0153", headers=auth.coa))
    upsert(client, auth,
           household("h1", 3, state="housed", municipality="GM0153", coupling_date="2023-06-01", housed_date="2023-07-10"),
           household("h2", 1, amv=True, state="coupled", municipality="GM0153", coupling_date="2023-06-15"))
    after = ok(client.get(f"{API}/municipalities/GM0153", headers=auth.coa))
    assert after["quota"]["realised"] == before["quota"]["realised"] + 3
    assert after["quota"]["coupled"] == 1 and after["amv"]["coupled"] == 1
    assert after["quota"]["remaining"] == before["quota"]["remaining"] - 4


def test_csv_upload_all_or_nothing(client, auth):
    """A good CSV upserts; a CSV with two bad rows names both and writes nothing."""
    good = ("household_id,size,adults,children,location_id,permit_date,needs_accessible,x_remark\n"
            "c1,3,1,2,azc-enschede,2023-02-01,1,anything\n"
            "c2,1,,,azc-almelo,2023-02-03,,\n")
    response = client.post(f"{API}/households/upload", headers=auth.coa,
                           files={"file": ("households.csv", good.encode(), "text/csv")})
    assert ok(response) == {"created": 2, "updated": 0, "unchanged": 0}
    bad = ("household_id,size,location_id,permit_date\n"
           "c3,2,azc-enschede,2023-02-01\n"
           "c4,two,azc-enschede,2023-02-01\n"
           "c5,1,azc-nowhere,2023-02-01\n")
    response = client.post(f"{API}/households/upload", headers=auth.coa,
                           files={"file": ("households.csv", bad.encode(), "text/csv")})
    assert response.status_code == 422
    assert [tuple(e["loc"]) for e in response.json()["detail"]] == [("file", 3, "size"), ("file", 4, "location_id")]
    assert ok(client.get(f"{API}/households", headers=auth.coa))["total"] == 2


def test_a_municipality_sees_only_households_coupled_or_proposed_to_it(client, auth, run_jobs):
    """Enschede sees the two households proposed to it, without location or ties; Hengelo sees none."""
    world = enschede_world(client, auth, run_jobs)
    upsert(client, auth, household("h-elsewhere", 2, location_id="azc-maastricht"))
    seen = ok(client.get(f"{API}/households", headers=auth.enschede))
    assert sorted(h["household_id"] for h in seen["items"]) == ["h-family", "h-single"]
    family = next(h for h in seen["items"] if h["household_id"] == "h-family")
    assert (family["size"], family["adults"], family["children"]) == (4, 2, 2)
    assert family["location_id"] is None and family["tie_municipality"] is None
    assert family["proposed"] == [{"job_id": world["job"]["id"], "line_id": world["family"]["id"], "action": "couple",
                                   "municipality": "GM0153", "home_id": None, "decision": "pending"}]
    assert ok(client.get(f"{API}/households", headers=auth.hengelo))["total"] == 0
    for hid in ("h-family", "h-single", "h-elsewhere", "does-not-exist"):
        assert client.get(f"{API}/households/{hid}", headers=auth.hengelo).status_code == 404
    assert client.get(f"{API}/households/h-elsewhere", headers=auth.enschede).status_code == 404
    # A refused line is no longer a proposal to Enschede: the household disappears from its view.
    ok(decide(client, auth, world["job"]["id"], world["family"]["id"], "refuse", reason="no"))
    assert client.get(f"{API}/households/h-family", headers=auth.enschede).status_code == 404
    assert ok(client.get(f"{API}/households/h-family", headers=auth.coa))["location_id"] == "azc-enschede"


def test_a_coupled_household_stays_visible_to_its_municipality(client, auth):
    """Coupled by upload (no proposal): Enschede sees it; filters by state work for COA."""
    upsert(client, auth, household("h1", 2, state="coupled", municipality="GM0153", coupling_date="2023-06-01"),
           household("h2", 1))
    assert [h["household_id"] for h in ok(client.get(f"{API}/households", headers=auth.enschede))["items"]] == ["h1"]
    assert ok(client.get(f"{API}/households", headers=auth.coa, params={"state": "waiting"}))["total"] == 1
    assert ok(client.get(f"{API}/households", headers=auth.coa, params={"municipality": "GM0153"}))["total"] == 1


def test_a_stale_line_no_longer_shows_the_household(client, auth, run_jobs):
    """A pending line made stale by an upload (the household coupled to Hengelo meanwhile)
    proposes nothing: Enschede no longer sees the household, Hengelo now does (coupled there),
    and the household's ``proposed`` no longer lists the stale line."""
    world = enschede_world(client, auth, run_jobs)
    assert client.get(f"{API}/households/h-family", headers=auth.enschede).status_code == 200
    upsert(client, auth, household("h-family", 4, adults=2, children=2, state="coupled", municipality="GM0164",
                                   coupling_date="2023-07-01"))
    assert client.get(f"{API}/households/h-family", headers=auth.enschede).status_code == 404
    assert [h["household_id"] for h in ok(client.get(f"{API}/households", headers=auth.enschede))["items"]] == ["h-single"]
    family = ok(client.get(f"{API}/households/h-family", headers=auth.hengelo))
    assert family["state"] == "coupled" and family["proposed"] == []
    assert ok(client.get(f"{API}/households/h-family", headers=auth.coa))["proposed"] == []
    assert line_of(client, auth, world["job"]["id"], "h-family")["decision"] == "pending"
