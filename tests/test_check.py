"""Tests of the independent checker :mod:`matcher.check`.

One tiny hand-checked instance (below) with a valid proposal whose levels were worked out by
hand; every other test breaks one rule of docs/contract.md §4 and looks for its violation line.

Hand computation (as_of 2023-07-03, horizon 7, so end = 2023-07-10; norm 84, coupling 14).
Location L1 at (52.0, 6.0); one degree of latitude is 6371.0088 * pi / 180 = 111.195 km, so
GM0001 (52.1) is 11.12 km away (rounds to 11), GM0002 (52.3) 33.36 km (33), GM0003 (53.0) 111.2 km.

- H1, 3 persons, permit 2023-03-01, not coupled: clock 03-15, 117 days to end, overdue 33.
  House in D1 (regular GM0001, cap 4): relief 99; km 3*11 = 33; tie GM0002 != GM0001: 30*3 = 90;
  extra 3+1-4 = 0.  Quality 123.
- H2, 2 persons, coupled to GM0002 on 2023-02-01: 159 days, overdue 75.  House in D2 (temporary
  GM0002): relief 150, moves 2, no quality.
- H3, 1 person, permit 2023-06-01: couple to GM0002: km 33; previous line was couple GM0001: change 50.
  Quality 83.
- H4, 1 person, permit 2023-05-01: wait, not coupled: permit age 70 days: quality 70.
- H5, AMV, 1 person, permit 2023-04-01: clock 04-15, 86 days, overdue 2.  House in D3 (amv GM0001):
  relief 2, km 11.  Quality 11.
- H6, 1 person, coupled to GM0001 on 2023-06-20: overdue 0.  House in D4 (shared GM0001): nothing.

Idle places (weight 5): regular, shared and amv dwellings available by 2023-07-10 are D1 4, D3 2,
D4 2, D5 2, D7 4, D8 4 = 18 places (D6 opens 07-11, D2 is temporary); 5 persons fill them, 13 idle: 65.

Levels: overdue_relief 99+150+2 = 251, placement 3+2+1+1+1 = 8, moves 2,
quality 123+83+70+11+65 = 352.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from matcher.check import (
    CheckReport,
    ProposalLine,
    check_files,
    check_proposal,
    great_circle_km,
    read_proposal_csv,
)
from matcher.exceptions import InstanceError
from matcher.models import (
    Action,
    Ban,
    Dwelling,
    DwellingKind,
    Household,
    Instance,
    Location,
    Lock,
    Municipality,
    Params,
    PreviousRow,
)
from matcher.read import write_instance

AS_OF = dt.date(2023, 7, 3)
VALID_LEVELS = {"overdue_relief": 251, "placement": 8, "moves": 2, "quality": 352}


def make_instance(**changes: object) -> Instance:
    """The hand-checked instance of the module docstring, with fields replaced by ``changes``."""
    base = Instance(
        municipalities=(
            Municipality("GM0001", "Aa", "Overijssel", 52.1, 6.0, quota_remaining=10, amv_quota_remaining=2),
            Municipality("GM0002", "Bee", "Overijssel", 52.3, 6.0, quota_remaining=5),
            Municipality("GM0003", "Cee", "Groningen", 53.0, 6.0, quota_remaining=10),
        ),
        locations=(Location("L1", "Azc", 52.0, 6.0),),
        households=(
            Household("H1", 3, "L1", dt.date(2023, 3, 1), expected_extra=1, tie_municipality="GM0002"),
            Household("H2", 2, "L1", dt.date(2023, 1, 2), coupled_to="GM0002", coupling_date=dt.date(2023, 2, 1)),
            Household("H3", 1, "L1", dt.date(2023, 6, 1)),
            Household("H4", 1, "L1", dt.date(2023, 5, 1)),
            Household("H5", 1, "L1", dt.date(2023, 4, 1), amv=True),
            Household("H6", 1, "L1", dt.date(2023, 6, 1), coupled_to="GM0001", coupling_date=dt.date(2023, 6, 20)),
        ),
        dwellings=(
            Dwelling("D1", "GM0001", DwellingKind.REGULAR, 4, dt.date(2023, 7, 1), min_occupancy=2),
            Dwelling("D2", "GM0002", DwellingKind.TEMPORARY, 6, dt.date(2023, 6, 1)),
            Dwelling("D3", "GM0001", DwellingKind.AMV, 2, dt.date(2023, 6, 1)),
            Dwelling("D4", "GM0001", DwellingKind.SHARED, 2, dt.date(2023, 6, 1)),
            Dwelling("D5", "GM0001", DwellingKind.REGULAR, 2, dt.date(2023, 6, 1), accessible=True),
            Dwelling("D6", "GM0001", DwellingKind.REGULAR, 3, dt.date(2023, 7, 11)),
            Dwelling("D7", "GM0003", DwellingKind.REGULAR, 4, dt.date(2023, 6, 1)),
            Dwelling("D8", "GM0002", DwellingKind.REGULAR, 4, dt.date(2023, 6, 1)),
        ),
        travel_minutes=(("L1", "GM0001", 20.0), ("L1", "GM0002", 40.0)),
        locks=(Lock("H1", dwelling_id="D1"), Lock("H3", municipality="GM0002")),
        bans=(Ban("H3", municipality="GM0001"),),
        previous=(
            PreviousRow("H1", Action.HOUSE, "GM0001", "D1"),
            PreviousRow("H3", Action.COUPLE, "GM0001"),
            PreviousRow("H4", Action.WAIT),
        ),
    )
    return dataclasses.replace(base, **changes)


def params(**changes: object) -> Params:
    """Default parameters with as_of 2023-07-03 and any field replaced."""
    return dataclasses.replace(Params(as_of=AS_OF), **changes)


def valid_rows() -> list[ProposalLine]:
    """The valid proposal of the module docstring, with every optional column filled in."""
    return [
        ProposalLine("H1", "house", "GM0001", "D1", persons=3, km=11.12, overdue_days=33, moves=0),
        ProposalLine("H2", "house", "GM0002", "D2", persons=2, overdue_days=75, moves=2),
        ProposalLine("H3", "couple", "GM0002", None, persons=1, km=33.36, overdue_days=0, moves=0),
        ProposalLine("H4", "wait", None, None, persons=1, overdue_days=0, moves=0),
        ProposalLine("H5", "house", None, "D3", persons=1, km=11.1, overdue_days=2, moves=0),
        ProposalLine("H6", "house", "GM0001", "D4", persons=1, overdue_days=0, moves=0),
    ]


def bare(rows: list[ProposalLine]) -> list[ProposalLine]:
    """The rows without their optional columns (for checks under other parameters)."""
    return [dataclasses.replace(r, persons=None, km=None, overdue_days=None, moves=None) for r in rows]


def with_row(rows: list[ProposalLine], household_id: str, **changes: object) -> list[ProposalLine]:
    """The rows with one household's row changed (optional columns cleared unless given)."""
    cleared = {"persons": None, "km": None, "overdue_days": None, "moves": None}
    return [dataclasses.replace(r, **{**cleared, **changes}) if r.household_id == household_id else r for r in rows]


def run(rows: list[ProposalLine], instance: Instance | None = None, par: Params | None = None) -> CheckReport:
    """Check ``rows`` against the instance and parameters (defaults: the hand-checked ones)."""
    return check_proposal(instance or make_instance(), par or params(), rows)


def assert_only(report: CheckReport, *expected: str) -> None:
    """Each expected text occurs in exactly one violation, and there are no other violations."""
    assert len(report.violations) == len(expected), report.violations
    for text in expected:
        assert sum(text in v for v in report.violations) == 1, (text, report.violations)


# --- the valid proposal ------------------------------------------------------------------------

def test_great_circle_one_degree_of_latitude():
    """One degree of latitude is 111.195 km on the 6371.0088 km sphere."""
    assert great_circle_km(52.0, 6.0, 53.0, 6.0) == pytest.approx(111.19508, abs=1e-4)


def test_valid_proposal_has_no_violations_and_hand_computed_levels():
    """The hand-checked proposal is valid and its levels are the ones worked out by hand."""
    report = run(valid_rows())
    assert report.violations == ()
    assert report.ok
    assert report.levels == VALID_LEVELS


def test_report_lines_print_levels_after_violations():
    """lines() lists the violations first, then one line per level; an unusable row counts as wait."""
    report = run(with_row(valid_rows(), "H3", action="jump"))
    # H3 waits instead of coupling: placement 8 - 1; quality 352 - 83 + permit age 39 + change 50.
    assert report.lines() == [
        "H3: proposal: action 'jump' is not one of house, couple, wait",
        "overdue_relief: 251",
        "placement: 7",
        "moves: 2",
        "quality: 358",
    ]
    assert not report.ok


def test_levels_of_empty_waiting_proposal():
    """Everyone waiting: only permit age, changes and idle places count (by hand: 602 + 200 + 90)."""
    rows = [ProposalLine(h.household_id, "wait") for h in make_instance().households]
    report = run(rows)
    # permit age to 2023-07-10: H1 131 days x3 = 393, H3 39, H4 70, H5 100 -> 602; H2 and H6 are coupled.
    # changes: H1 (was house D1) 3 x 50 = 150, H3 (was couple) 50, H4 unchanged -> 200.
    # idle: all 18 available places empty, 5 x 18 = 90.
    assert report.levels == {"overdue_relief": 0, "placement": 0, "moves": 0, "quality": 892}
    assert_only(report, "H1: rule 7 (lock): is locked to dwelling D1", "H3: rule 7 (lock): is locked to municipality GM0002")


# --- rows: exactly one usable row per household -------------------------------------------------

def test_missing_row():
    """A household without a row is reported."""
    rows = [r for r in valid_rows() if r.household_id != "H4"]
    assert_only(run(rows), "H4: proposal: has no row")


def test_unknown_household():
    """A row for a household not in households.csv is reported."""
    rows = valid_rows() + [ProposalLine("H9", "wait", row=8)]
    assert_only(run(rows), "H9: proposal: unknown household (row 8)")


def test_duplicate_row():
    """Two rows for one household are reported once, and the first row is the one checked."""
    rows = valid_rows() + [ProposalLine("H4", "couple", "GM0003")]
    assert_only(run(rows), "H4: proposal: has 2 rows")


def test_invalid_action():
    """An action other than house, couple or wait is reported."""
    assert_only(run(with_row(valid_rows(), "H4", action="stay")), "H4: proposal: action 'stay' is not one of")


def test_house_without_dwelling():
    """house needs a dwelling_id."""
    assert_only(run(with_row(valid_rows(), "H4", action="house", dwelling_id=None)), "H4: proposal: action house needs a dwelling_id")


def test_house_in_unknown_dwelling():
    """house needs a dwelling that exists."""
    assert_only(run(with_row(valid_rows(), "H4", action="house", dwelling_id="D99")), "H4: proposal: dwelling 'D99' does not exist")


def test_house_with_wrong_municipality():
    """A municipality given with house must be the dwelling's municipality."""
    report = run(with_row(valid_rows(), "H1", municipality="GM0002"))
    assert_only(report, "H1: proposal: municipality GM0002 does not match dwelling D1")


def test_couple_without_municipality():
    """couple needs a municipality."""
    assert_only(run(with_row(valid_rows(), "H4", action="couple", municipality=None)), "H4: proposal: action couple needs a municipality")


def test_couple_to_unknown_municipality():
    """couple needs a municipality that exists."""
    assert_only(run(with_row(valid_rows(), "H4", action="couple", municipality="GM9999")), "H4: proposal: municipality 'GM9999' does not exist")


def test_couple_naming_a_dwelling():
    """couple must not name a dwelling."""
    report = run(with_row(valid_rows(), "H3", action="couple", municipality="GM0002", dwelling_id="D8"))
    assert_only(report, "H3: proposal: action couple must not name a dwelling")


def test_wait_naming_another_municipality():
    """A wait row may name only the household's own coupling."""
    report = run(with_row(valid_rows(), "H4", municipality="GM0001"))
    assert_only(report, "H4: proposal: waits but its row names municipality GM0001; the household is not coupled")


# --- rule 1: fit -------------------------------------------------------------------------------

@pytest.mark.parametrize(("households", "dwelling", "rows", "expected"), [
    pytest.param(
        (Household("A", 2, "L1", dt.date(2023, 1, 1)), Household("B", 2, "L1", dt.date(2023, 1, 1))),
        Dwelling("X", "GM0001", DwellingKind.REGULAR, 4, dt.date(2023, 1, 1)),
        [("A", "X"), ("B", "X")], ["X: rule 1 (fit): regular dwelling holds 2 households (A, B)"], id="regular-two-households"),
    pytest.param(
        (Household("A", 5, "L1", dt.date(2023, 1, 1)),),
        Dwelling("X", "GM0001", DwellingKind.REGULAR, 4, dt.date(2023, 1, 1)),
        [("A", "X")], ["A: rule 1 (fit): has 5 persons; regular dwelling X takes 1 to 4"], id="regular-too-big"),
    pytest.param(
        (Household("A", 1, "L1", dt.date(2023, 1, 1)),),
        Dwelling("X", "GM0001", DwellingKind.REGULAR, 4, dt.date(2023, 1, 1), min_occupancy=3),
        [("A", "X")], ["A: rule 1 (fit): has 1 persons; regular dwelling X takes 3 to 4"], id="regular-below-min-occupancy"),
    pytest.param(
        (Household("A", 2, "L1", dt.date(2023, 1, 1)),),
        Dwelling("X", "GM0001", DwellingKind.SHARED, 4, dt.date(2023, 1, 1)),
        [("A", "X")], ["A: rule 1 (fit): has 2 persons; shared dwelling X takes single persons only"], id="shared-family"),
    pytest.param(
        (Household("A", 1, "L1", dt.date(2023, 1, 1), amv=True),),
        Dwelling("X", "GM0001", DwellingKind.SHARED, 4, dt.date(2023, 1, 1)),
        [("A", "X")], ["A: rule 1 (fit): is AMV and housed in shared dwelling X"], id="shared-amv"),
    pytest.param(
        tuple(Household(f"A{i}", 1, "L1", dt.date(2023, 1, 1)) for i in range(3)),
        Dwelling("X", "GM0001", DwellingKind.SHARED, 2, dt.date(2023, 1, 1)),
        [("A0", "X"), ("A1", "X"), ("A2", "X")], ["X: rule 1 (fit): shared dwelling holds 3 persons; capacity is 2"], id="shared-over-capacity"),
    pytest.param(
        (Household("A", 1, "L1", dt.date(2023, 1, 1)),),
        Dwelling("X", "GM0001", DwellingKind.AMV, 4, dt.date(2023, 1, 1)),
        [("A", "X")], ["A: rule 1 (fit): is not AMV; amv dwelling X takes AMV households only"], id="amv-non-amv"),
    pytest.param(
        (Household("A", 2, "L1", dt.date(2023, 1, 1), amv=True), Household("B", 2, "L1", dt.date(2023, 1, 1), amv=True)),
        Dwelling("X", "GM0001", DwellingKind.AMV, 3, dt.date(2023, 1, 1)),
        [("A", "X"), ("B", "X")], ["X: rule 1 (fit): amv dwelling holds 4 persons; capacity is 3"], id="amv-over-capacity"),
    pytest.param(
        (Household("A", 1, "L1", dt.date(2023, 1, 1), amv=True),),
        Dwelling("X", "GM0001", DwellingKind.TEMPORARY, 4, dt.date(2023, 1, 1)),
        [("A", "X")], ["A: rule 1 (fit): is AMV and housed in temporary dwelling X"], id="temporary-amv"),
    pytest.param(
        (Household("A", 3, "L1", dt.date(2023, 1, 1)), Household("B", 2, "L1", dt.date(2023, 1, 1))),
        Dwelling("X", "GM0001", DwellingKind.TEMPORARY, 4, dt.date(2023, 1, 1)),
        [("A", "X"), ("B", "X")], ["X: rule 1 (fit): temporary dwelling holds 5 persons; capacity is 4"], id="temporary-over-capacity"),
    pytest.param(
        (Household("A", 1, "L1", dt.date(2023, 1, 1), amv=True),),
        Dwelling("X", "GM0001", DwellingKind.REGULAR, 2, dt.date(2023, 1, 1)),
        [("A", "X")], ["A: rule 1 (fit): is AMV and housed in regular dwelling X"], id="regular-amv"),
])
def test_rule1_fit(households, dwelling, rows, expected):
    """Each way of breaking rule 1 is reported as its own line."""
    munis = (dataclasses.replace(make_instance().municipalities[0], amv_quota_remaining=10),) + make_instance().municipalities[1:]
    instance = make_instance(municipalities=munis, households=households, dwellings=(dwelling,), locks=(), bans=(), previous=())
    report = run([ProposalLine(hid, "house", None, did) for hid, did in rows], instance)
    assert_only(report, *expected)


def test_rule1_household_grown_past_its_previous_home():
    """The housing check: a household larger now than on its previous.csv line (family members
    joined) kept in last week's home is a rule 1 violation that says it grew; one that still fits is not."""
    households = (Household("A", 6, "L1", dt.date(2023, 1, 1), coupled_to="GM0001", coupling_date=dt.date(2023, 1, 20)),
                  Household("B", 3, "L1", dt.date(2023, 1, 1), coupled_to="GM0001", coupling_date=dt.date(2023, 1, 20)))
    dwellings = (Dwelling("X", "GM0001", DwellingKind.REGULAR, 4, dt.date(2023, 1, 1)),
                 Dwelling("Y", "GM0001", DwellingKind.REGULAR, 4, dt.date(2023, 1, 1)))
    previous = (PreviousRow("A", Action.HOUSE, "GM0001", "X", persons=4), PreviousRow("B", Action.HOUSE, "GM0001", "Y", persons=2))
    instance = make_instance(households=households, dwellings=dwellings, locks=(), bans=(), previous=previous)
    report = run([ProposalLine("A", "house", None, "X"), ProposalLine("B", "house", None, "Y")], instance)
    assert_only(report, "A: rule 1 (fit): has 6 persons (grown from 4 since previous.csv); regular dwelling X takes 1 to 4")


def test_rule1_shared_and_temporary_within_capacity_are_valid():
    """Several households in a shared or temporary dwelling within capacity are fine."""
    households = tuple(Household(f"A{i}", 1, "L1", dt.date(2023, 1, 1)) for i in range(2)) + (
        Household("B", 3, "L1", dt.date(2023, 1, 1)), Household("C", 1, "L1", dt.date(2023, 1, 1)))
    dwellings = (Dwelling("S", "GM0001", DwellingKind.SHARED, 2, dt.date(2023, 1, 1)),
                 Dwelling("T", "GM0001", DwellingKind.TEMPORARY, 4, dt.date(2023, 1, 1)))
    instance = make_instance(households=households, dwellings=dwellings, locks=(), bans=(), previous=())
    rows = [ProposalLine("A0", "house", None, "S"), ProposalLine("A1", "house", None, "S"),
            ProposalLine("B", "house", None, "T"), ProposalLine("C", "house", None, "T")]
    report = run(rows, instance)
    assert report.violations == ()
    # overdue: permit 2023-01-01, clock 01-15, 176 days to end, 92 overdue, 6 persons.
    # moves: B 3 + C 1 in the temporary dwelling; km 11 per person for 6 persons; the shared
    # dwelling is full and temporary places are not idle.
    assert report.levels == {"overdue_relief": 552, "placement": 6, "moves": 4, "quality": 66}


# --- rule 2: access and document -----------------------------------------------------------------

def test_rule2_needs_accessible():
    """A household that needs an accessible dwelling is not housed in one that is not."""
    households = make_instance().households[:3] + (
        dataclasses.replace(make_instance().households[3], needs_accessible=True),) + make_instance().households[4:]
    rows = bare(with_row(valid_rows(), "H4", action="house", dwelling_id="D6"))
    report = run(rows, make_instance(households=households), params(horizon_days=8))
    assert_only(report, "H4: rule 2 (access): needs an accessible dwelling; D6 is not accessible")


def test_rule2_accessible_dwelling_is_fine():
    """A household needing access may be housed in an accessible dwelling."""
    households = make_instance().households[:3] + (
        Household("H4", 2, "L1", dt.date(2023, 5, 1), needs_accessible=True),) + make_instance().households[4:]
    rows = with_row(valid_rows(), "H4", action="house", dwelling_id="D5")
    assert run(rows, make_instance(households=households)).violations == ()


def test_rule2_document_not_ready():
    """A household without its residence document is never housed."""
    households = tuple(dataclasses.replace(h, document_ready=False) if h.household_id == "H1" else h
                       for h in make_instance().households)
    report = run(valid_rows(), make_instance(households=households))
    assert_only(report, "H1: rule 2 (access): has no residence document yet")


def test_rule2_document_not_ready_may_be_coupled():
    """A household without its residence document may still be coupled."""
    households = tuple(dataclasses.replace(h, document_ready=False) if h.household_id == "H3" else h
                       for h in make_instance().households)
    assert run(valid_rows(), make_instance(households=households)).violations == ()


# --- rule 3: availability ------------------------------------------------------------------------

def test_rule3_dwelling_available_after_end():
    """A dwelling available after as_of + horizon_days is not used."""
    households = make_instance().households[:3] + (
        Household("H4", 2, "L1", dt.date(2023, 5, 1)),) + make_instance().households[4:]
    rows = with_row(valid_rows(), "H4", action="house", dwelling_id="D6")
    report = run(rows, make_instance(households=households))
    assert_only(report, "H4: rule 3 (availability): dwelling D6 is available from 2023-07-11, after the end of the horizon 2023-07-10")


def test_rule3_available_on_end_day_is_fine():
    """available_from equal to the end of the horizon is allowed."""
    households = make_instance().households[:3] + (
        Household("H4", 2, "L1", dt.date(2023, 5, 1)),) + make_instance().households[4:]
    rows = bare(with_row(valid_rows(), "H4", action="house", dwelling_id="D6"))
    assert run(rows, make_instance(households=households), params(horizon_days=8)).violations == ()


# --- rule 4: coupling ----------------------------------------------------------------------------

def test_rule4_coupled_household_housed_elsewhere():
    """A coupled household is housed only in its own municipality."""
    rows = with_row(valid_rows(), "H2", action="house", municipality=None, dwelling_id="D5")
    assert_only(run(rows), "H2: rule 4 (coupling): is coupled to GM0002 but housed in GM0001 (dwelling D5)")


def test_rule4_coupled_household_coupled_again():
    """A coupled household is never coupled again."""
    rows = with_row(valid_rows(), "H2", action="couple", municipality="GM0001", dwelling_id=None)
    assert_only(run(rows), "H2: rule 4 (coupling): is already coupled to GM0002; couple is only for households not yet coupled")


def test_rule4_couple_to_own_municipality():
    """couple is for households not yet coupled, even to the municipality they already have."""
    rows = with_row(valid_rows(), "H2", action="couple", municipality="GM0002", dwelling_id=None)
    assert_only(run(rows, par=params(allow_recoupling=True)), "H2: rule 4 (coupling): is already coupled to GM0002; couple is only")


def _approved(household_id: str) -> Instance:
    """The instance with COA's approval to re-couple this household (``may_recouple``)."""
    base = make_instance()
    return dataclasses.replace(base, households=tuple(dataclasses.replace(h, may_recouple=True) if h.household_id == household_id
                                                      else h for h in base.households))


def test_rule4_an_approved_household_may_be_recoupled_with_the_switch_off():
    """H2's own approval (may_recouple) is what allow_recoupling is for everyone: the same
    levels as test_rule4_recoupling_allowed_counts_moves_and_quota by hand; H6, not approved,
    still may not."""
    rows = with_row(valid_rows(), "H2", action="house", municipality=None, dwelling_id="D5")
    report = run(rows, instance=_approved("H2"))
    assert report.violations == ()
    assert report.levels == {"overdue_relief": 251, "placement": 8, "moves": 2, "quality": 364}
    assert_only(run(rows, instance=_approved("H6")), "H2: rule 4 (coupling): is coupled to GM0002 but housed in GM0001 "
                                                     "(dwelling D5); allow_recoupling is off and its may_recouple is 0")


def test_rule4_an_approved_household_is_still_not_coupled_again():
    rows = with_row(valid_rows(), "H2", action="couple", municipality="GM0001", dwelling_id=None)
    assert_only(run(rows, instance=_approved("H2")), "H2: rule 4 (coupling): is already coupled to GM0002; couple is only")


def test_rule4_recoupling_allowed_counts_moves_and_quota():
    """With allow_recoupling, housing elsewhere is valid and a move; by hand: moves 2, km 2*11, idle 11."""
    rows = with_row(valid_rows(), "H2", action="house", municipality=None, dwelling_id="D5")
    report = run(rows, par=params(allow_recoupling=True))
    assert report.violations == ()
    # H2 leaves the temporary dwelling (-2 moves) but is re-coupled (+2); km 2*11 = 22; D5 now full,
    # so 11 idle places instead of 13: 352 + 22 - 10 = 364.
    assert report.levels == {"overdue_relief": 251, "placement": 8, "moves": 2, "quality": 364}


# --- rule 5: region --------------------------------------------------------------------------------

def test_rule5_too_far():
    """A new coupling beyond max_km is reported with its distance."""
    rows = with_row(valid_rows(), "H4", action="couple", municipality="GM0003")
    assert_only(run(rows), "H4: rule 5 (region): newly coupled to GM0003 at 111.2 km; max_km is 50")


def test_rule5_max_km_lowered():
    """max_km applies to couplings by house as well."""
    report = run(valid_rows(), par=params(max_km=30))
    assert_only(report, "H3: rule 5 (region): newly coupled to GM0002 at 33.4 km; max_km is 30")


def test_rule5_existing_coupling_is_not_checked_for_range():
    """Housing a household already coupled to a far municipality is no new coupling."""
    report = run(valid_rows(), par=params(max_km=5))
    assert_only(report, "H1: rule 5 (region)", "H3: rule 5 (region)", "H5: rule 5 (region)")


def test_rule5_too_many_minutes():
    """With max_minutes set, a new coupling over it is reported."""
    assert_only(run(valid_rows(), par=params(max_minutes=30)), "H3: rule 5 (region): newly coupled to GM0002 at 40 minutes; max_minutes is 30")


def test_rule5_missing_travel_time():
    """With max_minutes set, a new coupling without a travel time is reported."""
    instance = make_instance(travel_minutes=(("L1", "GM0002", 40.0),))
    report = run(valid_rows(), instance, params(max_minutes=60))
    assert_only(report, "H1: rule 5 (region): newly coupled to GM0001, but travel_times.csv has no time",
                "H5: rule 5 (region): newly coupled to GM0001, but travel_times.csv has no time")


# --- rule 6: quota ---------------------------------------------------------------------------------

def test_rule6_quota_exceeded():
    """Persons newly coupled to a municipality may not exceed its quota."""
    munis = (dataclasses.replace(make_instance().municipalities[0], quota_remaining=3),) + make_instance().municipalities[1:]
    assert_only(run(valid_rows(), make_instance(municipalities=munis)), "GM0001: rule 6 (quota): newly coupled 4 persons, quota allows 3")


def test_rule6_negative_quota_means_none():
    """A negative quota allows nobody; housing a household coupled there uses no quota."""
    munis = (dataclasses.replace(make_instance().municipalities[0], quota_remaining=-5),) + make_instance().municipalities[1:]
    assert_only(run(valid_rows(), make_instance(municipalities=munis)), "GM0001: rule 6 (quota): newly coupled 4 persons, quota allows 0")


def test_rule6_slack_lifts_quota():
    """quota_slack adds to every municipality's quota."""
    munis = (dataclasses.replace(make_instance().municipalities[0], quota_remaining=-5),) + make_instance().municipalities[1:]
    assert run(valid_rows(), make_instance(municipalities=munis), params(quota_slack=4)).violations == ()


def test_rule6_amv_quota_exceeded():
    """AMV persons newly coupled may not exceed the AMV quota."""
    munis = (dataclasses.replace(make_instance().municipalities[0], amv_quota_remaining=0),) + make_instance().municipalities[1:]
    assert_only(run(valid_rows(), make_instance(municipalities=munis)), "GM0001: rule 6 (quota): newly coupled 1 AMV persons, AMV quota allows 0")


# --- rule 7: locks and bans ------------------------------------------------------------------------

def test_rule7_dwelling_lock_broken():
    """A lock on a dwelling needs the household housed there."""
    rows = with_row(valid_rows(), "H1", action="couple", municipality="GM0001", dwelling_id=None)
    assert_only(run(rows), "H1: rule 7 (lock): is locked to dwelling D1 but is coupled to GM0001")


def test_rule7_municipality_lock_broken():
    """A lock on a municipality needs the household coupled or housed there."""
    rows = with_row(valid_rows(), "H3", action="wait", municipality=None)
    assert_only(run(rows), "H3: rule 7 (lock): is locked to municipality GM0002 but waits")


def test_rule7_municipality_lock_kept_by_waiting_coupled_household():
    """A waiting household already coupled to the locked municipality keeps the lock."""
    rows = with_row(valid_rows(), "H2", action="wait", municipality="GM0002", dwelling_id=None)
    report = run(rows, make_instance(locks=make_instance().locks + (Lock("H2", municipality="GM0002"),)))
    assert report.violations == ()


def test_rule7_lock_with_both_needs_both():
    """A lock naming a municipality and a dwelling needs the dwelling, which must be in it."""
    locks = (Lock("H1", municipality="GM0002", dwelling_id="D1"),)
    assert_only(run(valid_rows(), make_instance(locks=locks)), "H1: rule 7 (lock): is locked to municipality GM0002 but is housed in dwelling D1")


def test_rule7_banned_dwelling():
    """A banned dwelling is never used for that household."""
    bans = (Ban("H1", dwelling_id="D1"),)
    assert_only(run(valid_rows(), make_instance(bans=bans)), "H1: rule 7 (ban): is banned from dwelling D1 but is housed in it")


def test_rule7_banned_municipality_by_couple():
    """A banned municipality is never coupled to."""
    rows = with_row(valid_rows(), "H4", action="couple", municipality="GM0001")
    bans = (Ban("H4", municipality="GM0001"),)
    assert_only(run(rows, make_instance(bans=bans)), "H4: rule 7 (ban): is banned from municipality GM0001 but is coupled to GM0001")


def test_rule7_banned_municipality_bans_its_dwellings():
    """A banned municipality bans its dwellings too."""
    bans = (Ban("H5", municipality="GM0001"),)
    assert_only(run(valid_rows(), make_instance(bans=bans)), "H5: rule 7 (ban): is banned from municipality GM0001 but is housed in dwelling D3")


# --- the optional columns --------------------------------------------------------------------------

@pytest.mark.parametrize(("column", "value", "expected"), [
    ("persons", 4, "H1: column persons: says 4; the household has 3 persons"),
    ("km", 11.3, "H1: column km: says 11.3; recomputed 11.12 km to GM0001"),
    ("overdue_days", 30, "H1: column overdue_days: says 30; recomputed 33"),
    ("moves", 3, "H1: column moves: says 3; recomputed 0"),
])
def test_column_mismatch(column, value, expected):
    """A persons, km, overdue_days or moves cell that disagrees with the recomputation is reported."""
    rows = [dataclasses.replace(r, **{column: value}) if r.household_id == "H1" else r for r in valid_rows()]
    assert_only(run(rows), expected)


def test_km_within_tolerance_is_fine():
    """A km cell within 0.1 of the recomputed distance passes."""
    rows = [dataclasses.replace(r, km=11.2) if r.household_id == "H1" else r for r in valid_rows()]
    assert run(rows).violations == ()


# --- files -----------------------------------------------------------------------------------------

PROPOSAL_CSV = """household_id,action,municipality,dwelling_id,persons,km,overdue_days,moves,reason,x_note
H1,house,GM0001,D1,3,11.1,33,0,closest fitting home,
H2,house,GM0002,D2,2,,75,2,coupled here,
H3,couple,GM0002,,1,33.4,0,0,locked,
H4,wait,,,1,,0,0,no dwelling,

H5,house,GM0001,D3,1,11.1,2,0,amv unit,a note
H6,house,GM0001,D4,1,,0,0,shared,
"""


def test_read_proposal_csv(tmp_path: Path):
    """The checker's own parser reads every column, skips blank lines and x_ columns."""
    path = tmp_path / "proposal.csv"
    path.write_text(PROPOSAL_CSV, encoding="utf-8")
    lines = read_proposal_csv(path)
    assert [line.household_id for line in lines] == ["H1", "H2", "H3", "H4", "H5", "H6"]
    assert lines[0] == ProposalLine("H1", "house", "GM0001", "D1", 3, 11.1, 33, 0, row=2)
    assert lines[2].dwelling_id is None and lines[1].km is None
    assert lines[4].row == 7


@pytest.mark.parametrize(("text", "where", "message"), [
    ("household_id,action,colour\nH1,wait,red\n", (1, 3), "unknown column 'colour'"),
    ("household_id,municipality\nH1,GM0001\n", (1, None), "missing required column 'action'"),
    ("household_id,action,persons\nH1,wait,three\n", (2, 3), "persons: 'three' is not a whole number"),
    ("household_id,action,km\nH1,wait,-2\n", (2, 3), "km: '-2' is not a number"),
    ("household_id,action\nH1,wait,extra\n", (2, None), "has 3 fields; the header has 2"),
    ("household_id,action\n,wait\n", (2, 1), "household_id is empty"),
    ("", (1, None), "has no header row"),
])
def test_read_proposal_csv_rejects_bad_file(tmp_path: Path, text, where, message):
    """A malformed proposal.csv raises InstanceError located at file, row and column."""
    path = tmp_path / "proposal.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstanceError) as info:
        read_proposal_csv(path)
    problem = info.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("proposal.csv", *where)
    assert message in problem.message


def test_check_files_reads_folder_and_overrides_as_of(tmp_path: Path):
    """check_files reads the instance folder, its params.toml, and lets as_of override it."""
    folder = write_instance(make_instance(), tmp_path / "inst", params(as_of=dt.date(2023, 1, 1)))
    path = tmp_path / "proposal.csv"
    path.write_text(PROPOSAL_CSV, encoding="utf-8")
    report = check_files(folder, path, as_of=AS_OF)
    assert report.violations == ()
    assert report.levels == VALID_LEVELS
    early = check_files(folder, path)
    assert "H1: rule 3 (availability): dwelling D1 is available from 2023-07-01, after the end of the horizon 2023-01-08" in early.violations


def test_check_files_param_override(tmp_path: Path):
    """Keyword overrides such as max_km reach the parameters."""
    folder = write_instance(make_instance(), tmp_path / "inst", params())
    path = tmp_path / "proposal.csv"
    path.write_text(PROPOSAL_CSV, encoding="utf-8")
    report = check_files(folder, path, max_km=20.0)
    assert_only(report, "H3: rule 5 (region): newly coupled to GM0002 at 33.4 km; max_km is 20")


def test_read_proposal_csv_missing_file(tmp_path: Path):
    """A proposal file that does not exist raises InstanceError, not OSError."""
    with pytest.raises(InstanceError, match="is missing"):
        read_proposal_csv(tmp_path / "nope.csv")


def test_idle_places_count_unused_homes_only_when_available():
    """An unused available home counts all its places as idle; one opening after the end does not."""
    instance = make_instance(
        households=(Household("A", 2, "L1", dt.date(2023, 6, 1)),),
        dwellings=(Dwelling("X", "GM0001", DwellingKind.REGULAR, 3, dt.date(2023, 1, 1)),
                   Dwelling("Y", "GM0001", DwellingKind.AMV, 2, dt.date(2023, 1, 1)),
                   Dwelling("Z", "GM0001", DwellingKind.REGULAR, 5, dt.date(2023, 8, 1)),
                   Dwelling("T", "GM0001", DwellingKind.TEMPORARY, 9, dt.date(2023, 1, 1))),
        locks=(), bans=(), previous=(),
    )
    report = run([ProposalLine("A", "house", None, "X")], instance)
    # km 2 x 11 = 22; idle: X 3 - 2 = 1, Y 2 unused = 2, Z not yet available, T temporary: 5 x 3 = 15.
    assert report.violations == ()
    assert report.levels == {"overdue_relief": 0, "placement": 2, "moves": 0, "quality": 37}
