"""The embedded data reproduces the published figures of Bijlage A (brief §12.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.data import data_dir, load_municipalities, load_reception_locations, load_safety_regions
from matcher.exceptions import MatcherError

# Printed subtotals of Bijlage A per province (brief §12.1): municipalities, inhabitants, quota, AMV.
PROVINCE_SUBTOTALS = {
    "Groningen": (10, 590_170, 916, 74),
    "Friesland": (18, 654_019, 1_016, 81),
    "Drenthe": (12, 497_743, 773, 61),
    "Overijssel": (25, 1_171_910, 1_820, 126),
    "Gelderland": (51, 2_110_472, 3_281, 246),
    "Flevoland": (6, 434_771, 675, 49),
    "Utrecht": (26, 1_369_873, 2_126, 153),
    "Noord-Holland": (44, 2_909_827, 4_508, 326),
    "Zuid-Holland": (50, 3_753_944, 5_815, 460),
    "Zeeland": (13, 386_767, 603, 37),
    "Noord-Brabant": (56, 2_592_874, 4_028, 270),
    "Limburg": (31, 1_118_302, 1_739, 117),
}

# Tabel 1 of the 2023-II quota letter (seed 001, lines 302-338): per safety region, in its
# printed order, the province it is printed under and its taakstelling 2023-II in persons.
TABEL1_SAFETY_REGIONS = {
    "Groningen": ("Groningen", 916), "Fryslân": ("Friesland", 1_016), "Drenthe": ("Drenthe", 773),
    "IJsselland": ("Overijssel", 835), "Twente": ("Overijssel", 985),
    "Noord- en Oost-Gelderland": ("Gelderland", 1_299), "Gelderland-Midden": ("Gelderland", 1_097),
    "Gelderland-Zuid": ("Gelderland", 885), "Utrecht": ("Utrecht", 2_126),
    "Noord-Holland-Noord": ("Noord-Holland", 1_040), "Zaanstreek-Waterland": ("Noord-Holland", 529),
    "Kennemerland": ("Noord-Holland", 858), "Amsterdam-Amstelland": ("Noord-Holland", 1_708),
    "Gooi en Vechtstreek": ("Noord-Holland", 373), "Haaglanden": ("Zuid-Holland", 1_752),
    "Hollands-Midden": ("Zuid-Holland", 1_277), "Rotterdam-Rijnmond": ("Zuid-Holland", 2_067),
    "Zuid-Holland-Zuid": ("Zuid-Holland", 719), "Zeeland": ("Zeeland", 603),
    "Midden- en West-Brabant": ("Noord-Brabant", 1_766), "Brabant-Noord": ("Noord-Brabant", 1_031),
    "Brabant-Zuidoost": ("Noord-Brabant", 1_231), "Limburg-Noord": ("Limburg", 816),
    "Limburg-Zuid": ("Limburg", 923), "Flevoland": ("Flevoland", 675),
}

WADDEN_ISLANDS = {"GM0060", "GM0088", "GM0093", "GM0096"}  # Ameland, Schiermonnikoog, Terschelling, Vlieland


def test_342_unique_municipalities() -> None:
    """There is one row per municipality of 1-1-2023: 342 rows with unique CBS codes."""
    municipalities = load_municipalities()
    assert len(municipalities) == 342
    assert len({m.code for m in municipalities}) == 342


def test_national_totals() -> None:
    """Inhabitants, quota and AMV sum to the printed Totaal-generaal."""
    municipalities = load_municipalities()
    assert sum(m.inhabitants for m in municipalities) == 17_590_672
    assert sum(m.quota for m in municipalities) == 27_300
    assert sum(m.amv_quota for m in municipalities) == 2_000


@pytest.mark.parametrize("province", sorted(PROVINCE_SUBTOTALS))
def test_province_subtotals(province: str) -> None:
    """Each province sums to its printed subtotal (count, inhabitants, quota, AMV)."""
    rows = [m for m in load_municipalities() if m.province == province]
    got = (len(rows), sum(m.inhabitants for m in rows), sum(m.quota for m in rows), sum(m.amv_quota for m in rows))
    assert got == PROVINCE_SUBTOTALS[province]


def test_twelve_provinces() -> None:
    """Every municipality lies in one of the 12 provinces of the subtotal table."""
    assert {m.province for m in load_municipalities()} == set(PROVINCE_SUBTOTALS)


def test_wadden_islands_carried_by_leeuwarden() -> None:
    """The four Wadden islands have quota 0 and their quota is carried out by Leeuwarden (GM0080)."""
    by_code = {m.code: m for m in load_municipalities()}
    carried = {m.code for m in by_code.values() if m.quota_executed_by is not None}
    assert carried == WADDEN_ISLANDS
    for code in WADDEN_ISLANDS:
        assert by_code[code].quota_executed_by == "GM0080"
        assert (by_code[code].quota, by_code[code].amv_quota) == (0, 0)
    assert by_code["GM0080"].name == "Leeuwarden"
    assert (by_code["GM0080"].quota, by_code["GM0080"].amv_quota) == (211, 17)


def test_every_municipality_has_one_safety_region() -> None:
    """The safety-region file names each of the 342 municipalities once, with one of Tabel 1's
    25 regions, numbered VR01-VR25 in Tabel 1's order."""
    regions = load_safety_regions()
    assert [r.code for r in regions] == [m.code for m in load_municipalities()]
    assert {r.region for r in regions} == set(TABEL1_SAFETY_REGIONS)
    numbers = {r.region: r.region_code for r in regions}
    assert [numbers[name] for name in TABEL1_SAFETY_REGIONS] == [f"VR{i:02d}" for i in range(1, 26)]


@pytest.mark.parametrize("region", list(TABEL1_SAFETY_REGIONS))
def test_safety_region_quota_sums_to_tabel1(region: str) -> None:
    """The quota_2023_II of a region's municipalities sums to its taakstelling 2023-II in Tabel 1,
    and they all lie in the province Tabel 1 prints the region under."""
    by_code = {m.code: m for m in load_municipalities()}
    members = [by_code[r.code] for r in load_safety_regions() if r.region == region]
    province, taakstelling = TABEL1_SAFETY_REGIONS[region]
    assert sum(m.quota for m in members) == taakstelling
    assert {m.province for m in members} == {province}


def test_municipalities_a_province_guess_would_misplace() -> None:
    """The three municipalities whose region is not the obvious one: Eemnes (Utrecht) is in
    VR Utrecht, Uitgeest in Kennemerland, Hoeksche Waard in Zuid-Holland-Zuid; moving any of them
    breaks two regions' sums (the parametrised test above)."""
    region = {r.code: r.region for r in load_safety_regions()}
    assert (region["GM0317"], region["GM0450"], region["GM1963"]) == ("Utrecht", "Kennemerland", "Zuid-Holland-Zuid")


def test_misprinted_names_corrected() -> None:
    """The four names misprinted in Bijlage A carry their official spelling."""
    by_code = {m.code: m.name for m in load_municipalities()}
    assert by_code["GM0244"] == "Hattem"
    assert by_code["GM1696"] == "Wijdemeren"
    assert by_code["GM1949"] == "Waadhoeke"
    assert by_code["GM0518"] == "'s-Gravenhage"


def test_points_inside_the_netherlands() -> None:
    """Every municipality point lies in the bounding box of the European Netherlands."""
    for m in load_municipalities():
        assert 50.7 < m.lat < 53.6 and 3.3 < m.lon < 7.3, m


def test_reception_locations_reference_municipalities() -> None:
    """The illustrative locations have unique ids and lie in a known municipality."""
    codes = {m.code for m in load_municipalities()}
    locations = load_reception_locations()
    assert len(locations) >= 45
    assert len({loc.location_id for loc in locations}) == len(locations)
    assert all(loc.code in codes for loc in locations)


def test_data_dir_holds_the_files() -> None:
    """data_dir() points at a folder with both CSV files and the provenance README."""
    folder = data_dir()
    for name in ("municipalities_2023.csv", "reception_locations_illustrative.csv", "safety_regions_2023.csv",
                 "README.md"):
        assert (folder / name).is_file()


def test_missing_files_raise_matcher_error(tmp_path: Path) -> None:
    """A folder without the CSV files gives a MatcherError naming the missing file."""
    with pytest.raises(MatcherError, match="municipalities_2023.csv"):
        load_municipalities(tmp_path)
    with pytest.raises(MatcherError, match="reception_locations_illustrative.csv"):
        load_reception_locations(tmp_path)
    with pytest.raises(MatcherError, match="safety_regions_2023.csv"):
        load_safety_regions(tmp_path)


def test_bad_safety_region_code_names_file_and_row(tmp_path: Path) -> None:
    """A region code that is not VR and two digits is an error naming the file and row."""
    (tmp_path / "safety_regions_2023.csv").write_text("gm_code,name,vr_code,veiligheidsregio\n"
                                                      "GM0014,Groningen,VR01,Groningen\nGM0080,Leeuwarden,V2,Fryslân\n",
                                                      encoding="utf-8")
    with pytest.raises(MatcherError, match=r"safety_regions_2023.csv:3: vr_code 'V2'"):
        load_safety_regions(tmp_path)
