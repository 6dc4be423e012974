"""Signals (issue 16 item 5) on a small database whose answers are worked out by hand below;
access (401/403/404/422, a municipality sees only signals about itself); paging the feed with
its cursor; the one-action redistribution keeps the total.  Each test runs on SQLite and on
PostgreSQL (the ``client`` fixture).

The world (period 2023-II, as of Wednesday 2023-07-05: the week of Monday 3 July; the default
settings: a large home has capacity 5 or more, 4 whole weeks 5 June - 2 July, ratio 0.8).
Every household waits in azc-enschede unless said; Enschede-Hengelo 8.8 km,
Haaksbergen-Hengelo 12.687 km, Haaksbergen-Enschede 12.707 km, Amsterdam-Enschede 137.5 km.

========  ====  ==========  =========================================================
id        size  permit      what
========  ====  ==========  =========================================================
f6        6     2023-01-01  fits Enschede's E-BIG (6 places, at least 4)
f4        4     2023-03-01  fits E-BIG and Hengelo's H-5
f5        5     2023-02-01  needs an accessible home: fits neither
f3        3     2023-01-15  fewer than E-BIG's minimum 4; fits H-5
f7        7     2023-01-01  more than either holds
fa        5     2023-01-01  waits in azc-amsterdam, 137.5 km: out of range
fc        5     2023-01-01  coupled to Hengelo (12 June): fits H-5 (its own municipality)
d2        2     2023-02-01  fits Haaksbergen's K-2, which has no quota left
s1        1     2023-04-01  fits K-2 too, but d2 has waited longer
c1        10    -           coupled to Enschede 20 June (Overijssel)
c2        10    -           coupled to Leeuwarden 12 June (Friesland), azc-leeuwarden
c3        2     -           coupled to Hengelo 5 June (first day of the window), housed 30 June
c4, c5    3     -           coupled to Amsterdam 3 July (this week) and 4 June: outside the window
========  ====  ==========  =========================================================

Homes: Enschede E-BIG (regular, 6, at least 4) and E-2 (2); Hengelo H-5 (5); Haaksbergen K-2
(2), whose taakstelling is set to 0 (so the national target is 27,300 - 38 = 27,262).

- Large homes (capacity >= 5): E-BIG fits f6 and f4 (f5 needs accessible, f3 is below the
  minimum, f7 too big, fa out of range, fc coupled to Hengelo); H-5 fits f3, d2, f4, s1 (in
  range, 8.8 km) and fc (coupled there), longest overdue first (on 12 July, the horizon's end:
  f3 80, d2 63, f4 35, s1 4, fc 0 days).  E-2 and K-2 are small.
- Couplings 5 June - 2 July: fc 5 + c3 2 (Hengelo) + c1 10 (Enschede) = 17 in Overijssel,
  c2 10 in Friesland; 27 in all.  Expected = 27 x target / 27,262: Overijssel 1,782 -> 1.8 and
  Friesland 1,016 -> 1.0 are above; the ten others got 0 < 0.8 x expected, e.g. Zuid-Holland
  27 x 5,815 / 27,262 = 5.759 -> 5.8 and Drenthe 27 x 773 / 27,262 = 0.766 -> 0.8.  Regions:
  Noord (2,705 -> 2.7, got 10) and Oost (5,063 -> 5.0, got 17) are above; Midden (7,309 ->
  7.2), Zuid (5,767 -> 5.7) and West (6,418 -> 6.4) got 0.
- Safety regions: Twente (947 -> 0.9, got 17) and Fryslân (1,016, got 10) are above; the 23
  others got 0, e.g. Amsterdam-Amstelland 27 x 1,708 / 27,262 = 1.692 -> 1.7.
- Idle for lack of quota: K-2 takes d2 (longest overdue of those it fits: f3 is too big), but
  Haaksbergen has no quota left: 2 persons short.  The nearest municipality with quota to
  spare is Hengelo (12.687 km; Enschede 12.707 km): its H-5 takes fc, already coupled there, so
  all 126 - 5 (fc) = 121 persons left are spare: the suggestion moves 2 persons from Hengelo to
  Haaksbergen.  Enschede's homes take f6 and d2 within its quota: not idle.
"""

from __future__ import annotations

import pytest
from api_testing import API, bearer, home, household, offer, ok, upsert

from api.services import tokens
from api.services.signals import RANK

AS_OF = "2023-07-05"

WORLD = [
    household("f6", 6, permit_date="2023-01-01"),
    household("f4", 4, permit_date="2023-03-01"),
    household("f5", 5, permit_date="2023-02-01", needs_accessible=True),
    household("f3", 3, permit_date="2023-01-15"),
    household("f7", 7, permit_date="2023-01-01"),
    household("fa", 5, location_id="azc-amsterdam", permit_date="2023-01-01"),
    household("fc", 5, permit_date="2023-01-01", state="coupled", municipality="GM0164", coupling_date="2023-06-12"),
    household("d2", 2, permit_date="2023-02-01"),
    household("s1", 1, permit_date="2023-04-01"),
    household("c1", 10, permit_date="2023-05-01", state="coupled", municipality="GM0153", coupling_date="2023-06-20"),
    household("c2", 10, location_id="azc-leeuwarden", permit_date="2023-05-01", state="coupled", municipality="GM0080",
              coupling_date="2023-06-12"),
    household("c3", 2, permit_date="2023-05-01", state="housed", municipality="GM0164", coupling_date="2023-06-05",
              housed_date="2023-06-30"),
    household("c4", 3, location_id="azc-amsterdam", permit_date="2023-05-01", state="coupled", municipality="GM0363",
              coupling_date="2023-07-03"),
    household("c5", 3, location_id="azc-amsterdam", permit_date="2023-05-01", state="coupled", municipality="GM0363",
              coupling_date="2023-06-04"),
]


def municipality_token(service, code: str) -> dict[str, str]:
    with service.sessions() as session:
        return bearer(tokens.create_token(session, "municipality", code).secret)


@pytest.fixture
def world(client, auth, service):
    upsert(client, auth, *WORLD)
    ok(client.patch(f"{API}/municipalities/GM0158/quota", headers=auth.coa, json={"taakstelling": 0, "amv_taakstelling": 0}))
    offer(client, auth.enschede, home("E-BIG", capacity=6, min_occupancy=4), home("E-2", capacity=2))
    offer(client, auth.hengelo, home("H-5", capacity=5))
    offer(client, municipality_token(service, "GM0158"), home("K-2", capacity=2))
    return auth


def feed(client, headers, **params):
    return ok(client.get(f"{API}/signals", headers=headers, params={"as_of": AS_OF, **params}))


def ids(items) -> list[str]:
    return [item["id"] for item in items]


def by_id(items) -> dict:
    return {item["id"]: item for item in items}


SHORT_PROVINCES = ["Drenthe", "Flevoland", "Gelderland", "Groningen", "Limburg", "Noord-Brabant", "Noord-Holland",
                   "Utrecht", "Zeeland", "Zuid-Holland"]


def test_large_homes_list_the_households_they_fit(client, world):
    signals = by_id(feed(client, world.coa, kind="large_home")["items"])
    assert set(signals) == {"large-home-1", "large-home-3"}  # E-2 (2) and K-2 (2) are small
    big = signals["large-home-1"]
    assert big["municipalities"] == ["GM0153"] and big["province"] == "Overijssel"
    assert big["values"] | {} == {"home_id": 1, "municipality": "GM0153", "name": "Enschede", "capacity": 6, "size": 5,
                                  "fits": 2, "fits_within_quota": 2}
    assert big["homes"][0]["reference"] == "E-BIG" and big["homes"][0]["min_occupancy"] == 4
    assert [(h["household_id"], h["size"], h["overdue_days"], h["quota_allows"]) for h in big["households"]] == [
        ("f6", 6, 94, True), ("f4", 4, 35, True)]
    five = signals["large-home-3"]  # capacity 5 is large: "at or above"
    assert [(h["household_id"], h["overdue_days"], h["km"], h["coupled_to"]) for h in five["households"]] == [
        ("f3", 80, 8.8, None), ("d2", 63, 8.8, None), ("f4", 35, 8.8, None), ("s1", 4, 8.8, None),
        ("fc", 0, 8.8, "GM0164")]


def test_the_large_home_size_is_a_setting(client, world, service):
    settings = service.app.state.settings
    service.app.state.settings = settings.with_(signal_large_home=6)
    try:
        assert ids(feed(client, world.coa, kind="large_home")["items"]) == ["large-home-1"]
    finally:
        service.app.state.settings = settings


def test_a_home_made_smaller_than_the_size_raises_nothing(client, world):
    ok(client.patch(f"{API}/homes/1", headers=world.enschede, json={"capacity": 4}))
    assert ids(feed(client, world.coa, kind="large_home")["items"]) == ["large-home-3"]


def test_provinces_and_regions_short_of_their_quota_share(client, world):
    items = feed(client, world.coa, kind=["province_shortfall", "region_shortfall"])["items"]
    provinces = {s["province"]: s for s in items if s["kind"] == "province_shortfall"}
    assert sorted(provinces) == SHORT_PROVINCES
    zh = provinces["Zuid-Holland"]
    assert zh["id"] == "shortfall-zuid-holland-2023-07-03" and zh["raised_at"] == "2023-07-03T00:00:00Z"
    assert {k: zh["values"][k] for k in ("couplings", "national_couplings", "target", "national_target", "expected",
                                         "window_start", "window_end", "weeks")} == {
        "couplings": 0, "national_couplings": 27, "target": 5815, "national_target": 27262, "expected": 5.8,
        "window_start": "2023-06-05", "window_end": "2023-07-02", "weeks": 4}
    assert provinces["Drenthe"]["values"]["expected"] == 0.8
    regions = {s["values"]["region"]: s["values"] for s in items if s["kind"] == "region_shortfall"}
    assert {name: v["expected"] for name, v in regions.items()} == {
        "Midden-Nederland": 7.2, "Zuid-Nederland": 5.7, "West-Nederland": 6.4}
    assert regions["Midden-Nederland"]["target"] == 7309


def test_safety_regions_short_of_their_quota_share(client, world):
    items = feed(client, world.coa, kind="safety_region_shortfall", limit=200)["items"]
    regions = {s["values"]["safety_region"]: s["values"] for s in items}
    # 25 veiligheidsregio's: Twente (17 coupled, expected 27 x 947 / 27,262 = 0.9) and Fryslân (10) are not short
    assert len(regions) == 23 and "Twente" not in regions and "Fryslân" not in regions
    # Amsterdam-Amstelland: Aalsmeer 51, Amstelveen 143, Amsterdam 1,394, Diemen 50, Ouder-Amstel 22, Uithoorn 48
    amsterdam = regions["Amsterdam-Amstelland"]
    assert (amsterdam["target"], amsterdam["expected"], amsterdam["couplings"]) == (1708, 1.7, 0)
    assert by_id(items)["safety-shortfall-amsterdam-amstelland-2023-07-03"]["kind"] == "safety_region_shortfall"


def test_no_couplings_in_the_window_no_shortfall(client, auth):
    upsert(client, auth, household("x", 3, state="coupled", municipality="GM0153", coupling_date="2023-07-03"))
    assert feed(client, auth.coa, kind="province_shortfall")["items"] == []


def test_idle_homes_with_a_suggested_redistribution(client, world):
    (idle,) = feed(client, world.coa, kind="idle_homes")["items"]
    assert idle["id"] == "idle-gm0158-2023-07-03" and idle["municipalities"] == ["GM0158", "GM0164"]
    assert {k: idle["values"][k] for k in ("homes", "short", "amv_short", "quota_left", "from_municipality", "from_km")} == {
        "homes": 1, "short": 2, "amv_short": 0, "quota_left": 0, "from_municipality": "GM0164", "from_km": 12.7}
    assert [h["reference"] for h in idle["homes"]] == ["K-2"] and ids_of(idle["households"]) == ["d2"]
    assert idle["suggestion"] == {
        "reference": "idle-gm0158-2023-07-03-gm0164-2", "from_municipality": "GM0164", "to_municipality": "GM0158",
        "persons": 2, "amv_persons": 0, "signal": "idle-gm0158-2023-07-03",
        "reason": "Signaal idle-gm0158-2023-07-03: woningen leeg bij gebrek aan taakstelling / homes idle for lack of quota"}


def ids_of(households) -> list[str]:
    return [h["household_id"] for h in households]


def total_target(client, headers) -> int:
    rows = ok(client.get(f"{API}/monitoring/realisation", headers=headers, params={"as_of": AS_OF}))["rows"]
    return rows[-1]["target"]


def test_the_suggestion_is_one_redistribution_that_keeps_the_total(client, world):
    before = total_target(client, world.coa)
    (idle,) = feed(client, world.coa, kind="idle_homes")["items"]
    record = ok(client.post(f"{API}/redistributions", headers=world.coa, json=idle["suggestion"]), 201)
    assert (record["from_municipality"], record["to_municipality"], record["persons"]) == ("GM0164", "GM0158", 2)
    assert total_target(client, world.coa) == before == 27262
    assert quota_of(client, world.coa, "GM0158")["redistributed"] == 2
    assert quota_of(client, world.coa, "GM0164")["redistributed"] == -2
    # Haaksbergen now has the 2 persons K-2 needs: the signal is answered
    assert feed(client, world.coa, kind="idle_homes")["items"] == []
    assert client.get(f"{API}/signals/{idle['id']}", headers=world.coa, params={"as_of": AS_OF}).status_code == 404
    # the same suggestion again changes nothing (its reference)
    ok(client.post(f"{API}/redistributions", headers=world.coa, json=idle["suggestion"]), 200)
    events = ok(client.get(f"{API}/audit", headers=world.coa, params={"action": "redistribution.create"}))["items"]
    assert len(events) == 1 and events[0]["detail"]["signal"] == "idle-gm0158-2023-07-03"
    assert events[0]["detail"]["persons"] == 2


def quota_of(client, headers, code: str) -> dict:
    return ok(client.get(f"{API}/municipalities/{code}", headers=headers))["quota"]


def test_paging_newest_first_without_duplicates_or_gaps(client, world):
    whole = feed(client, world.coa, limit=200)
    assert whole["next"] is None
    everything = ids(whole["items"])
    assert len(everything) == 2 + 10 + 3 + 23 + 1
    keys = [(s["raised_at"], RANK[s["kind"]], s["id"]) for s in whole["items"]]
    assert keys == sorted(keys, reverse=True)
    # raised at once (Monday 3 July), the idle homes that ask for an action come first
    assert [s["kind"] for s in whole["items"]][2:4] == ["idle_homes", "region_shortfall"]
    seen, cursor, pages = [], None, 0
    while True:
        page = feed(client, world.coa, limit=3, **({"after": cursor} if cursor else {}))
        assert len(page["items"]) <= 3
        seen += ids(page["items"])
        pages += 1
        if pages == 2:  # a home offered meanwhile is newer: it does not shift the pages after
            offer(client, world.enschede, home("E-NEW", capacity=7))
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == everything and pages == 13
    assert ids(feed(client, world.coa, limit=1)["items"]) == ["large-home-5"]


def test_a_municipality_sees_only_signals_about_itself(client, world):
    hengelo = by_id(feed(client, world.hengelo)["items"])
    assert set(hengelo) == {"large-home-3", "idle-gm0158-2023-07-03"}
    # the households of a home it offers: only those coupled to it are named; the count is whole
    assert ids_of(hengelo["large-home-3"]["households"]) == ["fc"] and hengelo["large-home-3"]["values"]["fits"] == 5
    assert hengelo["idle-gm0158-2023-07-03"]["households"] == []
    enschede = feed(client, world.enschede)["items"]
    assert ids(enschede) == ["large-home-1"] and enschede[0]["households"] == []
    assert client.get(f"{API}/signals/large-home-1", headers=world.hengelo, params={"as_of": AS_OF}).status_code == 404
    assert ok(client.get(f"{API}/signals/large-home-3", headers=world.hengelo, params={"as_of": AS_OF}))["id"] == "large-home-3"
    # recording a redistribution is COA's
    (idle,) = feed(client, world.hengelo, kind="idle_homes")["items"]
    assert client.post(f"{API}/redistributions", headers=world.hengelo, json=idle["suggestion"]).status_code == 403


def test_one_signal(client, world):
    signal = ok(client.get(f"{API}/signals/shortfall-zeeland-2023-07-03", headers=world.coa, params={"as_of": AS_OF}))
    assert signal["values"]["target"] == 603 and signal["values"]["couplings"] == 0
    for missing in ("large-home-2", "large-home-999", "shortfall-overijssel-2023-07-03", "nothing-1",
                    "shortfall-zeeland-2023-06-26"):
        response = client.get(f"{API}/signals/{missing}", headers=world.coa, params={"as_of": AS_OF})
        assert response.status_code == 404 and response.json()["code"] == "no_signal", missing


@pytest.mark.parametrize("path", ["signals", "signals/large-home-1"])
def test_access(client, auth, path):
    assert client.get(f"{API}/{path}").status_code == 401
    assert client.get(f"{API}/{path}", headers=auth.revoked).status_code == 401
    assert client.get(f"{API}/{path}", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get(f"{API}/{path}", params={"limit": 0}).status_code == 401  # who asks comes before the 422


@pytest.mark.parametrize("params, where", [
    ({"after": "abc"}, "after"), ({"after": "!!"}, "after"), ({"after": "x" * 201}, "after"),
    ({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"kind": "nope"}, "kind"), ({"as_of": "2023-02-30"}, "as_of")])
def test_bad_queries_are_named(client, auth, params, where):
    response = client.get(f"{API}/signals", headers=auth.coa, params=params)
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]][0][:2] == ["query", where]


def test_the_feed_lists_fewer_households_than_the_signal(client, world, monkeypatch):
    from api.services import signals

    monkeypatch.setattr(signals, "FEED_HOUSEHOLDS", 2)
    five = by_id(feed(client, world.coa, kind="large_home")["items"])["large-home-3"]
    assert ids_of(five["households"]) == ["f3", "d2"] and five["values"]["fits"] == 5
    whole = ok(client.get(f"{API}/signals/large-home-3", headers=world.coa, params={"as_of": AS_OF}))
    assert len(whole["households"]) == 5
    # a municipality's own households are kept before the feed cuts the list
    own = by_id(feed(client, world.hengelo, kind="large_home")["items"])["large-home-3"]
    assert ids_of(own["households"]) == ["fc"]
