"""Validation and idempotency at the edges (each test here failed before its fix), against
SQLite and PostgreSQL; nothing refused changes the database:

* a household's ``adults`` and ``children`` come together and add up to ``size``, in a JSON
  batch and in a CSV upload, the error naming the field (and the CSV row and column);
* ``true``/``false`` is no number: ``capacity: true`` is a 422, not a home for one person.
"""

from __future__ import annotations

import pytest
from api_testing import API, home, household, ok, snapshot


def csv_file(name: str, text: str) -> dict:
    return {"file": (name, text.encode("utf-8"), "text/csv")}


COMPOSITIONS = [
    # (size, adults, children, the field named)
    (3, 1, 1, "children"),     # 2 persons of 3
    (2, 2, 2, "children"),     # 4 persons of 2
    (2, 5, None, "adults"),    # more adults than persons
    (4, 2, None, "children"),  # children missing
    (4, None, 2, "children"),  # adults missing
    (2, 0, 3, "children"),     # more children than persons
]


@pytest.mark.parametrize(("size", "adults", "children", "field"), COMPOSITIONS)
def test_adults_and_children_add_up_to_size_in_a_batch(client, auth, size, adults, children, field):
    before = snapshot(client.app.state.engine)
    composition = {k: v for k, v in (("adults", adults), ("children", children)) if v is not None}
    batch = [household("h-ok", 3, adults=1, children=2), household("h-bad", size, **composition)]
    answer = client.post(f"{API}/households/batch", headers=auth.coa, json={"households": batch})
    assert answer.status_code == 422, answer.text
    assert [tuple(e["loc"]) for e in answer.json()["detail"]] == [("body", "households", 1, field)]
    assert str(size) in answer.json()["detail"][0]["msg"]
    assert snapshot(client.app.state.engine) == before


@pytest.mark.parametrize(("size", "adults", "children", "field"), COMPOSITIONS)
def test_adults_and_children_add_up_to_size_in_a_csv(client, auth, size, adults, children, field):
    before = snapshot(client.app.state.engine)
    text = ("household_id,size,adults,children,location_id,permit_date\n"
            "c1,3,1,2,azc-enschede,2023-02-01\n"
            "c2,1,,,azc-enschede,2023-02-01\n"
            f"c3,{size},{'' if adults is None else adults},{'' if children is None else children},azc-enschede,2023-02-01\n")
    answer = client.post(f"{API}/households/upload", headers=auth.coa, files=csv_file("households.csv", text))
    assert answer.status_code == 422, answer.text
    assert [tuple(e["loc"]) for e in answer.json()["detail"]] == [("file", 4, field)]
    assert snapshot(client.app.state.engine) == before


def test_a_composition_that_adds_up_is_kept(client, auth):
    """Both or neither: a single adult, an AMV child alone, a family; stored as sent."""
    ok(client.post(f"{API}/households/batch", headers=auth.coa, json={"households": [
        household("h1", 1, adults=1, children=0), household("h2", 1, amv=True, adults=0, children=1),
        household("h3", 5, adults=2, children=3), household("h4", 2)]}))
    got = {h["household_id"]: (h["adults"], h["children"])
           for h in ok(client.get(f"{API}/households", headers=auth.coa))["items"]}
    assert got == {"h1": (1, 0), "h2": (0, 1), "h3": (2, 3), "h4": (None, None)}


def test_true_and_false_are_no_numbers(client, auth):
    """``capacity: true`` used to make a home for one person; every number field of a body
    refuses a boolean with a 422 naming the field."""
    created = ok(client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1")), 201)
    before = snapshot(client.app.state.engine)
    cases = [
        ("POST", "/homes", auth.enschede, home("E-2", capacity=True), "capacity"),
        ("POST", "/homes", auth.enschede, home("E-2", min_occupancy=True), "min_occupancy"),
        ("PATCH", f"/homes/{created['id']}", auth.enschede, {"capacity": False}, "capacity"),
        ("POST", "/households/batch", auth.coa, {"households": [household("h1", True)]}, "size"),
        ("POST", "/households/batch", auth.coa, {"households": [household("h1", 2, expected_extra=True)]},
         "expected_extra"),
        ("PATCH", "/municipalities/GM0153/quota", auth.coa, {"taakstelling": True}, "taakstelling"),
        ("POST", "/proposals", auth.coa, {"as_of": "2023-07-03", "time_limit": True}, "time_limit"),
        ("POST", "/proposals", auth.coa, {"as_of": "2023-07-03", "params": {"max_km": True}}, "max_km"),
        ("POST", "/proposals", auth.coa, {"as_of": "2023-07-03", "params": {"weights": {"km": True}}}, "km"),
        ("POST", "/redistributions", auth.coa, {"reference": "r1", "from_municipality": "GM0153",
                                                 "to_municipality": "GM0164", "persons": True, "reason": "x"}, "persons"),
    ]
    for method, path, headers, body, field in cases:
        answer = client.request(method, API + path, json=body, headers=headers)
        assert answer.status_code == 422, (path, body, answer.status_code, answer.text[:500])
        named = [e["loc"] for e in answer.json()["detail"]]
        assert any(loc[-1] == field for loc in named), (path, body, named)
    assert snapshot(client.app.state.engine) == before
    # A boolean field still takes a boolean; a number field still takes a number.
    assert ok(client.post(f"{API}/homes", headers=auth.enschede, json=home("E-2", capacity=2, accessible=True)),
              201)["capacity"] == 2


def test_a_withdrawn_homes_reference_is_not_offered_again_by_json_or_csv(client, auth):
    """One rule on both paths: the reference of a withdrawn home, offered again, is refused
    (POST: 409 naming the home; CSV: 422 at the row's status) and the home stays withdrawn; it
    used to come back from POST as if offered (200, status withdrawn).  Sending the withdrawal
    again changes nothing; a new reference is a new home."""
    by_json = ok(client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1")), 201)
    ok(client.post(f"{API}/homes/{by_json['id']}/withdraw", headers=auth.enschede))
    upload = "reference,kind,capacity,available_from,status\nE-2,regular,4,2023-07-01,open\n"
    (by_csv,) = ok(client.post(f"{API}/homes/upload", headers=auth.enschede, files=csv_file("homes.csv", upload)))["items"]
    ok(client.post(f"{API}/homes/{by_csv['id']}/withdraw", headers=auth.enschede))
    before = snapshot(client.app.state.engine)
    for withdrawn in (by_json, by_csv):
        again = client.post(f"{API}/homes", headers=auth.enschede, json=home(withdrawn["reference"]))
        assert again.status_code == 409, again.text
        assert f"home {withdrawn['id']}" in again.json()["detail"] and "withdrawn" in again.json()["detail"]
        for status in ("", "open"):
            text = f"reference,kind,capacity,available_from,status\nE-9,regular,2,2023-07-01,open\n" \
                   f"{withdrawn['reference']},regular,4,2023-07-01,{status}\n"
            answer = client.post(f"{API}/homes/upload", headers=auth.enschede, files=csv_file("homes.csv", text))
            assert answer.status_code == 422, answer.text
            assert [tuple(e["loc"]) for e in answer.json()["detail"]] == [("file", 3, "status")]
            assert "withdrawn" in answer.json()["detail"][0]["msg"]
    assert snapshot(client.app.state.engine) == before
    resend = "reference,kind,capacity,available_from,status\nE-1,regular,4,2023-07-01,withdrawn\n"
    assert ok(client.post(f"{API}/homes/upload", headers=auth.enschede, files=csv_file("homes.csv", resend)))["unchanged"] == 1
    assert snapshot(client.app.state.engine) == before
    assert ok(client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1b")), 201)["status"] == "open"


def _fail(service, job_id: int) -> None:
    from api.services import jobs

    with service.sessions() as session:
        assert jobs.claim_next(session, "host:1:a") == job_id
    with service.sessions() as session:
        assert jobs.fail_job(session, job_id, "host:1:a", "the solver process died (exit code -9)")


def test_a_failed_jobs_reference_can_be_retried(client, auth, service):
    """A failed job used to hold its reference for ever (every retry answered the failed job).
    Now the same reference after a failure queues a new job; the failed one keeps its reason and
    lets go of the reference (audited); retrying that new job is idempotent again."""
    body = {"as_of": "2023-07-03", "solver": "greedy", "reference": "week-27"}
    first = ok(client.post(f"{API}/proposals", headers=auth.coa, json=body), 202)
    _fail(service, first["id"])
    retry = ok(client.post(f"{API}/proposals", headers=auth.coa, json=body), 202)
    assert retry["id"] != first["id"] and (retry["status"], retry["reference"]) == ("queued", "week-27")
    failed = ok(client.get(f"{API}/proposals/{first['id']}", headers=auth.coa))
    assert (failed["status"], failed["reference"]) == ("failed", None)
    assert failed["error"] == "the solver process died (exit code -9)"
    (event,) = ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": "proposal.retry"}))["items"]
    assert (event["object_id"], event["detail"]) == (str(first["id"]), {"reference": "week-27", "retried_as": retry["id"]})
    again = client.post(f"{API}/proposals", headers=auth.coa, json=body)
    assert again.status_code == 200 and again.json()["id"] == retry["id"]
    assert client.post(f"{API}/proposals", headers=auth.coa, json={**body, "solver": "highspy"}).status_code == 409
    # Failed again: a retry with other parameters is a new job too.
    _fail(service, retry["id"])
    third = ok(client.post(f"{API}/proposals", headers=auth.coa, json={**body, "solver": "highspy"}), 202)
    assert ok(client.get(f"{API}/proposals", headers=auth.coa))["total"] == 3
    assert [j["reference"] for j in ok(client.get(f"{API}/proposals", headers=auth.coa))["items"]] == ["week-27", None, None]
    assert third["solver"] == "highspy"


def test_retries_of_a_failed_reference_at_the_same_moment_make_one_job(client, auth, service):
    """Eight requests retry the failed reference at once: one new job, the others get it."""
    import threading

    from api.schemas import JobIn
    from api.services import jobs
    from api.services.errors import Actor

    body = {"as_of": "2023-07-03", "solver": "greedy", "reference": "week-27"}
    first = ok(client.post(f"{API}/proposals", headers=auth.coa, json=body), 202)
    _fail(service, first["id"])
    actor = Actor(auth.coa_id, "planner", "coa", None)
    results: list[tuple[int, bool]] = []
    barrier = threading.Barrier(8)

    def submit() -> None:
        with service.sessions() as session:
            barrier.wait()
            job, created = jobs.create_job(session, actor, JobIn(**body), service.settings)
            results.append((job.id, created))

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 8 and len({job_id for job_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1 and results[0][0] != first["id"]
    assert ok(client.get(f"{API}/proposals", headers=auth.coa))["total"] == 2
    assert ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": "proposal.retry"}))["total"] == 1


# --- methods ----------------------------------------------------------------------------------

PARAMETERS = {"home_id": "1", "job_id": "1", "line_id": "1", "lock_id": "1", "period_id": "1", "code": "GM0153",
              "household_id": "h1", "figure": "realisation", "move_in_id": "1", "recoupling_id": "1", "exchange_id": "1",
              "signal_id": "large-home-1"}


def test_every_undocumented_method_is_a_405_listing_the_documented_ones(client, auth):
    """For every path of the schema, every method it does not document (OPTIONS too) is a 405
    whose ``Allow`` lists exactly the documented methods.  Starlette used to name the methods of
    the first route on the path only (``OPTIONS /api/v1/homes``: ``Allow: GET``), and ``GET
    /api/v1/homes/upload`` was a 422 about a home id "upload"."""
    paths = ok(client.get("/openapi.json"))["paths"]
    checked = 0
    for path, operations in paths.items():
        if not path.startswith(API):
            continue
        documented = {method.upper() for method in operations}
        url = path.format(**PARAMETERS)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
            if method in documented:
                continue
            for headers in (auth.coa, auth.enschede):
                answer = client.request(method, url, headers=headers)
                assert answer.status_code == 405, (method, url, answer.status_code, answer.text[:300])
                allow = {m.strip() for m in answer.headers.get("allow", "").split(",") if m.strip()}
                assert allow == documented, (method, url, answer.headers.get("allow"), documented)
                checked += 1
    assert checked > 100


def test_the_upload_and_batch_paths_are_no_ids(client, auth):
    """``GET /homes/upload`` and ``GET /households/batch`` are 405s naming POST; a household
    cannot be called ``batch`` or ``upload`` (it could never be read); a home id is digits."""
    for url in (f"{API}/homes/upload", f"{API}/households/batch", f"{API}/households/upload"):
        answer = client.get(url, headers=auth.coa)
        assert (answer.status_code, answer.headers.get("allow")) == (405, "POST"), (url, answer.text)
    for reserved in ("batch", "upload"):
        answer = client.post(f"{API}/households/batch", headers=auth.coa, json={"households": [household(reserved)]})
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "households", 0, "household_id"]
    upsert_ok = ok(client.post(f"{API}/households/batch", headers=auth.coa, json={"households": [household("batch-1")]}))
    assert upsert_ok["created"] == 1
    assert ok(client.get(f"{API}/households/batch-1", headers=auth.coa))["household_id"] == "batch-1"
    assert client.get(f"{API}/homes/abc", headers=auth.enschede).status_code == 404
    assert client.get(f"{API}/homes/0", headers=auth.enschede).status_code == 422


# --- honest status on the edges ---------------------------------------------------------------

@pytest.mark.parametrize("solver", ["highspy", "greedy"])
def test_a_proposal_with_nobody_waiting_is_optimal(client, auth, run_jobs, solver):
    """Homes offered but no household waiting or coupled (here: the only one is housed): the job
    is done with status optimal and every level proven, not feasible with level 4 unproven."""
    ok(client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1")), 201)
    ok(client.post(f"{API}/households/batch", headers=auth.coa, json={"households": [
        household("h1", 2, state="housed", municipality="GM0153", coupling_date="2023-05-01", housed_date="2023-06-01")]}))
    job = ok(client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": "2023-07-03", "solver": solver}), 202)
    run_jobs()
    done = ok(client.get(f"{API}/proposals/{job['id']}", headers=auth.coa))
    assert done["status"] == "done", done
    assert done["summary"]["status"] == "optimal" and all(done["summary"]["proven"].values()), done["summary"]
    assert done["lines"]["total"] == 0


# --- the rules in the OpenAPI schema ----------------------------------------------------------

def _schema_of(client, name: str):
    import jsonschema_rs

    document = ok(client.get("/openapi.json"))
    return jsonschema_rs.Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                                               "components": document["components"]})


SCHEMA_CASES = {
    # model: (bodies the server takes, bodies it refuses for a rule beyond the single fields)
    "HouseholdIn": (
        [household("h1", 3, adults=1, children=2), household("h1"),
         household("h1", state="coupled", municipality="GM0153", coupling_date="2023-05-01"),
         household("h1", state="housed", municipality="GM0153", housed_date="2023-06-01")],
        [household("h1", 3, adults=1), household("h1", 3, children=2), household("h1", 3, adults=1, children=None),
         household("h1", municipality="GM0153"), household("h1", state="coupled", municipality="GM0153"),
         household("h1", state="coupled", coupling_date="2023-05-01"),
         household("h1", state="coupled", municipality="GM0153", coupling_date="2023-05-01", housed_date="2023-06-01"),
         household("h1", state="housed", municipality="GM0153"), household("h1", permit_date="1999-12-31"),
         household("h1", permit_date="2101-01-01")]),
    "HomeIn": (
        [home("E-1", min_occupancy=2), home("E-1", kind="shared"), home("E-1", kind="amv", min_occupancy=1)],
        [home("E-1", kind="shared", min_occupancy=2), home("E-1", kind="temporary", min_occupancy=3),
         home("E-1", available_from="1999-07-01")]),
    "HomePatch": (
        [{"capacity": 3}, {"kind": "regular", "min_occupancy": 2}],
        [{}, {"capacity": None}, {"kind": None}, {"kind": "amv", "min_occupancy": 2}]),
    "DecisionIn": (
        [{"decision": "accept"}, {"decision": "refuse", "reason": "no", "ban": "home"},
         {"decision": "accept", "over_quota": True, "reason": "agreed"}],
        [{"decision": "refuse"}, {"decision": "refuse", "reason": None}, {"decision": "accept", "ban": "home"},
         {"decision": "accept", "over_quota": True}, {"decision": "refuse", "reason": "x", "over_quota": True},
         {"decision": "accept", "date": "1999-01-01"}]),
    "QuotaPatch": ([{"backlog": 3}], [{}]),
    "JobIn": ([{"as_of": "2023-07-03", "time_limit": 20}], [{"as_of": "2023-07-03", "time_limit": 601},
                                                           {"as_of": "2101-01-01"}]),
}


@pytest.mark.parametrize("model", sorted(SCHEMA_CASES))
def test_the_openapi_schema_says_the_cross_field_rules(client, model):
    """The schema used to allow what the validators refuse (a coupled household without a
    municipality, a refusal without a reason, a date in 1999, an empty patch, a time limit over
    the server's): a client or Schemathesis following it got 422s it could not foresee.  Every
    refused body here is refused by the schema too, every accepted one allowed; and the server
    refuses each refused one (a 422 from the model)."""
    from pydantic import ValidationError

    from api import schemas

    validator = _schema_of(client, model)
    good, bad = SCHEMA_CASES[model]
    for body in good:
        assert validator.is_valid(body), (model, body)
        getattr(schemas, model).model_validate(body)
    for body in bad:
        assert not validator.is_valid(body), (model, body)
        if model != "JobIn":  # the server's time limit is checked by the route, not the model
            with pytest.raises(ValidationError):
                getattr(schemas, model).model_validate(body)


def test_null_in_a_patch_is_a_422_at_the_field(client, auth):
    """``{"amv_backlog": null, ...}`` on the quota reached the database as NULL: a 500 (found by
    Schemathesis' coverage phase).  A null in any patch is a 422 naming the field; nothing changes."""
    created = ok(client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1")), 201)
    before = snapshot(client.app.state.engine)
    cases = [("/municipalities/GM0153/quota", auth.coa, {"amv_backlog": None}, "amv_backlog"),
             ("/municipalities/GM0153/quota", auth.coa, {"backlog": None}, "backlog"),
             ("/municipalities/GM0153/quota", auth.coa, {"taakstelling": None}, "taakstelling"),
             (f"/homes/{created['id']}", auth.enschede, {"capacity": 3, "kind": None}, "kind")]
    for path, headers, body, field in cases:
        answer = client.patch(API + path, headers=headers, json=body)
        assert answer.status_code == 422, (path, body, answer.status_code, answer.text[:300])
        assert [e["loc"][-1] for e in answer.json()["detail"]] == [field], answer.json()
    for path, headers in (("/municipalities/GM0153/quota", auth.coa), (f"/homes/{created['id']}", auth.enschede)):
        assert client.patch(API + path, headers=headers, json={}).status_code == 422
    assert snapshot(client.app.state.engine) == before
    assert ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa, json={"backlog": 2}))
