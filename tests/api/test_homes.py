"""Homes: a municipality offers, changes and withdraws its own, one by one or by CSV."""

from __future__ import annotations

from api_testing import API, home, ok


def csv_file(text: str) -> dict:
    return {"file": ("homes.csv", text.encode("utf-8"), "text/csv")}


def test_offer_change_withdraw(client, auth):
    """Create (201), change (200, audited), withdraw (status withdrawn, audited)."""
    created = ok(client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1", capacity=3)), 201)
    assert (created["municipality"], created["status"], created["occupied"]) == ("GM0153", "open", 0)
    changed = ok(client.patch(f"{API}/homes/{created['id']}", headers=auth.enschede, json={"capacity": 5, "accessible": True}))
    assert (changed["capacity"], changed["accessible"]) == (5, True)
    withdrawn = ok(client.post(f"{API}/homes/{created['id']}/withdraw", headers=auth.enschede))
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawn_at"]
    actions = [e["action"] for e in ok(client.get(f"{API}/audit", headers=auth.coa, params={"object_type": "home"}))["items"]]
    assert actions == ["home.withdraw", "home.update", "home.create"]
    assert client.patch(f"{API}/homes/{created['id']}", headers=auth.enschede, json={"capacity": 2}).status_code == 409


def test_a_retry_never_creates_a_second_home(client, auth):
    """The same reference and values: 200 and the same id; other values: 409; one home in all."""
    first = ok(client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1")), 201)
    retry = client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1"))
    assert retry.status_code == 200 and retry.json()["id"] == first["id"]
    conflict = client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1", capacity=6))
    assert conflict.status_code == 409 and f"/homes/{first['id']}" in conflict.json()["detail"]
    assert ok(client.get(f"{API}/homes", headers=auth.enschede))["total"] == 1
    # The same reference in another municipality is another home.
    assert client.post(f"{API}/homes", headers=auth.hengelo, json=home("E-1")).status_code == 201


def test_a_new_home_is_audited_once_with_its_values(client, auth):
    """The event of a new home (on PostgreSQL written by the insert's own statement): who, which
    home, the values; a retry and a conflict write none."""
    created = ok(client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1", kind="shared", capacity=3)), 201)
    assert client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1", kind="shared", capacity=3)).status_code == 200
    assert client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1", capacity=2)).status_code == 409
    events = ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": "home.create"}))["items"]
    assert len(events) == 1
    event = events[0]
    assert (event["token_id"], event["actor"], event["object_type"], event["object_id"]) == (
        auth.enschede_id, "GM0153 (municipality GM0153)", "home", str(created["id"]))
    assert event["detail"] == {"reference": "E-1", "kind": "shared", "capacity": 3, "min_occupancy": 1,
                               "accessible": False, "available_from": "2023-07-01"}
    assert event["at"][:19] == created["created_at"][:19]


def test_withdraw_and_patch_are_idempotent(client, auth):
    """Withdrawing twice or sending the same change twice: the same answer, one audit event."""
    created = ok(client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1")), 201)
    a = ok(client.patch(f"{API}/homes/{created['id']}", headers=auth.enschede, json={"capacity": 6}))
    b = ok(client.patch(f"{API}/homes/{created['id']}", headers=auth.enschede, json={"capacity": 6}))
    assert a == b
    w1 = ok(client.post(f"{API}/homes/{created['id']}/withdraw", headers=auth.enschede))
    w2 = ok(client.post(f"{API}/homes/{created['id']}/withdraw", headers=auth.enschede))
    assert w1 == w2
    events = ok(client.get(f"{API}/audit", headers=auth.coa, params={"object_type": "home", "object_id": str(created["id"])}))["items"]
    assert [e["action"] for e in events] == ["home.withdraw", "home.update", "home.create"]


def test_another_municipalitys_homes_do_not_exist_for_it(client, auth):
    """Hengelo cannot see, change or withdraw Enschede's home, nor find it by guessing ids."""
    created = ok(client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1")), 201)
    home_id = created["id"]
    for response in (client.get(f"{API}/homes/{home_id}", headers=auth.hengelo),
                     client.patch(f"{API}/homes/{home_id}", headers=auth.hengelo, json={"capacity": 2}),
                     client.post(f"{API}/homes/{home_id}/withdraw", headers=auth.hengelo)):
        assert response.status_code == 404, response.text
    for guess in range(1, 20):
        assert client.get(f"{API}/homes/{guess}", headers=auth.hengelo).status_code == 404
    assert ok(client.get(f"{API}/homes", headers=auth.hengelo))["total"] == 0
    assert ok(client.get(f"{API}/homes", headers=auth.hengelo, params={"municipality": "GM0153"}))["total"] == 0
    assert ok(client.get(f"{API}/homes/{home_id}", headers=auth.enschede))["status"] == "open"
    assert ok(client.get(f"{API}/homes", headers=auth.coa, params={"municipality": "GM0153"}))["total"] == 1


def test_field_level_422s(client, auth):
    """Bad kind, zero capacity, min_occupancy above capacity, a bad date, unknown field."""
    cases = [
        (home("X", kind="castle"), ["body", "kind"]),
        (home("X", capacity=0), ["body", "capacity"]),
        (home("X", capacity=2, min_occupancy=3), ["body"]),
        (home("X", kind="shared", min_occupancy=2), ["body"]),
        (home("X", available_from="1st of July"), ["body", "available_from"]),
        ({**home("X"), "colour": "red"}, ["body", "colour"]),
        (home("bad reference with spaces"), ["body", "reference"]),
    ]
    for body, loc in cases:
        response = client.post(f"{API}/homes", headers=auth.enschede, json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["loc"] == loc, response.json()
    assert ok(client.get(f"{API}/homes", headers=auth.enschede))["total"] == 0


def test_csv_upload_creates_updates_withdraws_and_is_idempotent(client, auth):
    """Upload, upload the same (all unchanged), upload a change and a withdrawal."""
    text = ("reference,kind,capacity,min_occupancy,accessible,available_from,x_note\n"
            "E-1,regular,4,2,1,2023-07-01,corner house\n"
            "E-2,shared,3,,0,2023-07-15,\n")
    first = ok(client.post(f"{API}/homes/upload", headers=auth.enschede, files=csv_file(text)))
    assert (first["created"], first["updated"], first["unchanged"]) == (2, 0, 0)
    again = ok(client.post(f"{API}/homes/upload", headers=auth.enschede, files=csv_file(text)))
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert [h["id"] for h in again["items"]] == [h["id"] for h in first["items"]]
    change = ("reference,kind,capacity,available_from,status\n"
              "E-1,regular,5,2023-07-01,open\n"
              "E-2,shared,3,2023-07-15,withdrawn\n")
    third = ok(client.post(f"{API}/homes/upload", headers=auth.enschede, files=csv_file(change)))
    assert (third["created"], third["updated"], third["withdrawn"]) == (0, 1, 1)
    by_ref = {h["reference"]: h for h in ok(client.get(f"{API}/homes", headers=auth.enschede))["items"]}
    assert by_ref["E-1"]["capacity"] == 5 and by_ref["E-1"]["min_occupancy"] == 1
    assert by_ref["E-2"]["status"] == "withdrawn"


def test_csv_with_bad_rows_writes_nothing_and_names_every_bad_row(client, auth):
    """Three bad rows among good ones: 422 listing rows 3, 4 and 6 with their columns; no home."""
    text = ("reference,kind,capacity,available_from\n"
            "E-1,regular,4,2023-07-01\n"
            "E-2,palace,4,2023-07-01\n"
            "E-3,regular,-1,2023-07-01\n"
            "E-4,temporary,8,2023-08-01\n"
            "E-1,regular,4,2023-07-01\n")
    response = client.post(f"{API}/homes/upload", headers=auth.enschede, files=csv_file(text))
    assert response.status_code == 422
    locs = [tuple(e["loc"]) for e in response.json()["detail"]]
    assert locs == [("file", 3, "kind"), ("file", 4, "capacity"), ("file", 6, "reference")]
    assert ok(client.get(f"{API}/homes", headers=auth.enschede))["total"] == 0


def test_csv_header_and_encoding_problems_are_422(client, auth):
    """Unknown column, missing column, not UTF-8, empty file: each a 422 naming the problem."""
    for content, expected in ((b"reference,kind,capacty,available_from\nE,regular,1,2023-07-01\n", "capacty"),
                              (b"reference,kind\nE,regular\n", "capacity"),
                              (b"reference,kind,capacity,available_from\nE\x81,regular,1,2023-07-01\n", "UTF-8"),
                              (b"", "empty")):
        response = client.post(f"{API}/homes/upload", headers=auth.enschede, files={"file": ("h.csv", content, "text/csv")})
        assert response.status_code == 422, content
        assert expected in response.text, response.text


def test_coa_reads_all_homes_but_cannot_offer(client, auth):
    """COA lists every municipality's homes; offering one is a municipality's job (403)."""
    ok(client.post(f"{API}/homes", headers=auth.enschede, json=home("E-1")), 201)
    ok(client.post(f"{API}/homes", headers=auth.hengelo, json=home("H-1")), 201)
    assert ok(client.get(f"{API}/homes", headers=auth.coa))["total"] == 2
    assert client.post(f"{API}/homes", headers=auth.coa, json=home("C-1")).status_code == 403


def test_the_same_reference_sent_at_the_same_moment_makes_one_home(client, auth, service):
    """Eight sessions submit the same new home at once: one creates it, the others get that home."""
    import threading

    from api.schemas import HomeIn
    from api.services import homes as homes_service
    from api.services.errors import Actor

    actor = Actor(auth.enschede_id, "GM0153", "municipality", "GM0153")
    body = HomeIn(**home("E-race"))
    results: list[tuple[int, bool]] = []
    barrier = threading.Barrier(8)

    def submit() -> None:
        with service.sessions() as session:
            barrier.wait()
            made, created = homes_service.create_home(session, actor, body)
            results.append((made.id, created))

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 8 and len({home_id for home_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert ok(client.get(f"{API}/homes", headers=auth.enschede))["total"] == 1
    events = ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": "home.create"}))
    assert events["total"] == 1


def test_who_is_asking_comes_before_malformed_input(client, auth):
    """A malformed body with an unknown token is a 401, with a token of the wrong role a 403;
    only a caller who may use the route learns what is wrong with the input (422)."""
    bad = {"reference": "", "kind": "castle", "capacity": -1}
    assert client.post(f"{API}/homes", headers={"Authorization": "Bearer not-a-token"}, json=bad).status_code == 401
    assert client.post(f"{API}/homes", headers=auth.coa, json=bad).status_code == 403
    assert client.post(f"{API}/homes", json=bad).status_code == 401
    assert client.post(f"{API}/homes", headers=auth.enschede, json=bad).status_code == 422
