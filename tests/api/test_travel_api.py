"""Travel times in the service: COA uploads them by CSV (all rows or none), reads them back paged,
and every proposal's snapshot carries them to rule 5 (``max_minutes``)."""

from __future__ import annotations

from api_testing import API, home, household, line_of, offer, ok, propose, upsert


def csv_file(text: str) -> dict:
    return {"file": ("travel_times.csv", text.encode("utf-8"), "text/csv")}


def upload(client, headers, text: str):
    return client.post(f"{API}/travel-times/upload", headers=headers, files=csv_file(text))


def test_upload_read_and_upload_again(client, auth):
    """Created, then the same file changes nothing (and leaves no second audit event), then one change."""
    text = "location_id,municipality,minutes,x_note\nazc-enschede,GM0153,15,by bus\nazc-enschede,GM0164,35,\n"
    assert ok(upload(client, auth.coa, text)) == {"created": 2, "updated": 0, "unchanged": 0}
    assert ok(upload(client, auth.coa, text)) == {"created": 0, "updated": 0, "unchanged": 2}
    assert ok(upload(client, auth.coa, "location_id,municipality,minutes\nazc-enschede,GM0164,40\n")) == \
        {"created": 0, "updated": 1, "unchanged": 0}
    page = ok(client.get(f"{API}/travel-times", headers=auth.coa, params={"limit": 1}))
    assert page == {"items": [{"location_id": "azc-enschede", "municipality": "GM0153", "minutes": 15.0}], "total": 2}
    second = ok(client.get(f"{API}/travel-times", headers=auth.coa, params={"limit": 1, "offset": 1}))
    assert second["items"] == [{"location_id": "azc-enschede", "municipality": "GM0164", "minutes": 40.0}]
    only = ok(client.get(f"{API}/travel-times", headers=auth.coa, params={"municipality": "GM0164"}))
    assert only["total"] == 1
    events = ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": "travel_times.upload"}))["items"]
    assert len(events) == 2


def test_bad_rows_are_each_named_and_nothing_is_written(client, auth):
    text = ("location_id,municipality,minutes\n"
            "azc-enschede,GM0153,15\n"
            "azc-nowhere,GM0153,10\n"
            "azc-enschede,GM9999,10\n"
            "azc-enschede,GM0153,20\n"
            "azc-enschede,GM0164,1001\n"
            "azc-enschede,GM0164,soon\n")
    response = upload(client, auth.coa, text)
    assert response.status_code == 422, response.text
    where = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert {("file", 3, "location_id"), ("file", 4, "municipality"), ("file", 5, "municipality"),
            ("file", 6, "minutes"), ("file", 7, "minutes")} <= where
    assert ok(client.get(f"{API}/travel-times", headers=auth.coa))["total"] == 0
    missing = upload(client, auth.coa, "location_id,municipality\nazc-enschede,GM0153\n")
    assert missing.status_code == 422 and ["file", 1, "minutes"] in [e["loc"] for e in missing.json()["detail"]]


def test_authentication_and_role(client, auth):
    text = "location_id,municipality,minutes\nazc-enschede,GM0153,15\n"
    assert upload(client, {}, text).status_code == 401
    assert client.get(f"{API}/travel-times").status_code == 401
    assert upload(client, auth.enschede, text).status_code == 403
    assert client.get(f"{API}/travel-times", headers=auth.enschede).status_code == 403
    assert client.get(f"{API}/travel-times", headers=auth.coa, params={"limit": 1001}).status_code == 422
    assert client.get(f"{API}/travel-times", headers=auth.coa, params={"municipality": "Enschede"}).status_code == 422
    assert client.get(f"{API}/travel-times/none", headers=auth.coa).status_code == 404


def test_minutes_without_stored_travel_times_is_refused(client, auth):
    """Before: max_minutes blocked every new coupling without a word; now the job is refused, naming the field."""
    response = client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": "2023-07-03", "params": {"max_minutes": 120}})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "params", "max_minutes"] and "no travel times are stored" in error["msg"]


def test_every_proposal_uses_the_stored_travel_times(client, auth, run_jobs):
    """The issue's case: a household at azc Enschede, max_minutes 120.  With Enschede's travel time
    stored it is housed there (0 km); another, at azc Assen with no time stored, is out of range
    everywhere (minutes only: no km limit) and its reason names the nearest missing pairs."""
    upsert(client, auth, household("h-one", 2, permit_date="2023-01-01"), household("h-two", 2, permit_date="2023-03-01"),
           household("h-assen", 1, location_id="azc-assen", permit_date="2023-02-01"))
    offer(client, auth.enschede, home("E-1", capacity=2))
    ok(upload(client, auth.coa, "location_id,municipality,minutes\nazc-enschede,GM0153,10\n"))
    job = propose(client, auth, run_jobs, params={"max_minutes": 120})
    assert job["status"] == "done", job
    assert job["params"] == {"max_minutes": 120.0}
    first = line_of(client, auth, job["id"], "h-one")
    assert (first["action"], first["municipality"]) == ("house", "GM0153")
    second = line_of(client, auth, job["id"], "h-two")
    assert (second["action"], second["municipality"]) == ("couple", "GM0153")
    assert "reistijd" not in second["reason"]
    assen = line_of(client, auth, job["id"], "h-assen")
    assert assen["action"] == "wait"
    assert "Geen reistijd bekend van Assen naar Assen (GM0106), " in assen["reason"], assen["reason"]
    assert " andere." in assen["reason"] and "binnen 120 minuten" in assen["reason"]
