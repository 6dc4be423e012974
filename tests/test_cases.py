"""Hand-made cases (tests/cases/*) whose optimal proposal and levels were derived by hand.

See tests/cases/README.md for the folder format and each case's expected.toml `why` for the
derivation.  Every test taking ``backend`` runs on each exact backend (tests/conftest.py); each
case's optimum is unique, so every backend must return the same proposal and reasons.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path

import pytest

from matcher.check import check_files
from matcher.exceptions import LocksInfeasibleError
from matcher.models import Action, Proposal, Status
from matcher.read import read_instance, read_params
from matcher.reasons import render
from matcher.rules import Rules
from matcher.solvers import solve
from matcher.write import write_proposal

CASES_DIR = Path(__file__).parent / "cases"
LEVELS = ("overdue_relief", "placement", "moves", "quality")
MATCHER = Path(sys.executable).parent / "matcher"


def _expected(case: str) -> dict:
    return tomllib.loads((CASES_DIR / case / "expected.toml").read_text(encoding="utf-8"))


ALL_CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "expected.toml").is_file())
CASES = [c for c in ALL_CASES if not _expected(c).get("locks_infeasible")]
INFEASIBLE_CASES = [c for c in ALL_CASES if _expected(c).get("locks_infeasible")]
REASONS = [(c, hid) for c in CASES for hid in sorted(_expected(c).get("reasons", {}))]


@cache
def _solved(case: str, solver: str) -> Proposal:
    folder = CASES_DIR / case
    return solve(read_instance(folder), read_params(folder), solver=solver, time_limit=30, lang="en")


def _rules(case: str) -> Rules:
    folder = CASES_DIR / case
    return Rules(read_instance(folder), read_params(folder))


def _expected_rows(case: str) -> list[dict[str, str]]:
    with open(CASES_DIR / case / "expected.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _check_written(case: str, proposal: Proposal, out: Path):
    csv_path, _ = write_proposal(_rules(case), proposal, out)
    return check_files(CASES_DIR / case, csv_path)


def test_case_folders_are_complete() -> None:
    """Every case folder has an instance, params.toml with as_of, expected.csv and expected.toml."""
    assert len(CASES) >= 13 and INFEASIBLE_CASES
    for case in ALL_CASES:
        folder = CASES_DIR / case
        for name in ("municipalities.csv", "locations.csv", "households.csv", "dwellings.csv", "params.toml"):
            assert (folder / name).is_file(), f"{case}: {name} missing"
        assert "as_of" in tomllib.loads((folder / "params.toml").read_text(encoding="utf-8"))
        assert _expected(case).get("why", "").strip(), f"{case}: expected.toml needs a why"
        if case in CASES:
            ids = [r["household_id"] for r in _expected_rows(case)]
            assert sorted(ids) == sorted(h.household_id for h in read_instance(folder).households)


@pytest.mark.parametrize("case", CASES)
def test_backend_reaches_hand_derived_levels(case: str, backend: str) -> None:
    """The backend proves optimality and its four levels equal the hand-derived ones in expected.toml."""
    proposal = _solved(case, backend)
    expected = _expected(case)
    assert proposal.status is Status.OPTIMAL, proposal.message
    assert all(proposal.proven), proposal.proven
    got = proposal.levels.as_dict()
    want = {name: expected[name] for name in LEVELS if name in expected}
    assert {name: got[name] for name in want} == want


@pytest.mark.parametrize("case", CASES)
def test_proposal_matches_forced_fields(case: str, backend: str) -> None:
    """The backend's optimal proposal matches expected.csv on every forced field (`*` = any)."""
    by_household = _solved(case, backend).by_household()
    for row in _expected_rows(case):
        a = by_household[row["household_id"]]
        got = {"action": a.action.value, "municipality": a.municipality or "", "dwelling_id": a.dwelling_id or ""}
        for field in ("action", "municipality", "dwelling_id"):
            want = row[field]
            if want == "*" or (field == "municipality" and row["action"] == Action.WAIT.value):
                continue
            assert got[field] == want, f"{row['household_id']}: {field} is {got[field]!r}, hand derivation says {want!r}"


@pytest.mark.parametrize("case", CASES)
def test_independent_checker_accepts_optimum(case: str, backend: str, tmp_path: Path) -> None:
    """The backend's written optimal proposal passes the independent checker with the same four levels."""
    proposal = _solved(case, backend)
    report = _check_written(case, proposal, tmp_path)
    assert report.violations == ()
    assert report.levels == proposal.levels.as_dict()
    expected = _expected(case)
    assert {n: report.levels[n] for n in LEVELS if n in expected} == {n: expected[n] for n in LEVELS if n in expected}


@pytest.mark.parametrize("case", CASES)
def test_greedy_is_valid_and_never_better(case: str, tmp_path: Path) -> None:
    """Greedy is valid by the checker and never lexicographically better than the optimum."""
    greedy = _solved(case, "greedy")
    report = _check_written(case, greedy, tmp_path)
    assert report.violations == ()
    assert report.levels == greedy.levels.as_dict()
    assert greedy.levels.key() <= _solved(case, "cpsat").levels.key()


@pytest.mark.parametrize(("case", "household_id"), REASONS, ids=[f"{c}-{h}" for c, h in REASONS])
def test_reason_sentence(case: str, household_id: str, backend: str, request: pytest.FixtureRequest) -> None:
    """The household's reason kind and sentence say what the hand derivation says, on every backend:
    ``contains`` / ``not_contains`` in the English sentence, ``contains_nl`` / ``not_contains_nl`` in
    the Dutch one rendered from the same reason values."""
    spec = _expected(case)["reasons"][household_id]
    if "xfail" in spec:
        request.applymarker(pytest.mark.xfail(reason=spec["xfail"], strict=True))
    a = _solved(case, backend).by_household()[household_id]
    if "kind" in spec:
        assert a.reason_kind is not None and a.reason_kind.value == spec["kind"], a.reason
    for text in spec.get("contains", []):
        assert text in a.reason
    for text in spec.get("not_contains", []):
        assert text not in a.reason
    assert a.reason_values is not None and render(a.reason_values, "en") == a.reason
    dutch = render(a.reason_values, "nl")
    for text in spec.get("contains_nl", []):
        assert text in dutch
    for text in spec.get("not_contains_nl", []):
        assert text not in dutch


def test_large_family_reason_names_seven_persons(backend: str) -> None:
    """The 7-person families wait because no dwelling fits 7 persons (plus no quota for the uncoupled one)."""
    by_household = _solved("large_family", backend).by_household()
    coupled, uncoupled = by_household["F7"], by_household["G7"]
    assert coupled.action is Action.WAIT and uncoupled.action is Action.WAIT
    assert coupled.reason_kind.value == "no_fitting_dwelling"
    assert "no home in Aa (GM0001) fits 7 persons" in coupled.reason
    assert uncoupled.reason_kind.value == "quota_used_up"
    assert "fits 7 persons" in uncoupled.reason and "quota" in uncoupled.reason


def test_quota_used_up_reason(backend: str) -> None:
    """The household left without quota waits with reason kind quota_used_up."""
    a = _solved("quota_used_up", backend).by_household()["U2"]
    assert a.action is Action.WAIT
    assert a.reason_kind.value == "quota_used_up"
    assert "quota" in a.reason and "used up" in a.reason


def test_document_missing_reason(backend: str) -> None:
    """The most overdue household waits because its IND document is missing, not because it lost."""
    a = _solved("document_missing", backend).by_household()["D"]
    assert a.action is Action.WAIT
    assert a.reason_kind.value == "document_missing"
    assert "residence document is missing" in a.reason


@pytest.mark.parametrize("case", INFEASIBLE_CASES)
def test_locks_infeasible_exit_code_3(case: str, tmp_path: Path) -> None:
    """When the locks cannot all hold, `matcher propose` exits 3 and writes no proposal."""
    out = tmp_path / "out"
    result = subprocess.run([str(MATCHER), "propose", str(CASES_DIR / case), "--out", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == _expected(case)["exit_code"] == 3, result.stderr
    assert "locks cannot all hold" in result.stderr
    assert not (out / "proposal.csv").exists()


@pytest.mark.parametrize("case", INFEASIBLE_CASES)
def test_locks_infeasible_raises(case: str, backend: str) -> None:
    """When the locks cannot all hold, the backend raises LocksInfeasibleError instead of proposing."""
    with pytest.raises(LocksInfeasibleError) as caught:
        solve(read_instance(CASES_DIR / case), read_params(CASES_DIR / case), solver=backend, time_limit=30)
    assert _expected(case).get("message", "") in str(caught.value)


def test_overdue_order_loser_is_outcompeted(backend: str) -> None:
    """In overdue_order the household with fewer person-days waits, outcompeted (kind only)."""
    a = _solved("overdue_order", backend).by_household()["O1"]
    assert a.action is Action.WAIT
    assert a.reason_kind.value == "outcompeted"
