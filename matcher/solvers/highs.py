"""HiGHS called directly through highspy (the 1.12 release that ortools 9.15 also bundles).

A programme is passed to HiGHS once, as a column-wise sparse matrix; each level then only
changes the objective and adds the rows fixing the previous level, so nothing is rebuilt between
levels.  This is the same programme the PuLP-based ``highs`` backend solves, without PuLP's
per-solve model transfer; level 4 of a big programme goes through reduced-cost fixing
(:meth:`HighspyBackend._optimise_with_fixing`).  Status is read from HiGHS's model status and primal solution
status: a run stopped by its time limit with a solution is ``feasible``, never ``optimal``.
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from matcher.models import MAXIMISE
from matcher.solvers.base import SolveOptions
from matcher.solvers.formulation import Constraint, Formulation
from matcher.solvers.lexicographic import LevelResult, LexicographicSolver, Outcome

_INF = highspy.kHighsInf
_SOLUTION_FEASIBLE = 2  # HiGHS's kSolutionStatusFeasible
FIXING_MIN_VARIABLES = 20_000
"""Level 4 of a programme at least this big is solved with reduced-cost fixing."""
FIXING_FIRST_MARGIN = 16.0
"""Objective units above the LP bound kept in the first fixing round."""


class HighspyBackend:
    """The aggregated programme loaded once into a ``highspy.Highs`` instance."""

    def __init__(self, formulation: Formulation, options: SolveOptions):
        self.f = formulation
        self.options = options
        n = len(formulation.vars)
        rows: list[int] = []
        cols: list[int] = []
        vals: list[int] = []
        for row, c in enumerate(formulation.constraints):
            for var, coef in c.terms:
                rows.append(row)
                cols.append(var)
                vals.append(coef)
        col = np.asarray(cols, dtype=np.int64)
        order = np.argsort(col, kind="stable")  # column-wise, rows in order within a column
        index = np.asarray(rows, dtype=np.int32)[order]
        value = np.asarray(vals, dtype=float)[order]
        start = np.zeros(n + 1, dtype=np.int32)
        start[1:] = np.cumsum(np.bincount(col, minlength=n))
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = len(formulation.constraints)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        self.upper = np.array([v.upper for v in formulation.vars], dtype=float)
        lp.col_upper_ = self.upper
        lp.row_lower_ = np.array([-_INF if c.lower is None else c.lower for c in formulation.constraints], dtype=float)
        lp.row_upper_ = np.array([_INF if c.upper is None else c.upper for c in formulation.constraints], dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = index
        lp.a_matrix_.value_ = value
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", bool(options.log))
        self.highs.setOptionValue("random_seed", int(options.seed))
        self.highs.setOptionValue("threads", max(1, options.workers))
        self.highs.setOptionValue("mip_rel_gap", 0.0)
        self.highs.setOptionValue("mip_abs_gap", 0.0)
        self.highs.passModel(lp)
        self.n = n
        self.costs = []
        for terms in formulation.objectives:
            cost = np.zeros(n)
            for var, coef in terms:
                cost[var] += coef
            self.costs.append(cost)

    def optimise(self, level: int, time_limit: float | None, hint: list[int] | None) -> LevelResult:
        deadline = None if time_limit is None else time.perf_counter() + time_limit
        h = self.highs
        h.changeObjectiveSense(highspy.ObjSense.kMaximize if MAXIMISE[level] else highspy.ObjSense.kMinimize)
        h.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), self.costs[level])
        if level == 3 and self.n >= FIXING_MIN_VARIABLES:
            result = self._optimise_with_fixing(level, deadline, hint)
            if result is not None:
                return result
        return self._mip(deadline, hint)

    def _remaining(self, deadline: float | None) -> float:
        return _INF if deadline is None else max(0.01, deadline - time.perf_counter())

    def _mip(self, deadline: float | None, hint: list[int] | None) -> LevelResult:
        h = self.highs
        h.setOptionValue("time_limit", self._remaining(deadline))
        if hint is not None:
            solution = highspy.HighsSolution()
            solution.col_value = [float(v) for v in hint]
            solution.value_valid = True
            h.setSolution(solution)
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        native = h.modelStatusToString(status)
        if status == highspy.HighsModelStatus.kInfeasible:
            return LevelResult(Outcome.INFEASIBLE, None, None, native)
        if info.primal_solution_status != _SOLUTION_FEASIBLE:
            return LevelResult(Outcome.UNKNOWN, None, None, native)
        values = [int(round(v)) for v in h.getSolution().col_value]
        outcome = Outcome.OPTIMAL if status == highspy.HighsModelStatus.kOptimal else Outcome.FEASIBLE
        return LevelResult(outcome, values, float(info.mip_dual_bound), native)

    def _optimise_with_fixing(self, level: int, deadline: float | None, hint: list[int] | None) -> LevelResult | None:
        """Reduced-cost fixing: solve the LP relaxation, fix every variable whose reduced cost
        says it cannot be in a solution within ``margin`` of the LP bound, and solve the much
        smaller MIP that is left.  If its optimum is within ``margin`` of the LP bound it is the
        optimum of the whole programme (any solution using a fixed variable is worse by more than
        the margin); otherwise the margin is widened to the gap found, which then proves it.

        Returns ``None`` when the relaxation cannot be solved (the plain MIP is run instead)."""
        h = self.highs
        sense = -1.0 if MAXIMISE[level] else 1.0  # reason as if minimising sense * objective
        h.setOptionValue("solve_relaxation", True)
        h.setOptionValue("time_limit", self._remaining(deadline))
        try:
            h.run()
        finally:
            h.setOptionValue("solve_relaxation", False)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        lp = sense * h.getInfo().objective_function_value
        reduced = sense * np.asarray(h.getSolution().col_dual)
        lower, upper = np.zeros(self.n), self.upper
        margin = FIXING_FIRST_MARGIN
        natives = []
        try:
            for _ in range(3):
                at_lower = np.nonzero(reduced > margin + 1e-6)[0].astype(np.int32)
                at_upper = np.nonzero(reduced < -margin - 1e-6)[0].astype(np.int32)
                h.changeColsBounds(len(at_lower), at_lower, lower[at_lower], lower[at_lower])
                h.changeColsBounds(len(at_upper), at_upper, upper[at_upper], upper[at_upper])
                result = self._mip(deadline, hint)
                natives.append(f"{result.native} with {len(at_lower) + len(at_upper)} of {self.n} fixed (margin {margin:g})")
                h.changeColsBounds(self.n, np.arange(self.n, dtype=np.int32), lower, upper)
                native = "; ".join(natives)
                if result.outcome is Outcome.INFEASIBLE:
                    margin = max(4 * margin, 1.0)  # nothing within the margin: widen it
                    continue
                if result.values is None:
                    return LevelResult(result.outcome, None, None, native)
                value = sense * float(self.costs[level] @ np.asarray(result.values, dtype=float))
                if result.outcome is Outcome.OPTIMAL:
                    if value - lp <= margin + 1e-6:
                        return LevelResult(Outcome.OPTIMAL, result.values, sense * value, native)
                    margin = value - lp
                    hint = result.values
                    continue
                # Cut off by the time limit: a solution, and a bound valid for the whole programme.
                bound = max(lp, min(sense * result.bound, lp + margin))
                return LevelResult(Outcome.FEASIBLE, result.values, sense * bound, native)
        finally:
            h.changeColsBounds(self.n, np.arange(self.n, dtype=np.int32), lower, upper)
        return None

    def add(self, row: Constraint) -> None:
        idx = np.array([v for v, _ in row.terms], dtype=np.int32)
        coef = np.array([c for _, c in row.terms], dtype=float)
        lower = -_INF if row.lower is None else float(row.lower)
        upper = _INF if row.upper is None else float(row.upper)
        self.highs.addRow(lower, upper, len(idx), idx, coef)


class HighspySolver(LexicographicSolver):
    """Exact lexicographic solver: the aggregated programme on HiGHS through highspy."""

    name = "highspy"

    def make_backend(self, formulation: Formulation, options: SolveOptions) -> HighspyBackend:
        return HighspyBackend(formulation, options)
