"""Per-household re-coupling (``households.csv`` ``may_recouple``, issue 14 item 3): COA's approval
lets the engine house that one coupled household in another municipality while
``allow_recoupling`` stays off, in every backend, greedy included, and the checker agrees.  The
exact backends meet the hand-made case ``tests/cases/recoupling_per_household`` in
``tests/test_cases.py``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from matcher.check import check_proposal, lines_of
from matcher.models import Action
from matcher.read import read_instance, read_params
from matcher.solvers import solve

CASE = Path(__file__).parent / "cases" / "recoupling_per_household"


def _places(proposal) -> dict[str, tuple[str, str | None, str | None]]:
    return {a.household_id: (a.action.value, a.municipality, a.dwelling_id) for a in proposal.assignments}


def test_greedy_recouples_the_approved_household_only():
    """Greedy takes R2 first (coupled earliest) but may not move it; R1, approved, gets the
    first home that fits in the nearest other municipality (b4 in Bb); S gets a2 at home."""
    instance, params = read_instance(CASE), read_params(CASE)
    proposal = solve(instance, params, solver="greedy")
    assert _places(proposal) == {"R1": ("house", "GM0002", "b4"), "R2": ("wait", "GM0001", None),
                                 "S": ("house", "GM0001", "a2")}
    report = check_proposal(instance, params, lines_of(proposal))
    assert report.violations == () and report.levels["moves"] == 3


def test_without_the_approval_nobody_moves():
    instance, params = read_instance(CASE), read_params(CASE)
    withdrawn = dataclasses.replace(instance, households=tuple(dataclasses.replace(h, may_recouple=False)
                                                               for h in instance.households))
    for solver in ("greedy", "highspy"):
        proposal = solve(withdrawn, params, solver=solver)
        assert proposal.assignments[0].action is Action.WAIT and proposal.levels.moves == 0, solver


def test_the_switch_still_moves_everyone():
    """With allow_recoupling on, R2 moves too (b4 and c4 take R1 and R2): relief 3*30 + 3*40 + 2*10
    = 230, moves 6; the approval only adds to the switch."""
    instance, params = read_instance(CASE), read_params(CASE)
    proposal = solve(instance, dataclasses.replace(params, allow_recoupling=True), solver="highspy")
    assert {_places(proposal)[h][0] for h in ("R1", "R2")} == {"house"}
    assert (proposal.levels.overdue_relief, proposal.levels.moves) == (230, 6)
