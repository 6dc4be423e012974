"""The synthetic examples: deterministic, readable, and calibrated on the embedded data."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from matcher.exceptions import MatcherError
from matcher.models import DwellingKind, Instance, Params
from matcher.read import read_instance, read_params
from matcher.rules import great_circle_km
from matcher.synth import (
    AS_OF,
    EXAMPLES,
    Area,
    Generator,
    Quota,
    make_example,
    measure,
    region_codes,
    taakstelling,
    write_example,
)


@pytest.fixture(scope="module")
def nl() -> tuple[Instance, Params]:
    """The national example with seed 0, built once for the module."""
    return make_example("nl", 0)


def test_examples_are_named() -> None:
    """The three documented examples are offered."""
    assert EXAMPLES == ("twente", "hart-van-brabant", "nl")


@pytest.mark.parametrize("name", EXAMPLES)
def test_same_seed_same_instance(name: str) -> None:
    """Generating twice with the same seed gives equal instances and parameters."""
    assert make_example(name, 7) == make_example(name, 7)


@pytest.mark.parametrize("name", ["twente", "hart-van-brabant"])
def test_different_seed_different_instance(name: str) -> None:
    """Another seed gives another instance on the same municipalities."""
    first, _ = make_example(name, 0)
    second, _ = make_example(name, 1)
    assert first != second
    assert first.households != second.households
    assert [m.code for m in first.municipalities] == [m.code for m in second.municipalities]


@pytest.mark.parametrize("name", ["twente", "hart-van-brabant"])
def test_written_folder_reads_back(name: str, tmp_path: Path) -> None:
    """write_example writes a folder that read_instance reads back to an equal instance."""
    instance, params = make_example(name, 3)
    folder = write_example(name, tmp_path / name, seed=3)
    assert read_instance(folder) == instance
    assert read_params(folder) == params
    assert (folder / "travel_times.csv").is_file()


def test_nl_written_folder_reads_back(nl: tuple[Instance, Params], tmp_path: Path) -> None:
    """The national example survives a write and read unchanged."""
    folder = write_example("nl", tmp_path / "nl", seed=0)
    assert read_instance(folder) == nl[0]


def test_params_as_of(nl: tuple[Instance, Params]) -> None:
    """Every example runs as of 3 July 2023 with the 50 km rule."""
    _, params = nl
    assert params.as_of == AS_OF == dt.date(2023, 7, 3)
    assert params.max_km == 50


def test_unknown_example_is_refused() -> None:
    """An unknown example name is a MatcherError listing the valid names."""
    with pytest.raises(MatcherError, match="twente"):
        make_example("atlantis")


def test_twente_taakstelling() -> None:
    """Twente is the 14 municipalities of the regional table, with taakstelling 985."""
    quota = taakstelling("twente")
    assert len(quota) == 14
    assert sum(q.persons for q in quota.values()) == 985
    assert sum(q.amv for q in quota.values()) == 67
    assert quota["GM0153"].persons == 248  # Enschede


def test_hart_van_brabant_taakstelling() -> None:
    """Hart van Brabant is the 11 pilot municipalities, with taakstelling 755 of which 51 AMV."""
    quota = taakstelling("hart-van-brabant")
    assert len(quota) == 11
    assert sum(q.persons for q in quota.values()) == 755
    assert sum(q.amv for q in quota.values()) == 51


def test_nl_taakstelling_and_wadden_islands() -> None:
    """Nationally the taakstelling is 27,300 (2,000 AMV); the Wadden islands carry none, Leeuwarden 211."""
    quota = taakstelling("nl")
    assert len(quota) == 342
    assert sum(q.persons for q in quota.values()) == 27_300
    assert sum(q.amv for q in quota.values()) == 2_000
    for island in ("GM0060", "GM0088", "GM0093", "GM0096"):
        assert quota[island].persons == 0
    assert quota["GM0080"].persons == 211


def test_twente_instance_has_its_municipalities() -> None:
    """The twente instance lists exactly the 14 Twente municipalities."""
    instance, _ = make_example("twente")
    assert {m.code for m in instance.municipalities} == set(region_codes("twente"))
    assert len(instance.municipalities) == 14


def test_nl_size(nl: tuple[Instance, Params]) -> None:
    """nl has all 342 municipalities, >= 8,000 households of about 17,000 persons, >= 2,000 dwellings."""
    instance, _ = nl
    assert len(instance.municipalities) == 342
    assert len(instance.households) >= 8_000
    assert 15_300 <= sum(h.size for h in instance.households) <= 18_700
    assert len(instance.dwellings) >= 2_000
    assert len(instance.locations) >= 45


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_dwelling_kind_present(name: str, nl: tuple[Instance, Params]) -> None:
    """Every kind of dwelling is offered in every example."""
    instance = nl[0] if name == "nl" else make_example(name)[0]
    assert {d.kind for d in instance.dwellings} == set(DwellingKind)


def test_nl_household_mix(nl: tuple[Instance, Params]) -> None:
    """Sizes follow 84/13/3 [001:1981-1983] and AMV persons are about 7.3% of persons."""
    instance, _ = nl
    m = measure(instance, "nl")
    assert m.size_shares["1-2"] == pytest.approx(0.83, abs=0.01)
    assert m.size_shares["3-5"] == pytest.approx(0.13, abs=0.01)
    assert m.size_shares["7+"] == pytest.approx(0.03, abs=0.005)
    assert m.amv_person_share == pytest.approx(2_000 / 27_300, abs=0.003)
    assert all(h.size <= 2 for h in instance.households if h.amv)


@pytest.mark.parametrize(("name", "target"), [("nl", 154), ("twente", 154), ("hart-van-brabant", 103)])
def test_days_since_coupling(name: str, target: float, nl: tuple[Instance, Params]) -> None:
    """Mean days since coupling is near the region's measured lead time (103 HvB; 140-168 nationally)."""
    instance = nl[0] if name == "nl" else make_example(name)[0]
    assert measure(instance, name).mean_days_since_coupling == pytest.approx(target, rel=0.05)


@pytest.mark.parametrize("name", EXAMPLES)
def test_coupled_within_50_km(name: str, nl: tuple[Instance, Params]) -> None:
    """Coupled households are coupled within 50 km of their location, after their permit, before as_of."""
    instance = nl[0] if name == "nl" else make_example(name)[0]
    for h in instance.households:
        if h.coupled_to is None:
            assert (AS_OF - h.permit_date).days < 28
            continue
        loc, muni = instance.location_by_id[h.location_id], instance.municipality_by_code[h.coupled_to]
        assert great_circle_km(loc.lat, loc.lon, muni.lat, muni.lon) <= 50
        assert h.permit_date <= h.coupling_date < AS_OF


def test_amv_coupled_only_where_amv_quota(nl: tuple[Instance, Params]) -> None:
    """AMV households are coupled only to municipalities with an AMV taakstelling."""
    instance, _ = nl
    quota = taakstelling("nl")
    assert all(quota[h.coupled_to].amv > 0 for h in instance.households if h.amv and h.coupled_to)


def test_quota_remaining_spread(nl: tuple[Instance, Params]) -> None:
    """quota_remaining varies: some municipalities are at or below 0, some above their taakstelling."""
    m = measure(nl[0], "nl")
    assert m.municipalities_at_or_below_zero > 0
    assert m.municipalities_above_taakstelling > 0


def test_dwellings_spread_over_weeks(nl: tuple[Instance, Params]) -> None:
    """Dwellings become available over the next three weeks, some after the 7-day horizon."""
    instance, params = nl
    dates = [d.available_from for d in instance.dwellings]
    assert min(dates) >= params.as_of
    assert any(d <= params.end for d in dates) and any(d > params.end for d in dates)
    assert max(dates) <= params.as_of + dt.timedelta(days=21)


def test_nl_is_fast() -> None:
    """The national example is generated well within a couple of seconds."""
    import time

    start = time.perf_counter()
    make_example("nl", 5)
    assert time.perf_counter() - start < 5


def test_other_counts_and_a_scaled_taakstelling() -> None:
    """make_example's keywords: the households and homes asked for (every municipality with a
    taakstelling still gets a regular home), the label as the instance's name, and the quota each
    municipality starts from multiplied by quota_factor."""
    instance, params = make_example("twente", 3, households=50, dwellings=20, label="twente-small")
    assert instance.name == "twente-small" and params.as_of == AS_OF
    assert len(instance.households) == 50
    kinds = [d.kind for d in instance.dwellings]
    assert len(kinds) == 20 and kinds.count(DwellingKind.REGULAR) == 17
    tiny, _ = make_example("twente", 3, households=50, dwellings=5)
    assert {d.municipality for d in tiny.dwellings if d.kind is DwellingKind.REGULAR} == set(region_codes("twente"))
    quota = taakstelling("hart-van-brabant")
    doubled = Area.for_example("hart-van-brabant", 2.0).quota
    assert doubled == {code: Quota(2 * q.persons, 2 * q.amv) for code, q in quota.items()}
    assert Generator("hart-van-brabant", random.Random(0), quota_factor=2.0).quota == doubled
    # More quota to couple against: the same draws leave more of it remaining.
    base, _ = make_example("hart-van-brabant", 0)
    more, _ = make_example("hart-van-brabant", 0, quota_factor=2.0, households=len(base.households),
                           dwellings=len(base.dwellings))
    assert sum(m.quota_remaining for m in more.municipalities) > sum(m.quota_remaining for m in base.municipalities)
