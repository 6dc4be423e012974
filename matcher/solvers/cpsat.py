"""OR-Tools CP-SAT as a backend of the level-by-level driver (docs/contract.md §5).

Two solvers share the backend and the driver
(:class:`~matcher.solvers.lexicographic.LexicographicSolver`); they differ only in the programme:

- ``cpsat`` solves the *per-household* programme (``build(rules, per_household=True)``): every
  household a class of one, so every variable is yes/no, one per household and *place*, where a
  place is a municipality (``couple``) or a dwelling slot (``house``; identical regular dwellings
  form one slot with a count, :mod:`matcher.solvers.slots`).  CP-SAT propagates yes/no variables
  better than counts.
- ``cpsat-classes`` solves the class programme the MIP backends solve, for comparison.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from matcher.models import MAXIMISE
from matcher.rules import Rules
from matcher.solvers.base import SolveOptions
from matcher.solvers.formulation import Constraint, Formulation, build
from matcher.solvers.lexicographic import LevelResult, LexicographicSolver, Outcome


class CpSatBackend:
    """A programme (per-household or class) loaded into a CP-SAT model."""

    def __init__(self, formulation: Formulation, options: SolveOptions):
        self.f = formulation
        self.options = options
        self.maximise = MAXIMISE
        self.model = cp_model.CpModel()
        self.x = [self.model.new_int_var(0, v.upper, v.name) for v in formulation.vars]
        for c in formulation.constraints:
            expr = cp_model.LinearExpr.weighted_sum([self.x[v] for v, _ in c.terms], [k for _, k in c.terms])
            lower = c.lower if c.lower is not None else cp_model.INT_MIN
            upper = c.upper if c.upper is not None else cp_model.INT_MAX
            self.model.add_linear_constraint(expr, lower, upper)
        self.expr = [
            cp_model.LinearExpr.weighted_sum([self.x[v] for v, _ in terms], [k for _, k in terms])
            for terms in formulation.objectives
        ]

    def optimise(self, level: int, time_limit: float | None, hint: list[int] | None) -> LevelResult:
        self.model.clear_hints()
        if hint is not None:
            for var, value in zip(self.x, hint):
                self.model.add_hint(var, value)
        if self.maximise[level]:
            self.model.maximize(self.expr[level])
        else:
            self.model.minimize(self.expr[level])
        solver = cp_model.CpSolver()
        solver.parameters.random_seed = self.options.seed
        solver.parameters.num_workers = max(1, self.options.workers)
        solver.parameters.log_search_progress = self.options.log
        if time_limit is not None:
            solver.parameters.max_time_in_seconds = time_limit
        status = solver.solve(self.model)
        native = solver.status_name(status)
        outcome = {
            cp_model.OPTIMAL: Outcome.OPTIMAL,
            cp_model.FEASIBLE: Outcome.FEASIBLE,
            cp_model.INFEASIBLE: Outcome.INFEASIBLE,
        }.get(status, Outcome.UNKNOWN)
        if outcome in (Outcome.OPTIMAL, Outcome.FEASIBLE):
            values = [int(solver.value(x)) for x in self.x]
            return LevelResult(outcome, values, float(solver.best_objective_bound), native)
        return LevelResult(outcome, None, None, native)

    def add(self, row: Constraint) -> None:
        expr = cp_model.LinearExpr.weighted_sum([self.x[v] for v, _ in row.terms], [k for _, k in row.terms])
        lower = row.lower if row.lower is not None else cp_model.INT_MIN
        upper = row.upper if row.upper is not None else cp_model.INT_MAX
        self.model.add_linear_constraint(expr, lower, upper)


class CpSatSolver(LexicographicSolver):
    """Exact lexicographic solver: the per-household programme on CP-SAT."""

    name = "cpsat"

    def formulate(self, rules: Rules) -> Formulation:
        return build(rules, per_household=True)

    def make_backend(self, formulation: Formulation, options: SolveOptions) -> CpSatBackend:
        return CpSatBackend(formulation, options)


class CpSatClassesSolver(LexicographicSolver):
    """Exact lexicographic solver: the class programme on CP-SAT.

    Kept for comparison: CP-SAT proves the per-household programme faster than this one, whose
    integer counts weaken its propagation; the MIP backends prefer the class programme."""

    name = "cpsat-classes"

    def make_backend(self, formulation: Formulation, options: SolveOptions) -> CpSatBackend:
        return CpSatBackend(formulation, options)
