"""The one level-by-level driver of every exact backend.

A solver names a *formulation* (:meth:`LexicographicSolver.formulate`: the class programme, or
the per-household one) and a *backend* (:meth:`LexicographicSolver.make_backend`: a solver
library loaded with a programme, which optimises one level at a time and takes added rows).
This module keeps everything else, once for all of them: the time budget, the greedy warm
start, the exact reductions of :mod:`matcher.solvers.decompose`, fixing each level before the
next, which levels were proven, the bound of level 4, and turning the solution into a
:class:`~matcher.models.Proposal`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from matcher.exceptions import LocksInfeasibleError
from matcher.models import LEVEL_NAMES, MAXIMISE, Proposal, Status
from matcher.objective import evaluate
from matcher.rules import Rules
from matcher.solvers.base import SolveOptions, level_budget
from matcher.solvers.decompose import dense_row, reduce, restrict
from matcher.solvers.formulation import Constraint, Formulation, build
from matcher.solvers.greedy import greedy_assignments

log = logging.getLogger(__name__)

PART_SHARE = 0.8
"""A level whose components hold fewer than this share of the reduced programme's variables is
solved on those components alone."""


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

    def add(self, row: Constraint) -> None:
        """Add a row (a level fixed, or a component of one) to the loaded programme."""
        ...


class LexicographicSolver:
    """An exact solver: a backend driven level by level over the aggregated programme.

    Levels 1–3 are solved on the reduced programme of :mod:`matcher.solvers.decompose` and fixed
    component by component; level 4 on the whole programme with those rows.  A level the backend
    cannot finish in time keeps the best solution so far, is fixed as "at least as good", and the
    solve goes on with the next level.

    A subclass gives its registered ``name`` and :meth:`make_backend`, and may choose another
    programme with :meth:`formulate`."""

    name: str
    exact = True

    def formulate(self, rules: Rules) -> Formulation:
        """The programme this solver's backend is given: the class programme by default."""
        return build(rules)

    def make_backend(self, formulation: Formulation, options: SolveOptions) -> Backend:
        raise NotImplementedError

    def solve(self, rules: Rules, options: SolveOptions) -> Proposal:
        start = time.perf_counter()
        deadline = None if options.time_limit is None else start + options.time_limit
        formulation = self.formulate(rules)
        reduction = reduce(formulation)
        build_s = time.perf_counter() - start
        try:
            greedy = greedy_assignments(rules)
            hint = formulation.values_from(greedy)
        except LocksInfeasibleError:
            greedy, hint = None, None
        greedy_s = time.perf_counter() - start - build_s
        level_s: list[float] = []

        proven = [False] * 4
        values: list[int] | None = None  # whole-programme values of the best solution so far
        bound: float | None = None
        natives: list[str] = []
        fixed_rows: list[Constraint] = []  # levels 1-3, over the whole programme's variables
        sub_rows: list[Constraint] = []  # the same, over the reduced programme's variables
        componentwise = True  # until a level is fixed by one dense row
        backend = None  # on the whole reduced programme, made when a level needs all of it
        for level in range(4):
            remaining = None if deadline is None else deadline - time.perf_counter()
            if remaining is not None and remaining <= 0.01:
                natives.append("not started (time limit)")
                break
            whole = level == 3
            level_start = time.perf_counter()
            if whole:
                formulation.constraints.extend(fixed_rows)
                whole_backend = self.make_backend(formulation, options)
                result = whole_backend.optimise(level, _budget(level, deadline), values or hint)
            else:
                start_values = reduction.to_sub(values or hint)
                part = reduction.relevant(level, start_values, MAXIMISE[level]) if componentwise and start_values is not None else None
                if part == []:
                    # Every component is at the best its terms allow: nothing to solve.
                    result = LevelResult(Outcome.OPTIMAL, start_values, None, "at its bound")
                elif part is not None and len(part) < PART_SHARE * len(reduction.sub.vars):
                    # Only the components where this level has terms can change: solve them
                    # alone, the others stay where they are.
                    part_backend = self.make_backend(restrict(reduction.sub, part, sub_rows), options)
                    result = part_backend.optimise(level, _budget(level, deadline), [start_values[i] for i in part])
                    if result.values is not None:
                        merged = list(start_values)
                        for i, value in zip(part, result.values):
                            merged[i] = value
                        result.values = merged
                else:
                    if backend is None:
                        backend = self.make_backend(reduction.sub, options)
                        for row in sub_rows:
                            backend.add(row)
                    result = backend.optimise(level, _budget(level, deadline), start_values)
            level_s.append(round(time.perf_counter() - level_start, 3))
            natives.append(result.native)
            found = result.values
            if found is not None and not whole:
                found = reduction.to_full(found)
            if result.outcome is Outcome.INFEASIBLE and level == 0 and hint is None and not _zero_feasible(formulation):
                raise LocksInfeasibleError(f"no proposal satisfies every lock together with the hard rules ({self.name}: {result.native})")
            # Otherwise "infeasible" cannot be true (the greedy proposal, or the last level's
            # solution, satisfies every row): a backend cut off in its preprocessing says so.
            exact = result.outcome is Outcome.OPTIMAL and found is not None
            if found is None:
                found = values or hint
                if found is None:
                    break
                log.info("level %d: no solution from %s (%s); keeping the best so far", level + 1, self.name, result.native)
            values = found
            value = formulation.objective_value(level, values)
            proven[level] = exact and all(proven[:level])
            if whole:
                if result.bound is not None and result.values is not None:
                    bound = float(value) if exact else result.bound + formulation.constants[3]
            else:
                if proven[level]:
                    rows_whole = reduction.rows(level, values, reduced=False)
                    rows_sub = reduction.rows(level, values, reduced=True)
                else:
                    rows_whole = [dense_row(formulation, level, value, MAXIMISE[level])]
                    rows_sub = [dense_row(reduction.sub, level, value, MAXIMISE[level])]
                    componentwise = False
                fixed_rows.extend(rows_whole)
                sub_rows.extend(rows_sub)
                if backend is not None:
                    for row in rows_sub:
                        backend.add(row)
            log.info("level %d %s = %d (%s)", level + 1, LEVEL_NAMES[level], value, result.native)

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
                "variables_levels_1_3": len(reduction.sub.vars),
                "constraints": len(formulation.constraints),
                "classes": len(formulation.classes),
                "households": len(rules.instance.households),
                "build_s": round(build_s, 3),
                "greedy_s": round(greedy_s, 3),
                "level_s": level_s,
            },
        )


def _budget(level: int, deadline: float | None) -> float | None:
    """Seconds ``level`` may search: its share of the time left once its backend is built, so
    that building a model counts against the time limit like searching does."""
    if deadline is None:
        return None
    return level_budget(level, max(0.01, deadline - time.perf_counter()))


def _zero_feasible(f: Formulation) -> bool:
    """Whether everybody waiting satisfies every row (true unless a lock forces a place)."""
    return all((c.lower is None or c.lower <= 0) and (c.upper is None or c.upper >= 0) for c in f.constraints)


__all__ = ["Backend", "LevelResult", "LexicographicSolver", "Outcome", "MAXIMISE"]
