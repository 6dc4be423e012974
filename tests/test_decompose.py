"""The exact reductions of the lexicographic solve, checked against the plain programme.

:mod:`matcher.solvers.decompose` solves levels 1-3 on a reduced programme and fixes them
component by component; :class:`matcher.solvers.highs.HighspyBackend` solves level 4 of a big
programme with reduced-cost fixing.  Both must give the same four optimal levels as solving the
whole programme level by level with one dense row per level, which this module does by hand.
"""

from __future__ import annotations

from functools import cache

import highspy
import numpy as np
import pytest

from matcher.models import MAXIMISE, Status
from matcher.rules import Rules
from matcher.solvers import highs as highs_module
from matcher.solvers import solve
from matcher.solvers.base import SolveOptions
from matcher.solvers.decompose import dense_row, reduce
from matcher.solvers.formulation import build
from matcher.synth import make_example
from random_instances import random_instance

SEEDS = range(0, 100, 5)


@cache
def _case(seed: int):
    return random_instance(seed)


@pytest.fixture(params=[0.0, 2.0, 16.0], ids=lambda m: f"margin{m:g}")
def fixing_always(monkeypatch, request):
    """Use reduced-cost fixing on level 4 of every programme, however small, starting from a
    margin of 0 (every variable with a positive reduced cost fixed: the second round must widen
    it), 2 or 16 (the default)."""
    monkeypatch.setattr(highs_module, "FIXING_MIN_VARIABLES", 0)
    monkeypatch.setattr(highs_module, "FIXING_FIRST_MARGIN", request.param)


@pytest.mark.parametrize("seed", SEEDS)
def test_reduced_solve_equals_plain_solve(seed: int, fixing_always) -> None:
    """Reductions and reduced-cost fixing change nothing in the four optimal levels."""
    instance, params = _case(seed)
    expected = _plain_levels(instance, params)
    proposal = solve(instance, params, solver="highspy", time_limit=None, explain=False)
    assert proposal.status is Status.OPTIMAL, proposal.message
    lv = proposal.levels
    assert (lv.overdue_relief, lv.placement, lv.moves, lv.quality) == expected
    assert proposal.bound == expected[3]


@pytest.mark.parametrize("name", ["twente", "hart-van-brabant"])
def test_reduced_solve_equals_plain_solve_on_examples(name: str, fixing_always) -> None:
    instance, params = make_example(name)
    expected = _plain_levels(instance, params)
    proposal = solve(instance, params, solver="highspy", time_limit=None, explain=False)
    assert proposal.status is Status.OPTIMAL, proposal.message
    assert "fixed" in proposal.message  # level 4 went through reduced-cost fixing
    assert (proposal.levels.overdue_relief, proposal.levels.placement, proposal.levels.moves,
            proposal.levels.quality) == expected


def _plain_levels(instance, params, per_household: bool = False) -> tuple[int, int, int, int]:
    """The lexicographic optimum on the whole programme (the class one, or the per-household one),
    one dense row per level, no reductions, the plain HiGHS MIP on every level."""
    rules = Rules(instance, params)
    f = build(rules, per_household=per_household)
    backend = highs_module.HighspyBackend(f, SolveOptions(time_limit=None))
    h = backend.highs
    out = []
    hint = None
    for level in range(4):
        h.changeObjectiveSense(highspy.ObjSense.kMaximize if MAXIMISE[level] else highspy.ObjSense.kMinimize)
        h.changeColsCost(backend.n, np.arange(backend.n, dtype=np.int32), backend.costs[level])
        result = backend._mip(None, hint)
        assert result.outcome.value == "optimal", result.native
        value = f.objective_value(level, result.values)
        out.append(value)
        backend.add(dense_row(f, level, value, MAXIMISE[level]))
        hint = result.values
    return tuple(out)


@pytest.mark.parametrize("seed", SEEDS)
def test_per_household_programme_has_the_class_optimum(seed: int) -> None:
    """The per-household programme (cpsat's) has the same four optimal levels as the class
    programme, both solved plainly."""
    instance, params = _case(seed)
    assert _plain_levels(instance, params, per_household=True) == _plain_levels(instance, params)


@pytest.mark.parametrize("name", ["twente", "hart-van-brabant"])
def test_per_household_programme_is_one_class_per_household(name: str) -> None:
    """Per household: every household a class of its own, every variable yes/no, and the
    reductions still apply to it."""
    instance, params = make_example(name)
    rules = Rules(instance, params)
    f = build(rules, per_household=True)
    assert [c.first.household_id for c in f.classes] == sorted(h.household_id for h in instance.households)
    assert all(len(c.members) == 1 for c in f.classes)
    assert {v.upper for v in f.vars} == {1}
    assert len(build(rules).classes) < len(f.classes)
    assert reduce(f).image


def test_reduction_drops_direct_housing_of_uncoupled_only() -> None:
    """Only house variables of uncoupled classes with nobody overdue and no lock are dropped,
    each mapped to the couple variable of the same class and municipality."""
    instance, params = make_example("twente")
    rules = Rules(instance, params)
    f = build(rules)
    r = reduce(f)
    assert r.image, "twente has uncoupled households who could be housed directly"
    couple = {var: (ci, code) for ci, var, code in f.couple_vars}
    house = {var: (ci, slot.first.municipality) for ci, var, slot in f.house_vars}
    for var, target in r.image.items():
        assert not f.classes[house[var][0]].first.is_coupled
        assert couple[target] == house[var]
        assert r.component[var] == r.component[target]
    assert len(r.sub.vars) == len(f.vars) - len(r.image)
