"""Monitoring figures (issue 16) on a database with a known history, every figure worked out by
hand below; access (401, a municipality sees only its own part); the exports.

The history (period 2023-II starts 2023-07-01; all wait in azc-enschede unless said):

======  ====  ======  ==========  ==========  =========  ==========  ===========  =========
id      size  amv     permit      coupled     to         housed      days c->h     days p->h
======  ====  ======  ==========  ==========  =========  ==========  ===========  =========
m1      2             2023-06-01  2023-06-10  Enschede   2023-07-10  30           39
m2      1             2023-05-01  2023-05-15  Enschede   2023-07-31  77           91
m3      3             2023-04-01  2023-05-01  Hengelo    2023-08-01  92 (>84)     122 (>98)
m4      1     yes     2023-08-01  2023-08-05  Ameland    2023-10-05  61           65
m5      4             2023-08-20  2023-09-01  Enschede   (coupled; waits in azc-amsterdam)
m6      1             2023-09-01  (waiting)
======  ====  ======  ==========  ==========  =========  ==========  ===========  =========

September has no move-in (an empty month).  Ameland's quota is carried out by Leeuwarden.
Enschede gives 5 persons (1 AMV) of its taakstelling to Hengelo; Hengelo has a backlog of 10.
Distances: Enschede-Hengelo 8.8 km, Leeuwarden-Ameland 28.7 km, Amsterdam-Enschede 137.5 km.
"""

from __future__ import annotations

import csv
import io

import pytest
from api_testing import API, decide, enschede_world, household, ok, upsert
from openpyxl import load_workbook

HISTORY = [
    household("m1", 2, permit_date="2023-06-01", state="housed", municipality="GM0153", coupling_date="2023-06-10",
              housed_date="2023-07-10"),
    household("m2", 1, permit_date="2023-05-01", state="housed", municipality="GM0153", coupling_date="2023-05-15",
              housed_date="2023-07-31"),
    household("m3", 3, permit_date="2023-04-01", state="housed", municipality="GM0164", coupling_date="2023-05-01",
              housed_date="2023-08-01"),
    household("m4", 1, location_id="azc-leeuwarden", permit_date="2023-08-01", amv=True, state="housed",
              municipality="GM0060", coupling_date="2023-08-05", housed_date="2023-10-05"),
    household("m5", 4, location_id="azc-amsterdam", permit_date="2023-08-20", state="coupled", municipality="GM0153",
              coupling_date="2023-09-01"),
    household("m6", 1, permit_date="2023-09-01"),
]


@pytest.fixture
def history(client, auth):
    upsert(client, auth, *HISTORY)
    ok(client.post(f"{API}/redistributions", headers=auth.coa, json={
        "reference": "r1", "from_municipality": "GM0153", "to_municipality": "GM0164", "persons": 5, "amv_persons": 1,
        "reason": "afspraak in de regio"}), 201)
    ok(client.patch(f"{API}/municipalities/GM0164/quota", headers=auth.coa, json={"backlog": 10}))
    return auth


def figure(client, headers, name: str, **params) -> dict:
    return ok(client.get(f"{API}/monitoring/{name}", headers=headers, params=params))


def rows_by(table: dict, *keys: str) -> dict:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in table["rows"]}


LEAD = ["households", "persons", "coupling_mean", "coupling_median", "coupling_p90", "coupling_count",
        "coupling_over_norm", "permit_mean", "permit_median", "permit_p90", "permit_count", "permit_over_norm"]


def lead(row: dict) -> list:
    return [row[k] for k in LEAD]


def test_lead_times_by_month_with_an_empty_month(client, history):
    table = figure(client, history.coa, "lead-times")
    assert [r["month"] for r in table["rows"]] == ["2023-07", "2023-08", "2023-09", "2023-10"]
    by = rows_by(table, "month")
    # July: 30 and 77 days (p90 = 30 + 0.9 * 47), 39 and 91 days (p90 = 39 + 0.9 * 52); 31 July is July
    assert lead(by["2023-07"]) == [2, 3, 53.5, 53.5, 72.3, 2, 0, 65.0, 65.0, 85.8, 2, 0]
    # 1 August is August, and over both norms
    assert lead(by["2023-08"]) == [1, 3, 92.0, 92.0, 92.0, 1, 1, 122.0, 122.0, 122.0, 1, 1]
    assert lead(by["2023-09"]) == [0, 0, None, None, None, 0, 0, None, None, None, 0, 0]
    assert lead(by["2023-10"]) == [1, 1, 61.0, 61.0, 61.0, 1, 0, 65.0, 65.0, 65.0, 1, 0]
    assert table["notes"] == {"coupling_norm_days": "84", "permit_norm_days": "98"}


def test_lead_times_by_province_and_municipality(client, history):
    by = rows_by(figure(client, history.coa, "lead-times", by="province"), "province")
    assert set(by) == {"Overijssel", "Friesland"}
    # Overijssel: 30, 77, 92 (p90 = 77 + 0.8 * 15) and 39, 91, 122 (p90 = 91 + 0.8 * 31)
    assert lead(by["Overijssel"]) == [3, 6, 66.3, 77.0, 89.0, 3, 1, 84.0, 91.0, 115.8, 3, 1]
    assert lead(by["Friesland"]) == [1, 1, 61.0, 61.0, 61.0, 1, 0, 65.0, 65.0, 65.0, 1, 0]
    by = rows_by(figure(client, history.coa, "lead-times", by="municipality"), "municipality")
    assert set(by) == {"GM0153", "GM0164", "GM0060"}
    assert lead(by["GM0153"]) == [2, 3, 53.5, 53.5, 72.3, 2, 0, 65.0, 65.0, 85.8, 2, 0]
    assert by["GM0164"]["name"] == "Hengelo (O.)" and by["GM0164"]["province"] == "Overijssel"


def test_a_municipality_sees_its_own_lead_times_only(client, history):
    table = figure(client, history.enschede, "lead-times")
    assert [r["month"] for r in table["rows"]] == ["2023-07"]
    assert lead(table["rows"][0]) == [2, 3, 53.5, 53.5, 72.3, 2, 0, 65.0, 65.0, 85.8, 2, 0]
    assert [r["municipality"] for r in figure(client, history.hengelo, "lead-times", by="municipality")["rows"]] == ["GM0164"]


REAL = ["taakstelling", "redistributed", "backlog", "target", "realised", "difference", "coupled"]


def real(row: dict, prefix: str = "") -> list:
    return [row[prefix + k] for k in REAL]


def test_realisation_in_the_layout_of_tabel_1(client, history):
    table = figure(client, history.coa, "realisation", as_of="2023-12-31")
    assert table["as_of"] == "2023-12-31" and table["notes"] == {"period": "2023-II"}
    levels = [r["level"] for r in table["rows"]]
    assert levels.count("province") == 12 and levels.count("safety_region") == 25
    assert levels.count("municipality") == 342 and levels[-1] == "total"
    # Tabel 1's order: Groningen, its one region, its municipalities (by name); ...; Flevoland last
    assert [r["name"] for r in table["rows"] if r["level"] == "province"] == [
        "Groningen", "Friesland", "Drenthe", "Overijssel", "Gelderland", "Utrecht", "Noord-Holland", "Zuid-Holland",
        "Zeeland", "Noord-Brabant", "Limburg", "Flevoland"]
    assert [(r["level"], r["code"]) for r in table["rows"][:3]] == [("province", ""), ("safety_region", "VR01"),
                                                                    ("municipality", "GM1979")]  # Eemsdelta
    muni = {r["code"]: r for r in table["rows"] if r["level"] == "municipality"}
    prov = {r["province"]: r for r in table["rows"] if r["level"] == "province"}
    # Enschede: 248 - 5 given to Hengelo; m1 + m2 housed; m5 coupled
    assert real(muni["GM0153"]) == [248, -5, 0, 243, 3, 240, 4]
    assert real(muni["GM0153"], "amv_") == [20, -1, 0, 19, 0, 19, 0]
    assert real(muni["GM0164"]) == [126, 5, 10, 141, 3, 138, 0]
    # Ameland's move-in counts for Leeuwarden, which carries out its quota (AMV too)
    assert real(muni["GM0080"]) == [211, 0, 0, 211, 1, 210, 0]
    assert real(muni["GM0080"], "amv_") == [17, 0, 0, 17, 1, 16, 0]
    assert real(muni["GM0060"]) == [0, 0, 0, 0, 0, 0, 0] and muni["GM0060"]["executed_by"] == "GM0080"
    # Tabel 1 prints 1,820 for Overijssel and 1,016 for Friesland in 2023-II [001:307; 001:303]
    assert real(prov["Overijssel"]) == [1820, 0, 10, 1830, 6, 1824, 4]
    assert real(prov["Friesland"]) == [1016, 0, 0, 1016, 1, 1015, 0]
    # safety regions: Twente holds Enschede and Hengelo, so the 5 persons moved between them cancel out;
    # 985 and 67 AMV are Tabel 1's taakstelling 2023-II for Twente [001:309] and its Bijlage A AMV sum
    region = {r["name"]: r for r in table["rows"] if r["level"] == "safety_region"}
    assert region["Twente"]["code"] == "VR05" and region["Twente"]["province"] == "Overijssel"
    assert real(region["Twente"]) == [985, 0, 10, 995, 6, 989, 4]
    assert real(region["Twente"], "amv_") == [67, 0, 0, 67, 0, 67, 0]
    assert real(region["IJsselland"]) == [835, 0, 0, 835, 0, 835, 0]
    assert real(region["Fryslân"]) == [1016, 0, 0, 1016, 1, 1015, 0]  # Ameland's move-in, via Leeuwarden
    assert muni["GM0153"]["safety_region"] == "Twente" and muni["GM0060"]["safety_region"] == "Fryslân"
    twente = [i for i, r in enumerate(table["rows"]) if r["safety_region"] == "Twente"]
    assert [table["rows"][i]["level"] for i in twente] == ["safety_region"] + ["municipality"] * 14
    assert twente == list(range(twente[0], twente[0] + 15))  # the region's row, then its 14 municipalities
    assert real(table["rows"][-1]) == [27300, 0, 10, 27310, 7, 27303, 4]
    assert real(table["rows"][-1], "amv_") == [2000, 0, 0, 2000, 1, 1999, 0]


def test_realisation_counts_move_ins_up_to_the_as_of_date(client, history):
    muni = {r["code"]: r for r in figure(client, history.coa, "realisation", as_of="2023-07-31")["rows"] if r["code"]}
    assert muni["GM0153"]["realised"] == 3  # m2 moved in on 31 July
    assert muni["GM0164"]["realised"] == 0  # m3 on 1 August


def test_a_municipality_gets_its_own_realisation_row_only(client, service, history):
    table = figure(client, history.hengelo, "realisation", as_of="2023-12-31")
    assert [(r["level"], r["code"], r["safety_region"]) for r in table["rows"]] == [("municipality", "GM0164", "Twente")]
    assert real(table["rows"][0]) == [126, 5, 10, 141, 3, 138, 0]
    # Leeuwarden's own row holds Ameland's move-in, which it carries out; Ameland's own row is zero
    from api.services import tokens

    with service.sessions() as session:
        leeuwarden_token = {"Authorization": f"Bearer {tokens.create_token(session, 'municipality', 'GM0080').secret}"}
    leeuwarden = figure(client, leeuwarden_token, "realisation", as_of="2023-12-31")["rows"]
    assert [r["code"] for r in leeuwarden] == ["GM0080"] and real(leeuwarden[0]) == [211, 0, 0, 211, 1, 210, 0]
    assert real(leeuwarden[0], "amv_") == [17, 0, 0, 17, 1, 16, 0]


REG = ["couplings", "regional", "share", "persons", "regional_persons"]


def test_regional_placement_per_municipality_and_location(client, history):
    by = rows_by(figure(client, history.coa, "regional"), "code")
    assert {k: [r[c] for c in REG] for k, r in by.items()} == {
        "GM0060": [1, 1, 1.0, 1, 1], "GM0153": [3, 2, 0.667, 7, 3], "GM0164": [1, 1, 1.0, 3, 3]}
    by = rows_by(figure(client, history.coa, "regional", by="location"), "location_id")
    assert {k: [r[c] for c in REG] for k, r in by.items()} == {
        "azc-amsterdam": [1, 0, 0.0, 4, 0], "azc-enschede": [3, 3, 1.0, 6, 6], "azc-leeuwarden": [1, 1, 1.0, 1, 1]}
    # 20 km: Ameland (28.7 km from Leeuwarden) is no longer regional, Hengelo (8.8 km) still is
    by = rows_by(figure(client, history.coa, "regional", km=20), "code")
    assert (by["GM0060"]["regional"], by["GM0164"]["regional"]) == (0, 1)
    own = figure(client, history.enschede, "regional", by="location")
    assert {r["location_id"]: r["couplings"] for r in own["rows"]} == {"azc-amsterdam": 1, "azc-enschede": 2}


def test_predicted_against_realised_by_week(client, auth, run_jobs):
    world = enschede_world(client, auth, run_jobs)
    job = world["job"]["id"]
    ok(decide(client, auth, job, world["single"]["id"], date="2023-07-05"))  # house, 1 person, week of 3 July
    ok(decide(client, auth, job, world["family"]["id"], date="2023-07-09"))  # couple, 4 persons, Sunday: same week
    (move_in,) = ok(client.get(f"{API}/move-ins", headers=auth.enschede))["items"]  # moved in once Enschede confirms
    ok(client.post(f"{API}/move-ins/{move_in['id']}/confirm", headers=auth.enschede, json={"date": "2023-07-07"}))
    upsert(client, auth, household("m3", 3, permit_date="2023-04-01", state="housed", municipality="GM0164",
                                   coupling_date="2023-05-01", housed_date="2023-07-10"))
    table = figure(client, auth.coa, "predicted")
    assert [[r[c] for c in table["columns"]] for r in table["rows"]] == [
        ["2023-07-03", "GM0153", 4, 1, 1, 1], ["2023-07-10", "GM0164", 0, 0, 0, 3]]
    own = figure(client, auth.hengelo, "predicted")
    assert [r["code"] for r in own["rows"]] == ["GM0164"]


def test_an_empty_database_has_empty_figures(client, auth):
    assert figure(client, auth.coa, "lead-times")["rows"] == []
    assert figure(client, auth.coa, "regional")["rows"] == []
    assert figure(client, auth.coa, "predicted")["rows"] == []
    assert len(figure(client, auth.coa, "realisation")["rows"]) == 342 + 25 + 12 + 1


@pytest.mark.parametrize("path", ["lead-times", "realisation", "regional", "predicted", "realisation/export.csv",
                                  "lead-times/export.xlsx"])
def test_access(client, auth, path):
    assert client.get(f"{API}/monitoring/{path}").status_code == 401
    assert client.get(f"{API}/monitoring/{path}", headers=auth.revoked).status_code == 401
    assert client.get(f"{API}/monitoring/{path}", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get(f"{API}/monitoring/{path}", headers=auth.enschede).status_code == 200


def test_bad_queries_are_named(client, auth):
    response = client.get(f"{API}/monitoring/realisation", headers=auth.coa, params={"by": "month"})
    assert response.status_code == 422 and "by" in response.text
    assert client.get(f"{API}/monitoring/lead-times", headers=auth.coa, params={"by": "location"}).status_code == 422
    assert client.get(f"{API}/monitoring/nothing", headers=auth.coa).status_code == 422
    assert client.get(f"{API}/monitoring/regional", headers=auth.coa, params={"km": "-1"}).status_code == 422
    assert client.get(f"{API}/monitoring/regional", headers=auth.coa, params={"as_of": "2023-02-30"}).status_code == 422


def test_exports_are_dutch_first_and_formula_neutral(client, history):
    ok(client.post(f"{API}/homes", headers=history.enschede, json={"reference": "x", "kind": "regular", "capacity": 2,
                                                                   "available_from": "2023-07-01"}), 201)
    content = ok(client.get(f"{API}/monitoring/lead-times/export.csv", headers=history.coa, params={"by": "province"}))
    table = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    assert table[0][0] == "Provincie / Province" and table[0][3] == "Koppeling-verhuizing gem. / Coupling to move-in mean"
    assert sorted(r[0] for r in table[1:]) == ["Friesland", "Overijssel"]
    book = load_workbook(io.BytesIO(ok(client.get(f"{API}/monitoring/realisation/export.xlsx", headers=history.enschede,
                                                  params={"as_of": "2023-12-31"}))))
    sheet = book["realisation"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][4] == "Naam / Name" and values[1][2:5] == ["Twente", "GM0153", "Enschede"] and len(values) == 2
    assert values[1][0] == "Gemeente / Municipality"  # the level in words, Dutch with the English beside
    assert [[c.value for c in r] for r in book["peildatum"].iter_rows()][0] == ["as_of", "2023-12-31"]


def test_export_cells_cannot_run_as_formulas():
    import datetime as dt

    from api.services.monitoring import Table, export_csv, export_xlsx

    table = Table("regional_location", dt.date(2023, 12, 31), ["location_id", "location"], [["a", "=HYPERLINK(1)"]])
    assert b"'=HYPERLINK(1)" in export_csv(table)
    cell = load_workbook(io.BytesIO(export_xlsx(table)))["regional_location"]["B2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_contract_names_every_monitoring_column():
    from pathlib import Path

    from api.services import monitoring

    contract = (Path(__file__).parents[2] / "docs" / "contract.md").read_text(encoding="utf-8")
    columns = {*monitoring.LEAD_COLUMNS, *monitoring.REALISATION_COLUMNS, *monitoring.REGIONAL_COLUMNS,
               *monitoring.PREDICTED_COLUMNS, "month", "location_id", "location"}
    assert not [c for c in sorted(columns) if f"`{c}`" not in contract]
