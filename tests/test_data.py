"""The embedded data reproduces the published figures of Bijlage A (brief §12.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.data import data_dir, load_municipalities, load_reception_locations
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
    for name in ("municipalities_2023.csv", "reception_locations_illustrative.csv", "README.md"):
        assert (folder / name).is_file()


def test_missing_files_raise_matcher_error(tmp_path: Path) -> None:
    """A folder without the CSV files gives a MatcherError naming the missing file."""
    with pytest.raises(MatcherError, match="municipalities_2023.csv"):
        load_municipalities(tmp_path)
    with pytest.raises(MatcherError, match="reception_locations_illustrative.csv"):
        load_reception_locations(tmp_path)
