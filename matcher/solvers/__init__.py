"""Solver backends behind one interface, and :func:`solve`, the one entry point."""

from __future__ import annotations

from matcher.exceptions import SolverUnavailableError
from matcher.models import Instance, Params, Proposal
from matcher.rules import Rules
from matcher.solvers.base import SolveOptions, Solver
from matcher.solvers.cpsat import CpSatClassesSolver, CpSatSolver
from matcher.solvers.greedy import GreedySolver
from matcher.solvers.highs import HighspySolver
from matcher.solvers.mip import CbcSolver, HighsSolver

SOLVERS: dict[str, type] = {
    "cpsat": CpSatSolver,
    "highs": HighsSolver,
    "cbc": CbcSolver,
    "highspy": HighspySolver,
    "cpsat-classes": CpSatClassesSolver,
    "greedy": GreedySolver,
}
AUTO = "highspy"
"""The fastest exact backend on the benchmarks (benchmarks/results/)."""


def get_solver(name: str) -> Solver:
    """The backend called ``name``; ``auto`` picks the fastest exact one."""
    if name == "auto":
        name = AUTO
    try:
        return SOLVERS[name]()
    except KeyError:
        raise SolverUnavailableError(f"unknown solver {name!r}; expected one of auto, {', '.join(SOLVERS)}") from None


def solve(instance: Instance, params: Params, solver: str = "auto", time_limit: float | None = 60.0,
          seed: int = 0, workers: int = 1, explain: bool = True) -> Proposal:
    """Propose this week's couplings and housing for ``instance`` under ``params``.

    Every assignment carries a plain-sentence reason unless ``explain`` is false.
    Raises :class:`~matcher.exceptions.LocksInfeasibleError` when the locks cannot all hold.
    """
    rules = Rules(instance, params)
    proposal = get_solver(solver).solve(rules, SolveOptions(time_limit=time_limit, seed=seed, workers=workers))
    if explain:
        from matcher.explain import explain_proposal

        proposal = explain_proposal(rules, proposal)
    return proposal


__all__ = ["AUTO", "SOLVERS", "SolveOptions", "Solver", "get_solver", "solve"]
