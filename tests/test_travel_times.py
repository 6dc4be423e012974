"""Rule 5 with travel times (docs/contract.md §2-§4): each limit optional, a missing pair out of range,
counted in summary.json and named in the reason, and minutes without any travel time refused."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from matcher.check import check_proposal, lines_of
from matcher.exceptions import InstanceError
from matcher.models import Params, ReasonKind
from matcher.read import read_instance, read_params, require_travel_times
from matcher.reasons import render
from matcher.solvers import solve
from matcher.write import summary

CASE = Path(__file__).parent / "cases" / "region_minutes_only"
REPO = Path(__file__).parent.parent


def test_minutes_without_km_is_a_minutes_only_region():
    assert Params.from_dict({"as_of": "2023-07-03", "max_minutes": 30}).max_km is None
    assert Params.from_dict({"as_of": "2023-07-03", "max_minutes": 30, "max_km": 40}).max_km == 40
    assert Params.from_dict({"as_of": "2023-07-03"}).max_km == 50
    assert Params.from_dict({"as_of": "2023-07-03", "max_km": None, "max_minutes": 20}).max_km is None


def test_no_limit_at_all_is_refused():
    with pytest.raises(InstanceError, match="set max_km, max_minutes or both"):
        Params.from_dict({"as_of": "2023-07-03", "max_km": None})


def test_missing_pair_is_counted_and_named():
    instance, params = read_instance(CASE), read_params(CASE)
    solution = solve(instance, params, solver="greedy")
    data = summary(solution.rules, solution)
    assert data["missing_travel_times"] == {"pairs": 1, "households": 1}
    assert data["params"]["max_km"] is None


def test_no_municipality_in_time_names_every_missing_pair():
    instance, params = read_instance(CASE), read_params(CASE)
    instance = dataclasses.replace(instance, travel_minutes=(("azc-a", "GM0001", 45.0),))
    solution = solve(instance, params, solver="greedy")
    kinds = {a.household_id: a.reason_kind for a in solution.assignments}
    assert set(kinds.values()) == {ReasonKind.NO_TRAVEL_TIME}
    t1 = next(a for a in solution.assignments if a.household_id == "T1")
    assert t1.reason == ("Wacht op koppeling: geen gemeente ligt binnen 30 minuten van de opvanglocatie. "
                         "Geen reistijd bekend van azc A naar Cc (GM0003), Far (GM0004).")
    assert render(t1.reason_values, "en") == ("Waiting to be coupled: no municipality lies within 30 minutes of its "
                                              "reception location. No travel time known from azc A to Cc (GM0003), "
                                              "Far (GM0004).")
    assert summary(solution.rules, solution)["missing_travel_times"] == {"pairs": 2, "households": 3}


def test_checker_refuses_a_coupling_over_a_missing_pair():
    instance, params = read_instance(CASE), read_params(CASE)
    solution = solve(instance, params, solver="greedy")
    lines = [dataclasses.replace(line, action="couple", municipality="GM0003")
             if line.household_id == "T3" else line for line in lines_of(solution)]
    report = check_proposal(instance, params, lines)
    assert any("T3" in v and "no time from azc-a to GM0003" in v for v in report.violations), report.violations


def test_minutes_without_travel_times_is_refused(tmp_path: Path):
    folder = tmp_path / "case"
    shutil.copytree(CASE, folder)
    (folder / "travel_times.csv").unlink()
    with pytest.raises(InstanceError, match="no travel times"):
        require_travel_times(read_instance(folder), read_params(folder))
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "matcher", "propose", str(folder), "--out", str(out)],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "travel_times.csv: max_minutes is 30 but there are no travel times" in result.stderr
    assert not (out / "proposal.csv").exists()
