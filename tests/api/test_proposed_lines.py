"""What a municipality sees of the proposals: only the lines placing households in it (that COA
accepted or may still accept), with only what it needs of the household, never another
municipality's lines."""

from __future__ import annotations

from api_testing import API, decide, enschede_world, home, household, line_of, lines, offer, ok, propose, upsert

HOUSEHOLD_FIELDS = {"household_id", "size", "adults", "children", "amv", "needs_accessible", "expected_extra",
                    "document_ready", "permit_date"}
LINE_FIELDS = {"line_id", "job_id", "as_of", "action", "municipality", "home_id", "home_reference", "decision",
               "decision_date"}


def proposed(client, headers, **params):
    return ok(client.get(f"{API}/proposed-lines", headers=headers, params={"limit": 1000, **params}))


def test_a_municipality_sees_the_lines_proposed_to_it_and_only_what_it_needs(client, auth, run_jobs):
    """Enschede sees its house line (with its own home's reference) and its couple line, with the
    household's size, composition, needs and dates, and nothing of where it waits, its ties, the
    engine's reasons or distances."""
    world = enschede_world(client, auth, run_jobs)
    page = proposed(client, auth.enschede)
    assert page["total"] == 2
    by_household = {item["household_id"]: item for item in page["items"]}
    assert set(by_household) == {"h-single", "h-family"}
    for item in page["items"]:
        assert set(item) == LINE_FIELDS | HOUSEHOLD_FIELDS
        assert item["municipality"] == "GM0153" and item["decision"] == "pending" and item["as_of"] == "2023-07-03"
    single, family = by_household["h-single"], by_household["h-family"]
    assert (single["line_id"], single["action"], single["home_id"], single["home_reference"]) == (
        world["single"]["id"], "house", world["home"]["id"], "E-1")
    assert (family["line_id"], family["action"], family["home_id"], family["size"], family["adults"], family["children"],
            family["permit_date"]) == (world["family"]["id"], "couple", None, 4, 2, 2, "2023-03-01")
    assert ok(client.get(f"{API}/proposed-lines/{family['line_id']}", headers=auth.enschede)) == family


def test_another_municipality_sees_none_of_them(client, auth, run_jobs):
    """Hengelo: an empty list, and a 404 for each of Enschede's lines and for every other line."""
    world = enschede_world(client, auth, run_jobs)
    assert proposed(client, auth.hengelo) == {"items": [], "total": 0}
    every = lines(client, auth, world["job"]["id"])
    for line in every:
        assert client.get(f"{API}/proposed-lines/{line['id']}", headers=auth.hengelo).status_code == 404
    assert proposed(client, auth.hengelo, job_id=world["job"]["id"])["total"] == 0


def test_lines_to_two_municipalities_stay_apart(client, auth, run_jobs):
    """With homes in Enschede and Hengelo, each municipality sees exactly the lines placing
    households in it, and a 404 for the other's."""
    upsert(client, auth, *(household(f"h{i}", 1 + i % 3, permit_date=f"2023-01-0{i + 1}") for i in range(6)))
    offer(client, auth.enschede, home("E-1", capacity=2))
    offer(client, auth.hengelo, home("H-1", capacity=3), home("H-2", kind="shared", capacity=2))
    job = propose(client, auth, run_jobs, solver="auto", time_limit=20)  # exact: houses in Hengelo too
    every = [line for line in lines(client, auth, job["id"]) if line["action"] != "wait"]
    for who, code in ((auth.enschede, "GM0153"), (auth.hengelo, "GM0164")):
        mine = {line["id"] for line in every if line["municipality"] == code}
        assert mine, f"the proposal places nobody in {code}: {every}"
        seen = proposed(client, who)["items"]
        assert {item["line_id"] for item in seen} == mine
        for line in every:
            status = client.get(f"{API}/proposed-lines/{line['id']}", headers=who).status_code
            assert status == (200 if line["id"] in mine else 404), (code, line)


def test_refused_and_stale_lines_disappear_accepted_ones_stay(client, auth, run_jobs):
    """Refused: gone.  Accepted: shown with its date.  A second job's line for a household that
    was meanwhile coupled through the first job can no longer be accepted: gone too."""
    world = enschede_world(client, auth, run_jobs)
    second = propose(client, auth, run_jobs)
    ok(decide(client, auth, world["job"]["id"], world["family"]["id"], date="2023-07-04"))
    ok(decide(client, auth, world["job"]["id"], world["single"]["id"], "refuse", reason="the stairs are too steep"))
    seen = {(item["job_id"], item["household_id"]): item for item in proposed(client, auth.enschede)["items"]}
    assert seen[(world["job"]["id"], "h-family")]["decision"] == "accepted"
    assert seen[(world["job"]["id"], "h-family")]["decision_date"] == "2023-07-04"
    assert (world["job"]["id"], "h-single") not in seen  # refused
    stale = line_of(client, auth, second["id"], "h-family")
    assert stale["decision"] == "pending" and (second["id"], "h-family") not in seen
    assert client.get(f"{API}/proposed-lines/{world['single']['id']}", headers=auth.enschede).status_code == 404
    assert client.get(f"{API}/proposed-lines/{stale['id']}", headers=auth.enschede).status_code == 404
    assert [i["household_id"] for i in proposed(client, auth.enschede, decision="accepted")["items"]] == ["h-family"]
    assert {i["job_id"] for i in proposed(client, auth.enschede, job_id=second["id"])["items"]} <= {second["id"]}


def test_wait_lines_and_the_wrong_caller(client, auth, run_jobs):
    """A wait line is nobody's (404); no token or a revoked one is a 401; COA is a 403 (it has
    /proposals/{job_id}/lines)."""
    # Within 1 km of its reception location only Enschede, and Enschede has no quota left: it waits.
    ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa,
                    json={"taakstelling": 0, "amv_taakstelling": 0, "backlog": 0}))
    upsert(client, auth, household("h-far", 2))
    job = propose(client, auth, run_jobs, params={"max_km": 1})
    wait = line_of(client, auth, job["id"], "h-far")
    assert wait["action"] == "wait"
    assert client.get(f"{API}/proposed-lines/{wait['id']}", headers=auth.enschede).status_code == 404
    assert proposed(client, auth.enschede)["total"] == 0
    for headers in ({}, auth.revoked, {"Authorization": "Bearer mt_guess"}):
        assert client.get(f"{API}/proposed-lines", headers=headers).status_code == 401
        assert client.get(f"{API}/proposed-lines/{wait['id']}", headers=headers).status_code == 401
    assert client.get(f"{API}/proposed-lines", headers=auth.coa).status_code == 403
    assert client.get(f"{API}/proposed-lines/{wait['id']}", headers=auth.coa).status_code == 403
