"""Municipalities and their quota state; periods; redistributions; reception locations."""

from __future__ import annotations

from api_testing import API, household, ok, upsert

TOTAL_2023_II, AMV_2023_II = 27_300, 2_000
"""The national taakstelling of 2023-II and its AMV part (Bijlage A, seed 001 line 785)."""


def totals(client, auth) -> tuple[int, int]:
    items = ok(client.get(f"{API}/municipalities", headers=auth.coa))["items"]
    return sum(m["quota"]["taakstelling"] + m["quota"]["redistributed"] for m in items), \
        sum(m["amv"]["taakstelling"] + m["amv"]["redistributed"] for m in items)


def test_seeded_from_the_embedded_data(client, auth):
    """342 municipalities, the 2023-II totals, Leeuwarden carrying the Wadden islands."""
    body = ok(client.get(f"{API}/municipalities", headers=auth.coa))
    assert body["total"] == 342 and totals(client, auth) == (TOTAL_2023_II, AMV_2023_II)
    ameland = ok(client.get(f"{API}/municipalities/GM0060", headers=auth.coa))
    assert ameland["quota_executed_by"] == "GM0080" and ameland["quota"]["taakstelling"] == 0
    leeuwarden = ok(client.get(f"{API}/municipalities/GM0080", headers=auth.coa))
    assert leeuwarden["period"] == "2023-II"
    assert leeuwarden["quota"] == {"taakstelling": 211, "redistributed": 0, "backlog": 0, "realised": 0, "coupled": 0,
                                   "remaining": 211}
    assert leeuwarden["amv"]["taakstelling"] == 17
    friesland = ok(client.get(f"{API}/municipalities", headers=auth.coa, params={"province": "Friesland"}))
    assert friesland["total"] == 18


def test_a_municipality_sees_itself_only(client, auth):
    """Enschede lists only itself; another municipality's detail is a 404."""
    body = ok(client.get(f"{API}/municipalities", headers=auth.enschede))
    assert [m["code"] for m in body["items"]] == ["GM0153"]
    assert client.get(f"{API}/municipalities/GM0164", headers=auth.enschede).status_code == 404
    assert client.get(f"{API}/municipalities/GM9999", headers=auth.coa).status_code == 404
    assert client.get(f"{API}/municipalities/153", headers=auth.coa).status_code == 422


def test_set_backlog_and_taakstelling(client, auth):
    """COA sets a backlog (achterstand) and an advance; remaining follows; repeating changes nothing."""
    body = ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa, json={"backlog": 25, "amv_backlog": 2}))
    assert body["quota"]["backlog"] == 25 and body["quota"]["remaining"] == body["quota"]["taakstelling"] + 25
    again = ok(client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa, json={"backlog": 25, "amv_backlog": 2}))
    assert again == body
    events = ok(client.get(f"{API}/audit", headers=auth.coa, params={"action": "quota.update"}))
    assert events["total"] == 1 and events["items"][0]["detail"]["after"] == {"backlog": 25, "amv_backlog": 2}
    advance = ok(client.patch(f"{API}/municipalities/GM0164/quota", headers=auth.coa, json={"backlog": -10}))
    assert advance["quota"]["remaining"] == advance["quota"]["taakstelling"] - 10
    for bad in ({}, {"backlog": "lots"}, {"backlog": 10**9}, {"amv_taakstelling": 10_000}, {"colour": 1}):
        assert client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa, json=bad).status_code == 422, bad
    assert client.patch(f"{API}/municipalities/GM9999/quota", headers=auth.coa, json={"backlog": 1}).status_code == 404


def test_redistribution_keeps_the_total(client, auth):
    """30 persons (3 AMV) of Tubbergen carried by Almelo: both change, the total does not."""
    body = {"reference": "2023-II-tubbergen", "from_municipality": "GM0183", "to_municipality": "GM0141",
            "persons": 30, "amv_persons": 0, "reason": "regional arrangement Twente"}
    record = ok(client.post(f"{API}/redistributions", headers=auth.coa, json=body), 201)
    assert record["period"] == "2023-II"
    tubbergen = ok(client.get(f"{API}/municipalities/GM0183", headers=auth.coa))["quota"]
    almelo = ok(client.get(f"{API}/municipalities/GM0141", headers=auth.coa))["quota"]
    assert tubbergen["redistributed"] == -30 and almelo["redistributed"] == 30
    assert tubbergen["remaining"] == tubbergen["taakstelling"] - 30
    assert totals(client, auth) == (TOTAL_2023_II, AMV_2023_II)
    again = client.post(f"{API}/redistributions", headers=auth.coa, json=body)
    assert again.status_code == 200 and again.json()["id"] == record["id"]
    assert client.post(f"{API}/redistributions", headers=auth.coa, json={**body, "persons": 31}).status_code == 409
    assert len(ok(client.get(f"{API}/redistributions", headers=auth.coa))) == 1


def test_redistribution_refuses_what_does_not_add_up(client, auth):
    """Same municipality twice, more than the giver has, AMV above persons, unknown code: 422."""
    base = {"reference": "r", "from_municipality": "GM0183", "to_municipality": "GM0141", "persons": 1,
            "reason": "test"}
    for change, field in (({"to_municipality": "GM0183"}, None), ({"persons": 100_000}, "persons"),
                          ({"amv_persons": 5}, None), ({"from_municipality": "GM9999"}, "from_municipality"),
                          ({"from_municipality": "GM0060"}, "persons")):
        response = client.post(f"{API}/redistributions", headers=auth.coa, json={**base, **change})
        assert response.status_code == 422, (change, response.text)
        if field:
            assert field in response.json()["detail"][0]["loc"], response.json()
    assert ok(client.get(f"{API}/redistributions", headers=auth.coa)) == []


def test_a_new_period_carries_the_backlog(client, auth):
    """Open 2024-I: it becomes current; what Enschede still owed becomes its backlog; the
    coupled household still counts; opening it again returns it; other dates are a 409."""
    upsert(client, auth,
           household("h1", 3, state="housed", municipality="GM0153", coupling_date="2023-06-01", housed_date="2023-07-10"),
           household("h2", 2, state="coupled", municipality="GM0153", coupling_date="2023-09-01"))
    old = ok(client.get(f"{API}/municipalities/GM0153", headers=auth.coa))["quota"]
    body = {"name": "2024-I", "starts_on": "2024-01-01", "ends_on": "2024-06-30",
            "quotas": [{"municipality": "GM0153", "taakstelling": 200, "amv_taakstelling": 10}]}
    period = ok(client.post(f"{API}/periods", headers=auth.coa, json=body), 201)
    assert period["current"] and period["name"] == "2024-I"
    new = ok(client.get(f"{API}/municipalities/GM0153", headers=auth.coa))
    assert new["period"] == "2024-I"
    assert new["quota"]["backlog"] == old["taakstelling"] - 3
    assert (new["quota"]["taakstelling"], new["quota"]["realised"], new["quota"]["coupled"]) == (200, 0, 2)
    hengelo = ok(client.get(f"{API}/municipalities/GM0164", headers=auth.coa))["quota"]
    assert hengelo["taakstelling"] == 126 and hengelo["backlog"] == 126
    again = client.post(f"{API}/periods", headers=auth.coa, json=body)
    assert again.status_code == 200 and again.json()["id"] == period["id"]
    assert client.post(f"{API}/periods", headers=auth.coa, json={**body, "ends_on": "2024-07-31"}).status_code == 409
    listed = ok(client.get(f"{API}/periods", headers=auth.coa))
    assert [(p["name"], p["current"]) for p in listed] == [("2023-II", False), ("2024-I", True)]
    assert ok(client.get(f"{API}/periods/{period['id']}", headers=auth.coa))["taakstelling"] > 0
    assert client.get(f"{API}/periods/99", headers=auth.coa).status_code == 404


def test_period_input_is_checked(client, auth):
    """A bad name, reversed dates, a start before the current period, an unknown municipality: 422."""
    base = {"name": "2024-I", "starts_on": "2024-01-01", "ends_on": "2024-06-30"}
    for change in ({"name": "spring"}, {"ends_on": "2023-12-01"}, {"starts_on": "2023-01-01", "ends_on": "2023-06-30"},
                   {"quotas": [{"municipality": "GM9999", "taakstelling": 1}]},
                   {"quotas": [{"municipality": "GM0153", "taakstelling": 1, "amv_taakstelling": 2}]}):
        response = client.post(f"{API}/periods", headers=auth.coa, json={**base, **change})
        assert response.status_code == 422, (change, response.text)
    assert len(ok(client.get(f"{API}/periods", headers=auth.coa))) == 1


def test_locations(client, auth):
    """The illustrative reception locations, for households' location_id."""
    locations = ok(client.get(f"{API}/locations", headers=auth.coa))
    assert len(locations) >= 50 and any(loc["location_id"] == "azc-ter-apel" for loc in locations)


def test_an_amv_part_above_the_taakstelling_is_422_naming_the_values_sent(client, auth):
    """Lowering the taakstelling below the AMV part: 422 naming the values asked for (not the
    stored ones), and nothing changes."""
    before = ok(client.get(f"{API}/municipalities/GM0153", headers=auth.coa))
    response = client.patch(f"{API}/municipalities/GM0153/quota", headers=auth.coa, json={"taakstelling": 1})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "amv_taakstelling"], "type": "value_error", "code": "amv_exceeds",
                                          "msg": f"the AMV part ({before['amv']['taakstelling']}) cannot exceed the "
                                                 "taakstelling (1)"}]
    assert ok(client.get(f"{API}/municipalities/GM0153", headers=auth.coa)) == before
