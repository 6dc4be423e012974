"""Solve the aggregated programme level by level on any backend.

A backend loads a :class:`~matcher.solvers.formulation.Formulation`, optimises one level at a
time, and fixes each level's value before the next.  This module keeps the bookkeeping every
backend shares: the time budget, the greedy warm start, which levels were proven, the bound
and gap of level 4, and turning the solution into a :class:`~matcher.models.Proposal`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from matcher.exceptions import LocksInfeasibleError
from matcher.models import Proposal, Status
from matcher.objective import evaluate
from matcher.rules import Rules
from matcher.solvers.base import SolveOptions, level_budget
from matcher.solvers.formulation import LEVELS, MAXIMISE, Formulation, build
from matcher.solvers.greedy import greedy_assignments

log = logging.getLogger(__name__)


class Outcome(str, Enum):
    """A backend's answer for one level, mapped from its native status."""

    OPTIMAL = "optimal"
    """Proven optimal."""
    FEASIBLE = "feasible"
    """A solution, not proven optimal (time limit)."""
    INFEASIBLE = "infeasible"
    """Proven to have no solution."""
    UNKNOWN = "unknown"
    """No solution and no proof (time limit before the first solution, or a solver error)."""


@dataclass
class LevelResult:
    outcome: Outcome
    values: list[int] | None
    bound: float | None
    native: str


class Backend(Protocol):
    """One solver library, loaded with one formulation."""

    def optimise(self, level: int, time_limit: float | None, hint: list[int] | None) -> LevelResult: ...

    def fix(self, level: int, value: int, exact: bool) -> None: ...


class LexicographicSolver:
    """An exact solver: a backend driven level by level over the aggregated programme."""

    name = "lexicographic"
    exact = True

    def make_backend(self, formulation: Formulation, options: SolveOptions) -> Backend:
        raise NotImplementedError

    def solve(self, rules: Rules, options: SolveOptions) -> Proposal:
        start = time.perf_counter()
        deadline = None if options.time_limit is None else start + options.time_limit
        formulation = build(rules)
        build_s = time.perf_counter() - start
        try:
            greedy = greedy_assignments(rules)
            hint = formulation.values_from(greedy)
        except LocksInfeasibleError:
            greedy, hint = None, None
        backend = self.make_backend(formulation, options)

        proven = [False] * 4
        values: list[int] | None = None
        bound: float | None = None
        natives: list[str] = []
        for level in range(4):
            remaining = None if deadline is None else deadline - time.perf_counter()
            if remaining is not None and remaining <= 0.01:
                break
            result = backend.optimise(level, level_budget(level, remaining), values or hint)
            natives.append(result.native)
            if result.outcome is Outcome.INFEASIBLE:
                if level == 0:
                    raise LocksInfeasibleError(f"no proposal satisfies every lock together with the hard rules ({self.name}: {result.native})")
                break
            if result.values is None:
                break
            values = result.values
            value = formulation.objective_value(level, values)
            exact = result.outcome is Outcome.OPTIMAL
            proven[level] = exact and all(proven[:level])
            if level == 3 and result.bound is not None:
                bound = result.bound + formulation.constants[3]
                if exact:
                    bound = float(value)
            backend.fix(level, value, exact)
            log.info("level %d %s = %d (%s)", level + 1, LEVELS[level], value, result.native)

        if values is None:
            if greedy is None:
                raise LocksInfeasibleError("no valid proposal was found within the time limit, and greedy cannot honour the locks")
            assignments = greedy
            message = f"{self.name} found no solution in time; the greedy proposal is returned"
        else:
            assignments = formulation.assignments(values)
            message = f"{self.name} per level: " + ", ".join(natives)
        levels = evaluate(rules, assignments)
        return Proposal(
            assignments=tuple(assignments[h.household_id] for h in rules.instance.households),
            status=Status.OPTIMAL if all(proven) else Status.FEASIBLE,
            solver=self.name,
            levels=levels,
            proven=(proven[0], proven[1], proven[2], proven[3]),
            bound=bound,
            runtime_s=time.perf_counter() - start,
            message=message,
            stats={
                "variables": len(formulation.vars),
                "constraints": len(formulation.constraints),
                "classes": len(formulation.classes),
                "households": len(rules.instance.households),
                "build_s": round(build_s, 3),
            },
        )


__all__ = ["Backend", "LevelResult", "LexicographicSolver", "Outcome", "MAXIMISE"]
