"""MIP backends through PuLP: HiGHS (via highspy) and CBC (bundled with PuLP 3.3).

PuLP reports a HiGHS run stopped at its time limit with a solution as status "Optimal"; the
solution status (``sol_status``) tells them apart, so that is what we read.  Every objective
coefficient is a whole number, so a level fixed from a proven optimum is fixed exactly.
"""

from __future__ import annotations

import pulp

from matcher.models import MAXIMISE
from matcher.solvers.base import SolveOptions
from matcher.solvers.formulation import Constraint, Formulation
from matcher.solvers.lexicographic import LevelResult, LexicographicSolver, Outcome

_SOL_STATUS = {
    pulp.LpSolutionOptimal: Outcome.OPTIMAL,
    pulp.LpSolutionIntegerFeasible: Outcome.FEASIBLE,
    pulp.LpSolutionInfeasible: Outcome.INFEASIBLE,
    pulp.LpSolutionUnbounded: Outcome.UNKNOWN,
    pulp.LpSolutionNoSolutionFound: Outcome.UNKNOWN,
}


class PulpBackend:
    """The aggregated programme as a PuLP problem, solved by a PuLP solver command."""

    def __init__(self, formulation: Formulation, options: SolveOptions, solver_name: str):
        self.f = formulation
        self.options = options
        self.solver_name = solver_name
        self.problem = pulp.LpProblem("matcher", pulp.LpMaximize)
        self.x = [
            pulp.LpVariable(f"v{i}", lowBound=0, upBound=v.upper, cat=pulp.LpBinary if v.upper == 1 else pulp.LpInteger)
            for i, v in enumerate(formulation.vars)
        ]
        for i, c in enumerate(formulation.constraints):
            expr = pulp.LpAffineExpression([(self.x[v], k) for v, k in c.terms])
            if c.lower is not None and c.upper is not None and c.lower == c.upper:
                self.problem += (expr == c.lower, f"c{i}")
                continue
            if c.lower is not None:
                self.problem += (expr >= c.lower, f"c{i}l")
            if c.upper is not None:
                self.problem += (expr <= c.upper, f"c{i}u")
        self.rows = 0
        self.expr = [pulp.LpAffineExpression([(self.x[v], k) for v, k in terms]) for terms in formulation.objectives]

    def _command(self, time_limit: float | None):
        if self.solver_name == "highs":
            return pulp.HiGHS(msg=self.options.log, timeLimit=time_limit, threads=max(1, self.options.workers),
                              random_seed=self.options.seed, mip_rel_gap=0.0)
        # CBC 2.10 with "-threads 1" sometimes waits 10 s for its thread: pass threads only when > 1.
        return pulp.PULP_CBC_CMD(msg=self.options.log, timeLimit=time_limit, threads=self.options.workers if self.options.workers > 1 else None,
                                 gapRel=0.0, options=[f"randomSeed {self.options.seed + 1}", f"randomCbcSeed {self.options.seed + 1}"])

    def optimise(self, level: int, time_limit: float | None, hint: list[int] | None) -> LevelResult:
        self.problem.sense = pulp.LpMaximize if MAXIMISE[level] else pulp.LpMinimize
        self.problem.setObjective(self.expr[level])
        # PuLP 3.3 passes no start solution to HiGHS, and CBC's warm start goes through an MPS
        # file round trip that costs more than it saves here: each level starts cold.
        self.problem.solve(self._command(time_limit))
        native = f"{pulp.LpStatus[self.problem.status]}/{pulp.LpSolution[self.problem.sol_status]}"
        outcome = _SOL_STATUS.get(self.problem.sol_status, Outcome.UNKNOWN)
        if self.problem.status == pulp.LpStatusInfeasible:
            outcome = Outcome.INFEASIBLE
        if outcome not in (Outcome.OPTIMAL, Outcome.FEASIBLE):
            return LevelResult(outcome, None, None, native)
        values = [int(round(v.value() or 0)) for v in self.x]
        bound = None
        if outcome is Outcome.OPTIMAL:
            bound = float(sum(c * values[v] for v, c in self.f.objectives[level]))
        return LevelResult(outcome, values, bound, native)

    def add(self, row: Constraint) -> None:
        expr = pulp.LpAffineExpression([(self.x[v], k) for v, k in row.terms])
        self.rows += 1
        if row.lower is not None and row.lower == row.upper:
            self.problem += (expr == row.lower, f"fix{self.rows}")
            return
        if row.lower is not None:
            self.problem += (expr >= row.lower, f"fix{self.rows}l")
        if row.upper is not None:
            self.problem += (expr <= row.upper, f"fix{self.rows}u")


class HighsSolver(LexicographicSolver):
    """Exact lexicographic solver: the aggregated programme on HiGHS (through PuLP)."""

    name = "highs"

    def make_backend(self, formulation: Formulation, options: SolveOptions) -> PulpBackend:
        return PulpBackend(formulation, options, "highs")


class CbcSolver(LexicographicSolver):
    """Exact lexicographic solver: the aggregated programme on CBC (through PuLP)."""

    name = "cbc"

    def make_backend(self, formulation: Formulation, options: SolveOptions) -> PulpBackend:
        return PulpBackend(formulation, options, "cbc")
