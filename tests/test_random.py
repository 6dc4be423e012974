"""Randomised cross-checks of the solvers against an independent MIP and the independent checker.

For each seed, :func:`random_instances.random_instance` builds a small instance; then
- every exact backend must prove levels 1-3, and they must equal the optima of
  :mod:`independent_model` (a separate PuLP/CBC formulation written from the contract, one binary
  per household x dwelling);
- every exact backend's and greedy's ``proposal.csv`` must pass :mod:`matcher.check` (and the
  independent model's own validity check), with the checker's levels equal to the solver's;
- greedy is never lexicographically better than CP-SAT;
- the same instance and seed give the same proposal.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest

import independent_model as im
from matcher.check import ProposalLine, check_files, check_proposal
from matcher.exceptions import LocksInfeasibleError
from matcher.models import (
    Dwelling,
    DwellingKind,
    Household,
    Instance,
    Location,
    Lock,
    Municipality,
    Params,
    Proposal,
    Status,
)
from matcher.read import write_instance
from matcher.rules import Rules
from matcher.solvers import solve
from matcher.write import write_proposal
from random_instances import random_instance

TIME_LIMIT = 20
SEEDS = range(100)
FULL_SEED_BACKENDS = ("cpsat", "highs", "highspy")
"""Exact backends cross-checked on every seed (highspy is what ``auto`` picks)."""
SUBSET_SEEDS = [seed for seed in SEEDS if seed % 10 in (1, 4, 7)]
"""The 30 seeds the other exact backends (cbc, cpsat-classes) are cross-checked on, to keep the
suite short; all 100 agree too (checked once by hand)."""

GREEDY_LOCK_FAILURES: set[int] = set()
"""Seeds whose locks greedy cannot place although they hold together (CP-SAT and the
independent model place them): greedy places a municipality-only lock by grabbing the first
fitting home there, which may be the dwelling another lock needs.  Other affected seeds beyond
this range: 132, 532, 553, 748, 784, 916.  See test_greedy_keeps_locks_that_can_hold."""


def _greedy_seeds():
    for seed in SEEDS:
        if seed in GREEDY_LOCK_FAILURES:
            yield pytest.param(seed, marks=pytest.mark.xfail(
                raises=LocksInfeasibleError, strict=True,
                reason="greedy refuses locks that can hold (municipality lock takes a locked dwelling)"))
        else:
            yield seed


@cache
def _case(seed: int) -> tuple[Instance, Params]:
    return random_instance(seed)


@cache
def _solved(seed: int, backend: str) -> Proposal:
    instance, params = _case(seed)
    return solve(instance, params, solver=backend, time_limit=TIME_LIMIT)


def _cpsat(seed: int) -> Proposal:
    return _solved(seed, "cpsat")


@cache
def _independent(seed: int) -> im.IndependentResult:
    instance, params = _case(seed)
    return im.solve_levels(instance, params)


def _check_via_files(instance: Instance, params: Params, proposal: Proposal, tmp_path: Path):
    """Write the instance and proposal.csv, then run the independent checker on the files."""
    folder = write_instance(instance, tmp_path / "instance", params)
    csv_path, _ = write_proposal(Rules(instance, params), proposal, tmp_path / "out")
    return check_files(folder, csv_path)


def _levels3(proposal: Proposal) -> tuple[int, int, int]:
    lv = proposal.levels
    return (lv.overdue_relief, lv.placement, lv.moves)


def _lines(proposal: Proposal) -> list[tuple]:
    return [(a.household_id, a.action.value, a.municipality, a.dwelling_id, a.reason) for a in proposal.assignments]


@pytest.mark.backend_seeds(SEEDS, subset=SUBSET_SEEDS, full=FULL_SEED_BACKENDS)
def test_levels_match_independent_model(backend, seed, known_bugs):
    """The backend proves levels 1-3 and they equal the independent CBC model's lexicographic optima."""
    p = _solved(seed, backend)
    known_bugs.xfail_if_cbc_stalled(backend, p)
    assert p.status in (Status.OPTIMAL, Status.FEASIBLE), p.message
    assert all(p.proven[:3]), f"levels 1-3 not proven: {p.proven} ({p.status.value}, {p.message})"
    assert _levels3(p) == _independent(seed).levels()


@pytest.mark.backend_seeds(SEEDS, subset=SUBSET_SEEDS, full=FULL_SEED_BACKENDS)
def test_backend_agrees_with_cpsat_on_all_four_levels(backend, seed, known_bugs):
    """The backend and CP-SAT both prove all four levels and reach the same optimum, level 4 included."""
    p, reference = _solved(seed, backend), _cpsat(seed)
    known_bugs.xfail_if_cbc_stalled(backend, p)
    assert p.status is Status.OPTIMAL and reference.status is Status.OPTIMAL, (p.message, reference.message)
    assert p.levels == reference.levels


@pytest.mark.parametrize("seed", SEEDS)
def test_independent_solution_passes_checker(seed):
    """The independent model's own optimum is valid for matcher.check, with the same levels 1-3."""
    instance, params = _case(seed)
    result = _independent(seed)
    rows = [ProposalLine(hid, action, code if action != "wait" else None, did)
            for hid, action, code, did in result.assignments]
    report = check_proposal(instance, params, rows)
    assert report.violations == ()
    assert (report.levels["overdue_relief"], report.levels["placement"], report.levels["moves"]) == result.levels()


@pytest.mark.backend_seeds(SEEDS, subset=SUBSET_SEEDS, full=FULL_SEED_BACKENDS)
def test_proposal_passes_checker(backend, seed, tmp_path):
    """The backend's proposal.csv passes both checkers and the checker's four levels equal the solver's."""
    instance, params = _case(seed)
    p = _solved(seed, backend)
    assert im.violations(instance, params, p.assignments) == []
    assert im.levels(instance, params, p.assignments) == _levels3(p)
    report = _check_via_files(instance, params, p, tmp_path)
    assert report.violations == ()
    assert report.levels == p.levels.as_dict()


@pytest.mark.parametrize("seed", _greedy_seeds())
def test_greedy_valid_and_never_better(seed, tmp_path):
    """Greedy's proposal passes both checkers, its levels are the checker's, and it never beats CP-SAT."""
    instance, params = _case(seed)
    g = solve(instance, params, solver="greedy", time_limit=TIME_LIMIT)
    assert im.violations(instance, params, g.assignments) == []
    report = _check_via_files(instance, params, g, tmp_path)
    assert report.violations == ()
    assert report.levels == g.levels.as_dict()
    assert g.levels.key() <= _cpsat(seed).levels.key()


@pytest.mark.parametrize("seed", range(6))
def test_same_seed_same_proposal(seed):
    """The same instance and solver seed give identical assignments and reasons, run after run."""
    assert random_instance(seed) == _case(seed)
    instance, params = _case(seed)
    first = solve(instance, params, solver="cpsat", time_limit=TIME_LIMIT, seed=seed)
    second = solve(instance, params, solver="cpsat", time_limit=TIME_LIMIT, seed=seed)
    assert _lines(first) == _lines(second)
    assert first.levels == second.levels


def test_greedy_keeps_locks_that_can_hold():
    """Greedy honours two locks that hold together: H1 stays in GM0001 (waiting), H2 gets D1."""
    day = dt.date
    instance = Instance(
        municipalities=(Municipality("GM0001", "A", "P", 52.1, 6.0, 0, 0),),
        locations=(Location("L1", "azc", 52.0, 6.0),),
        households=(Household("H1", 1, "L1", day(2023, 1, 1), "GM0001", day(2023, 3, 1)),
                    Household("H2", 1, "L1", day(2023, 1, 1), "GM0001", day(2023, 3, 1))),
        dwellings=(Dwelling("D1", "GM0001", DwellingKind.REGULAR, 1, day(2023, 7, 1)),),
        locks=(Lock("H1", municipality="GM0001"), Lock("H2", dwelling_id="D1")),
    )
    params = Params(as_of=day(2023, 7, 3))
    assert im.solve_levels(instance, params).levels() == (47, 1, 0)
    g = solve(instance, params, solver="greedy", time_limit=TIME_LIMIT)
    assert im.violations(instance, params, g.assignments) == []
